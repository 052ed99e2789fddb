import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HTTPTypes
import HummingbirdWSClient
import Logging
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import SwiftProtobuf
import Testing

/// The `relayer` binary end to end over every transport, against a real
/// redis-server, `chain serve` and `backend serve`: each answer's supplier
/// signature and payload hash verified, and the minable relay found in the
/// supplier's Redis stream with every field checked.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct RelayerTransportTests {
    @Test(.enabled(if: ChildProcess.binary != nil && LocalRedisServerAvailable.value, "needs the built binary and redis-server"))
    func everyTransportServesSignsAndPublishes() async throws {
        let stack = try await LiveStack.start()
        do {
            try await run(stack)
        } catch {
            Issue.record("\(error)\n--- relayer log ---\n\(stack.relayer.output.suffix(4000))")
        }
        await stack.stop()
    }

    private func run(_ stack: LiveStack) async throws {
        try await LiveChainQueries.withQueries(configuration: LiveChainQueriesConfiguration(endpoint: "127.0.0.1:\(stack.grpcPort)"), clock: SystemClock()) { queries in
            try await CometBFTClient.withClient(configuration: CometBFTConfiguration(rpcURL: "http://127.0.0.1:\(stack.rpcPort)")) { blocks in
                let factory = RelayFactory(queries: queries, blocks: blocks)
                let app = try stack.keys.key(stack.keys.applications["app-1"])
                let gateway = try stack.keys.key(stack.keys.gateways["gw-alpha"])
                let supplierKey = try stack.keys.key(stack.keys.suppliers["supplier-1"])
                let supplier = supplierKey.publicKey.address()

                // JSON-RPC: signed answer wrapping the backend's JSON, receipt on request, the stream entry in Redis.
                let built = try await factory.relay(
                    application: app, signer: gateway, service: "anvil", supplier: supplier,
                    payload: RelayFactory.httpPayload(body: #"{"jsonrpc":"2.0","id":7,"method":"eth_blockNumber","params":[]}"#))
                let answer = try await HTTP.post(stack.relayerURL, body: built.bytes, headers: [("Rpc-Type", "3"), ("Pocket-Sign-Receipt", "TRUE")])
                #expect(answer.status == 200, "\(answer.text)")
                let response = try RelayFactory.verify(answer.body, supplier: supplierKey.publicKey)
                let http = try Sdk_Types_POKTHTTPResponse(serializedBytes: response.payload)
                #expect(http.statusCode == 200)
                let backendJSON = String(decoding: http.bodyBz, as: UTF8.self)
                #expect(backendJSON.contains("\"id\":7"))
                #expect(backendJSON.contains("demo-1"))
                #expect(response.meta.sessionHeader == built.session.header)

                let receipt = try #require(answer.header("Pocket-Relay-Receipt"))
                try RelayReceipt.verify(headerValue: receipt, requestSignature: Array(built.request.meta.signature),
                                        responsePayloadHash: Array(response.payloadHash), supplierPublicKey: supplierKey.publicKey)
                var tampered = Array(receipt)
                tampered[tampered.count - 1] = tampered.last == "0" ? "1" : "0"
                #expect(throws: RelayReceiptError.badSignature) {
                    try RelayReceipt.verify(headerValue: String(tampered), requestSignature: Array(built.request.meta.signature),
                                            responsePayloadHash: Array(response.payloadHash), supplierPublicKey: supplierKey.publicKey)
                }

                let entries = try await RedisStream.entries(url: stack.redis.url, key: "ha:relays:{\(supplier)}")
                let mined = try #require(entries.last)
                #expect(mined.supplierOperatorAddress == supplier)
                #expect(mined.serviceID == "anvil")
                #expect(mined.applicationAddress == app.publicKey.address())
                #expect(mined.sessionID == built.session.header.sessionID)
                #expect(mined.sessionStartHeight == built.session.header.sessionStartBlockHeight)
                #expect(mined.sessionEndHeight == built.session.header.sessionEndBlockHeight)
                #expect(mined.computeUnitsPerRelay == 1)
                #expect(mined.arrivalBlockHeight >= built.session.header.sessionStartBlockHeight)
                #expect(mined.publishedAtUnixNano > 0)
                let relay = try Pocket_Service_Relay(serializedBytes: mined.relayBytes)
                #expect(Array(mined.relayHash) == Hash.sha256(Array(mined.relayBytes)))
                #expect(relay.req.meta.signature == built.request.meta.signature)
                #expect(relay.res.payload.isEmpty, "the mined relay carries the payload hash, not the payload")

                // REST and CometBFT by Rpc-Type.
                for (rpcType, path, body, needle) in [("4", "/v1/blocks/latest?x=1", "", "/v1/blocks/latest"), ("5", "/status", "", "latest_block_height")] {
                    let rest = try await factory.relay(
                        application: app, signer: gateway, service: "anvil", supplier: supplier,
                        payload: RelayFactory.httpPayload(method: "GET", path: path, body: body), session: built.session)
                    let restAnswer = try await HTTP.post(stack.relayerURL, body: rest.bytes, headers: [("Rpc-Type", rpcType)])
                    #expect(restAnswer.status == 200, "\(restAnswer.text)")
                    let restResponse = try RelayFactory.verify(restAnswer.body, supplier: supplierKey.publicKey)
                    let restHTTP = try Sdk_Types_POKTHTTPResponse(serializedBytes: restResponse.payload)
                    #expect(String(decoding: restHTTP.bodyBz, as: UTF8.self).contains(needle), "Rpc-Type \(rpcType)")
                    #expect(restAnswer.header("Pocket-Relay-Receipt") == nil, "no receipt unless asked for")
                }

                // SSE: signed batches separated by the delimiter; one mined relay for the stream.
                let before = try await RedisStream.entries(url: stack.redis.url, key: "ha:relays:{\(supplier)}").count
                let sse = try await factory.relay(
                    application: app, signer: gateway, service: "anvil", supplier: supplier,
                    payload: RelayFactory.httpPayload(method: "GET", path: "/stream/sse?batches=3", body: ""), session: built.session)
                let streamed = try await HTTP.post(stack.relayerURL, body: sse.bytes, headers: [("Rpc-Type", "3")])
                #expect(streamed.status == 200)
                let parts = split(streamed.body, on: Array("||POKT_STREAM||".utf8))
                #expect(!parts.isEmpty)
                var delivered = ""
                for part in parts {
                    let chunk = try RelayFactory.verify(part, supplier: supplierKey.publicKey)
                    delivered += String(decoding: try Sdk_Types_POKTHTTPResponse(serializedBytes: chunk.payload).bodyBz, as: UTF8.self)
                }
                #expect(delivered.components(separatedBy: "data:").count - 1 == 3, "three SSE events: \(delivered)")
                try await eventually("the stream's one mined relay") {
                    try await RedisStream.entries(url: stack.redis.url, key: "ha:relays:{\(supplier)}").count == before + 1
                }

                // WebSocket: each frame a RelayRequest; each backend message a signed RelayResponse.
                let wsRequest = try await factory.relay(
                    application: app, signer: gateway, service: "anvil", supplier: supplier,
                    payload: Array(#"{"jsonrpc":"2.0","id":11,"method":"eth_blockNumber","params":[]}"#.utf8), session: built.session)
                let frames = try await WebSocketProbe.exchange(
                    url: "ws://127.0.0.1:\(stack.relayerPorts["http"]!)/", service: "anvil", supplier: supplier,
                    send: [Array("not a relay request".utf8), wsRequest.bytes], expect: 2)
                #expect(frames.count == 2)
                let refusal = try Pocket_Service_RelayResponse(serializedBytes: frames[0])
                #expect(refusal.meta.supplierOperatorSignature.isEmpty, "a refusal is not signed")
                #expect(refusal.relayMinerError.code == 1, "garbage is refused as an invalid request, never forwarded")
                let wsResponse = try RelayFactory.verify(frames[1], supplier: supplierKey.publicKey)
                #expect(String(decoding: wsResponse.payload, as: UTF8.self).contains("\"id\":11"))

                // gRPC: SendRelay over h2c carrying a demo.DemoService call.
                let grpcRelay = try await factory.relay(
                    application: app, signer: gateway, service: "anvil", supplier: supplier,
                    payload: RelayFactory.httpPayload(path: "/demo.DemoService/GetBlockHeight", body: "", headers: ["content-type": "application/grpc"])
                        .replacingBody(with: [0, 0, 0, 0, 0]), session: built.session)
                let grpcResponse = try await withGRPCClient(
                    transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: stack.relayerPorts["grpc"]!), transportSecurity: .plaintext)
                ) { client in
                    try await Pocket_Service_RelayService.Client(wrapping: client).sendRelay(grpcRelay.request)
                }
                let grpcAnswer = try RelayFactory.verify(Array(try grpcResponse.serializedData()), supplier: supplierKey.publicKey)
                let grpcHTTP = try Sdk_Types_POKTHTTPResponse(serializedBytes: grpcAnswer.payload)
                #expect(grpcHTTP.header["grpc-status"]?.values == ["0"] || grpcHTTP.header["Grpc-Status"]?.values == ["0"], "\(grpcHTTP.header)")

                // Metrics: the served relays are counted under the reference's names.
                let metrics = try await HTTP.get("http://127.0.0.1:\(stack.relayerPorts["metrics"]!)/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.text.contains("ha_relayer_relays_served_total{"))
            }
        }
    }

    private func split(_ bytes: [UInt8], on delimiter: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0
        var i = 0
        while i + delimiter.count <= bytes.count {
            if Array(bytes[i..<(i + delimiter.count)]) == delimiter {
                parts.append(Array(bytes[start..<i]))
                i += delimiter.count
                start = i
            } else {
                i += 1
            }
        }
        if start < bytes.count { parts.append(Array(bytes[start...])) }
        return parts
    }
}

extension Array where Element == UInt8 {
    /// A serialized `POKTHTTPRequest` with its body replaced (binary bodies such as gRPC frames).
    func replacingBody(with body: [UInt8]) -> [UInt8] {
        var http = try! Sdk_Types_POKTHTTPRequest(serializedBytes: self)
        http.bodyBz = Data(body)
        return Array(try! http.serializedData())
    }
}
