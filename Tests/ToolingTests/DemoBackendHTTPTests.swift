import AsyncHTTPClient
import DemoBackend
import Foundation
import Testing

/// The demo backend's HTTP routes seen by a real client over loopback:
/// JSON-RPC (single, batch, errors), REST echo, CometBFT status, health, stats.
@Suite(.timeLimit(.minutes(2)))
struct DemoBackendHTTPTests {
    @Test func jsonRPCEchoesTheIdCarriesTheBackendIdAndBlockNumbersIncrease() async throws {
        try await DemoBackendHarness.run(id: "backend-a", startHeight: 100) { _, endpoints in
            let first = try await DemoHTTP.post(endpoints.httpURL, #"{"jsonrpc":"2.0","id":"req-1","method":"eth_blockNumber","params":[]}"#)
            #expect(first.status == 200)
            #expect(first.header("X-Backend-Id") == "backend-a")
            #expect(first.header("Content-Type") == "application/json")
            let firstJSON = try first.object()
            #expect(firstJSON["jsonrpc"] as? String == "2.0")
            #expect(firstJSON["id"] as? String == "req-1")
            #expect(firstJSON["backend_id"] as? String == "backend-a")
            #expect(try demoHexQuantity(firstJSON["result"]) == 100)

            // A numeric id comes back as the same number, on any path.
            let second = try await DemoHTTP.post(endpoints.httpURL + "/some/path", #"{"jsonrpc":"2.0","id":12345678901234,"method":"eth_blockNumber"}"#)
            #expect(second.text.contains(#""id":12345678901234,"#))
            #expect(try demoHexQuantity(try second.object()["result"]) == 101)

            // Unknown methods echo method and params, with the backend id in the result too.
            let echo = try await DemoHTTP.post(endpoints.httpURL, #"{"jsonrpc":"2.0","id":7,"method":"eth_getBalance","params":["0xabc","latest"]}"#)
            let result = try #require(try echo.object()["result"] as? [String: Any])
            #expect(result["method"] as? String == "eth_getBalance")
            #expect(result["params"] as? [String] == ["0xabc", "latest"])
            #expect(result["backend_id"] as? String == "backend-a")
            #expect(try echo.object()["id"] as? Int == 7)
        }
    }

    @Test func batchIsAnsweredAsAnArrayInOrder() async throws {
        try await DemoBackendHarness.run(startHeight: 5) { _, endpoints in
            let answer = try await DemoHTTP.post(endpoints.httpURL, """
                [{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},
                 {"jsonrpc":"2.0","id":"two","method":"net_version","params":[]},
                 {"jsonrpc":"2.0","id":3},
                 {"jsonrpc":"2.0","id":4,"method":"eth_blockNumber"}]
                """)
            #expect(answer.status == 200)
            let items = try #require(try answer.json() as? [[String: Any]])
            #expect(items.count == 4)
            #expect(items[0]["id"] as? Int == 1)
            #expect(items[1]["id"] as? String == "two")
            #expect(items[2]["id"] as? Int == 3)
            #expect(items[3]["id"] as? Int == 4)
            #expect(try demoHexQuantity(items[0]["result"]) == 5)
            #expect((items[1]["result"] as? [String: Any])?["method"] as? String == "net_version")
            #expect((items[2]["error"] as? [String: Any])?["code"] as? Int == -32600)
            #expect(try demoHexQuantity(items[3]["result"]) == 6)

            let empty = try await DemoHTTP.post(endpoints.httpURL, "[]")
            #expect((try empty.object()["error"] as? [String: Any])?["code"] as? Int == -32600)

            let stats = try await DemoHTTP.stats(endpoints)
            #expect(stats.count(route: "jsonrpc_batch") == 2)
            #expect(stats.methods["eth_blockNumber"] == 2)
        }
    }

    @Test func invalidJSONIsAParseErrorWithHTTP200() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let answer = try await DemoHTTP.post(endpoints.httpURL, #"{"jsonrpc":"2.0","id":1,"method":"#)
            #expect(answer.status == 200)
            let object = try answer.object()
            #expect(object["id"] is NSNull)
            let error = try #require(object["error"] as? [String: Any])
            #expect(error["code"] as? Int == -32700)
            #expect((error["message"] as? String)?.hasPrefix("Parse error") == true)
            #expect(object["backend_id"] as? String == "demo-test")
        }
    }

    @Test func restPathsEchoPathQueryAndBackendId() async throws {
        try await DemoBackendHarness.run(id: "rest-backend") { _, endpoints in
            let answer = try await DemoHTTP.get(endpoints.httpURL + "/v1/cosmos/bank/balances/pokt1xyz?height=12&denom=upokt")
            #expect(answer.status == 200)
            #expect(answer.header("X-Backend-Id") == "rest-backend")
            let object = try answer.object()
            #expect(object["path"] as? String == "/v1/cosmos/bank/balances/pokt1xyz")
            #expect(object["query"] as? [String: String] == ["height": "12", "denom": "upokt"])
            #expect(object["method"] as? String == "GET")
            #expect(object["backend_id"] as? String == "rest-backend")

            // A REST POST whose body is not JSON-RPC is echoed with its body.
            let posted = try await DemoHTTP.post(endpoints.httpURL + "/v1/things", #"{"name":"x","n":3}"#)
            let postedObject = try posted.object()
            #expect(postedObject["method"] as? String == "POST")
            let echoedBody = try #require(postedObject["body"] as? [String: Any])
            #expect(echoedBody["name"] as? String == "x")
            #expect(echoedBody["n"] as? Int == 3)

            let health = try await DemoHTTP.get(endpoints.httpURL + "/health")
            #expect(health.status == 200)
            #expect(try health.object()["status"] as? String == "ok")

            let stats = try await DemoHTTP.stats(endpoints)
            #expect(stats.count(route: "rest") == 2)
            #expect(stats.count(route: "health") == 1)
        }
    }

    @Test func statusIsShapedLikeCometBFTOverGETAndJSONRPC() async throws {
        try await DemoBackendHarness.run(startHeight: 40) { server, endpoints in
            let answer = try await DemoHTTP.get(endpoints.httpURL + "/status")
            #expect(answer.status == 200)
            let object = try answer.object()
            #expect(object["id"] as? Int == -1)
            let result = try #require(object["result"] as? [String: Any])
            let nodeInfo = try #require(result["node_info"] as? [String: Any])
            #expect(nodeInfo["network"] as? String == server.configuration.network)
            #expect((nodeInfo["id"] as? String)?.count == 40)
            #expect((nodeInfo["other"] as? [String: Any])?["rpc_address"] as? String == "tcp://127.0.0.1:\(endpoints.httpPort)")
            let sync = try #require(result["sync_info"] as? [String: Any])
            #expect(sync["latest_block_height"] as? String == "40")
            #expect(sync["catching_up"] as? Bool == false)
            let time = try #require(sync["latest_block_time"] as? String)
            #expect(time.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z/#) != nil, "\(time)")

            let posted = try await DemoHTTP.post(endpoints.httpURL, #"{"jsonrpc":"2.0","id":"s","method":"status"}"#)
            let postedResult = try #require(try posted.object()["result"] as? [String: Any])
            #expect((postedResult["sync_info"] as? [String: Any])?["latest_block_height"] as? String == "41")
            #expect((postedResult["node_info"] as? [String: Any])?["network"] as? String == "pocket-demo")
        }
    }

    @Test func statsCountEveryRouteAndMethod() async throws {
        try await DemoBackendHarness.run(id: "counted") { server, endpoints in
            for _ in 0..<3 { _ = try await DemoHTTP.post(endpoints.httpURL, #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#) }
            _ = try await DemoHTTP.post(endpoints.httpURL, #"{"jsonrpc":"2.0","id":1,"method":"eth_call"}"#)
            _ = try await DemoHTTP.get(endpoints.httpURL + "/v1/x")
            _ = try await DemoHTTP.get(endpoints.httpURL + "/status")
            _ = try await DemoHTTP.get(endpoints.httpURL + "/stats")  // not counted

            let stats = try await DemoHTTP.stats(endpoints)
            #expect(stats.backendID == "counted")
            #expect(stats.routes == ["jsonrpc": 4, "rest": 1, "status": 1])
            #expect(stats.methods == ["eth_blockNumber": 3, "eth_call": 1])
            #expect(stats.total == 6)
            #expect(await server.stats() == stats)
        }
    }
}
