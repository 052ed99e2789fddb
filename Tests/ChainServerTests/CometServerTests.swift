import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import StandInServer
import Testing

/// The stand-in's CometBFT endpoints seen raw: CometBFT 0.38's JSON shapes,
/// JSON-RPC errors for bad input (never a crash), and the control endpoint.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CometServerTests {
    static var rfc3339Nano: Regex<(Substring, Substring?)> { #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/# }

    @Test func statusAndBlockAreShapedLikeCometBFT() async throws {
        try await CometStandIn.run { chain, _, port in
            try await eventually("height 2") { await chain.height >= 2 }
            let status = try await RawHTTP.get(port, "/status")
            #expect(status.status == 200)
            #expect(status.json["jsonrpc"] as? String == "2.0")
            #expect(status.json["id"] as? Int == -1)
            let result = try #require(status.json["result"] as? [String: Any])
            let nodeInfo = try #require(result["node_info"] as? [String: Any])
            #expect(nodeInfo["network"] as? String == chain.genesis.chainID)
            let sync = try #require(result["sync_info"] as? [String: Any])
            let latestText = try #require(sync["latest_block_height"] as? String)
            let latest = try #require(Int64(latestText))
            #expect(latest >= 2)
            #expect(sync["catching_up"] as? Bool == false)

            let answer = try await RawHTTP.get(port, "/block?height=2")
            #expect(answer.status == 200)
            let block = try #require(answer.json["result"] as? [String: Any])
            let blockID = try #require(block["block_id"] as? [String: Any])
            let header = try #require((block["block"] as? [String: Any])?["header"] as? [String: Any])
            let expected = try await chain.block(at: 2)
            #expect(blockID["hash"] as? String == expected.hash.hex.uppercased())
            #expect(header["height"] as? String == "2")
            #expect(header["chain_id"] as? String == chain.genesis.chainID)
            let time = try #require(header["time"] as? String)
            #expect(time.wholeMatch(of: Self.rfc3339Nano) != nil, "\(time)")
            let lastBlockID = try #require(header["last_block_id"] as? [String: Any])
            let first = try await chain.block(at: 1)
            #expect(lastBlockID["hash"] as? String == first.hash.hex.uppercased())

            // The same over JSON-RPC POST, with the caller's id echoed.
            let posted = try await RawHTTP.post(port, "/", #"{"jsonrpc":"2.0","id":"abc","method":"block","params":{"height":"2"}}"#)
            #expect(posted.status == 200)
            #expect(posted.json["id"] as? String == "abc")
            #expect(((posted.json["result"] as? [String: Any])?["block_id"] as? [String: Any])?["hash"] as? String == expected.hash.hex.uppercased())
            let status2 = try await RawHTTP.post(port, "/", #"{"jsonrpc":"2.0","id":7,"method":"status"}"#)
            #expect(((status2.json["result"] as? [String: Any])?["node_info"] as? [String: Any])?["network"] as? String == chain.genesis.chainID)
        }
    }

    @Test func badInputGetsTheStandardJSONRPCErrors() async throws {
        try await CometStandIn.run { chain, _, port in
            try await eventually("height 1") { await chain.height >= 1 }
            func error(_ answer: RawHTTP.Answer) -> (code: Int?, message: String?, data: String?) {
                let body = answer.json["error"] as? [String: Any]
                return (body?["code"] as? Int, body?["message"] as? String, body?["data"] as? String)
            }
            let parse = try await RawHTTP.post(port, "/", "{not json")
            #expect(parse.status == 500)
            #expect(error(parse).code == -32700)

            let unknown = try await RawHTTP.post(port, "/", #"{"jsonrpc":"2.0","id":1,"method":"no_such_method"}"#)
            #expect(error(unknown).code == -32601)
            #expect(error(unknown).message == "Method not found")

            let garbageHeight = try await RawHTTP.get(port, "/block?height=abc")
            #expect(garbageHeight.status == 500)
            #expect(error(garbageHeight).code == -32602)

            let garbageParam = try await RawHTTP.post(port, "/", #"{"jsonrpc":"2.0","id":2,"method":"block","params":{"height":"abc"}}"#)
            #expect(error(garbageParam).code == -32602)

            let future = try await RawHTTP.get(port, "/block?height=999999")
            #expect(future.status == 500)
            #expect(error(future).code == -32603)
            #expect(error(future).data?.hasPrefix("height 999999 must be less than or equal to the current blockchain height ") == true)

            let zero = try await RawHTTP.get(port, "/block?height=0")
            #expect(error(zero).data == "height must be greater than 0, but got 0")

            let notAnObject = try await RawHTTP.post(port, "/", "42")
            #expect(error(notAnObject).code == -32600)

            // Over the WebSocket too: garbage, an unknown method, an unsupported query.
            let replies = try await webSocketExchange(port: port, send: [
                "{nope",
                #"{"jsonrpc":"2.0","id":1,"method":"frobnicate"}"#,
                #"{"jsonrpc":"2.0","id":2,"method":"subscribe","params":{"query":"tm.event='Tx'"}}"#,
                #"{"jsonrpc":"2.0","id":3,"method":"block","params":{"height":"x"}}"#,
            ], receive: 4)
            let codes = replies.map { reply in
                ((try? JSONSerialization.jsonObject(with: Data(reply.utf8))) as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["code"] as? Int }
            }
            #expect(codes == [-32700, -32601, -32603, -32603])

            // The server is still fine.
            #expect(try await RawHTTP.get(port, "/status").status == 200)
        }
    }

    @Test func webSocketSubscriptionSendsNewBlockHeaderEvents() async throws {
        try await CometStandIn.run { chain, _, port in
            try await eventually("height 1") { await chain.height >= 1 }
            let replies = try await webSocketExchange(port: port, send: [
                #"{"jsonrpc":"2.0","id":"sub-1","method":"subscribe","params":{"query":"tm.event = 'NewBlockHeader'"}}"#,
            ], receive: 3)
            let messages = replies.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            #expect(messages.count == 3)
            #expect(messages[0]["id"] as? String == "sub-1")
            #expect((messages[0]["result"] as? [String: Any])?.isEmpty == true)
            for event in messages.dropFirst() {
                #expect(event["id"] as? String == "sub-1")
                let result = try #require(event["result"] as? [String: Any])
                #expect(result["query"] as? String == "tm.event='NewBlockHeader'")
                let data = try #require(result["data"] as? [String: Any])
                #expect(data["type"] as? String == "tendermint/event/NewBlockHeader")
                let header = try #require((data["value"] as? [String: Any])?["header"] as? [String: Any])
                let heightText = try #require(header["height"] as? String)
                let height = try #require(Int64(heightText))
                #expect(header["time"] as? String != nil)
                #expect((result["events"] as? [String: [String]])?["tm.event"] == ["NewBlockHeader"])
                #expect(height >= 1)
            }
        }
    }

    @Test func controlEndpointStallsAndResumesBlockProduction() async throws {
        try await CometStandIn.run { chain, _, port in
            try await eventually("height 2") { await chain.height >= 2 }
            let stalled = try await RawHTTP.post(port, "/control/stall", "")
            #expect(stalled.status == 200)
            #expect(stalled.json["stalled"] as? Bool == true)
            let heightAtStall = await chain.height
            try await Task.sleep(for: CometStandIn.blockTime * 5)
            // At most the block whose slot was already being produced.
            #expect(await chain.height <= heightAtStall + 1)
            let frozen = await chain.height
            try await Task.sleep(for: CometStandIn.blockTime * 3)
            #expect(await chain.height == frozen)

            let resumed = try await RawHTTP.post(port, "/control/resume", "")
            #expect(resumed.json["stalled"] as? Bool == false)
            try await eventually("production resumes") { await chain.height >= frozen + 2 }

            let drop = try await RawHTTP.post(port, "/control/drop-next-tx", "")
            #expect(drop.status == 200)
            #expect(drop.json["drop_next_tx_armed"] as? Int == 1)
            #expect(await chain.mempoolFaultRules.count == 1)

            let bad = try await RawHTTP.post(port, "/control/stall?blocks=many", "")
            #expect(bad.status == 400)
        }
    }
}
