import Foundation
import PocketProtocol
import RelayClient
import Testing

/// WebSocket and gRPC against the test relayer.
@Suite(.timeLimit(.minutes(2)))
struct RelayClientTransportTests {
    @Test func webSocketFramesAreSignedRequestsAndEveryAnswerIsVerified() async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain)
            try await relayer.withHTTPServer { port in
                let url = try RelayWebSocketSession.webSocketURL(relayerURL: "http://127.0.0.1:\(port)/some/path?x=1")
                #expect(url == "ws://127.0.0.1:\(port)/")
                let target = WebSocketRelayTarget(url: url, serviceID: RelayClientChain.service, timeout: .seconds(20))
                let preparer = try world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .websocket,
                                                  selection: .roundRobin, body: #"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe"}"#)
                let report = try await LoadTestRunner(configuration: LoadTestConfiguration(count: 8, concurrency: 2), transport: .websocket,
                                                      preparer: preparer, target: target).run()
                await target.closeAll()
                #expect(report.total == 8 && report.succeeded == 8, "\(report.errors)")
                // Pinned per supplier, reused across relays: two suppliers × at most two in flight.
                #expect((2...4).contains(target.connectionsOpened))
                #expect(relayer.seen.count == 8)
                #expect(relayer.seen.rpcTypes == Array(repeating: "2", count: 8))
                #expect(relayer.seen.payloads.allSatisfy { String(decoding: $0, as: UTF8.self).contains("eth_subscribe") })
                #expect(Set(relayer.seen.signatures).count == 8)
            }
        }
    }

    @Test func aRefusedWebSocketFrameReportsTheErrorReplyAndTheCloseCode() async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain)
            try await relayer.withHTTPServer { port in
                let preparer = try world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .websocket,
                                                  selection: .fixed(RelayClientKeys.supplier.publicKey.address()))
                let prepared = try await preparer.prepare(index: 0)
                // The connection is pinned to the other supplier: the relayer refuses a frame for this one.
                let session = try await RelayWebSocketSession.connect(url: "ws://127.0.0.1:\(port)/", serviceID: RelayClientChain.service,
                                                                      supplier: RelayClientKeys.supplier2.publicKey.address(), timeout: .seconds(20))
                let failure = try #require(await #expect(throws: RelayFailure.self) { try await session.relay(prepared, timeout: .seconds(20)) })
                await session.close()
                #expect(failure.reason == "relay_miner_error")
                #expect(failure.detail.contains("code 4001"))
                #expect(failure.detail.contains("then closed with code 4001 (relay validation failed)"))
            }
        }
    }

    @Test func gRPCRelaysGoThroughSendRelayAndStatusesAreFailures() async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain)
            try await relayer.withGRPCServer { port in
                try await RelayGRPCSender.withSender(host: "127.0.0.1", port: port, timeout: .seconds(20)) { sender in
                    let target = GRPCRelayTarget(sender: sender)
                    let preparer = try world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .grpc)
                    let good = await target.relay(try await preparer.prepare(index: 0))
                    let verified = try good.result.get()
                    #expect(Bytes(verified.body) == RelayPayloads.grpcFrame([0x08, 0x2A]))
                    let inner = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try #require(relayer.seen.payloads.first))
                    #expect(inner.url == "/demo.DemoService/GetBlockHeight")
                    #expect(inner.header["Content-Type"]?.values == ["application/grpc"])

                    // Another method: the backend's grpc-status 12 (UNIMPLEMENTED) inside a signed answer.
                    let other = RelayPreparer(resolver: preparer.resolver, factory: preparer.factory, selection: .firstOfSession,
                                              payload: try RelayPayloads.payload(.init(transport: .grpc, grpcMethod: "/demo.DemoService/Nope")))
                    #expect(await target.relay(try await other.prepare(index: 1)).failure?.reason == "backend_grpc_status_12")

                    relayer.mode = .refuseEvery(1, status: 429, reason: "ignored")
                    let refused = await target.relay(try await preparer.prepare(index: 2))
                    #expect(refused.failure?.reason == "grpc_resource_exhausted")
                    #expect(refused.failure?.detail.contains("session relay limit reached") == true)

                    relayer.mode = .tamperSignature
                    #expect(await target.relay(try await preparer.prepare(index: 3)).failure?.reason == "bad_supplier_signature")
                }
            }
        }
    }
}
