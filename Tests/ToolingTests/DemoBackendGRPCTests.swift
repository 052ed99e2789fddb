import DemoBackend
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// `demo.DemoService` over plaintext HTTP/2 with the generated grpc-swift-2 client.
@Suite(.timeLimit(.minutes(2)))
struct DemoBackendGRPCTests {
    static func withClient<T: Sendable>(
        _ endpoints: DemoBackendEndpoints, _ body: (Demo_DemoService.Client<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        let port = try #require(endpoints.grpcPort)
        return try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
        ) { client in
            try await body(Demo_DemoService.Client(wrapping: client))
        }
    }

    @Test func getBlockHeightAnswersAGrowingHeightAndTheBackendId() async throws {
        try await DemoBackendHarness.run(id: "grpc-backend", startHeight: 77) { server, endpoints in
            try await Self.withClient(endpoints) { demo in
                var request = Demo_BlockHeightRequest()
                request.echo = "ping-1"
                let first = try await demo.getBlockHeight(request)
                #expect(first.height == 77)
                #expect(first.backendID == "grpc-backend")
                #expect(first.echo == "ping-1")
                // An empty request is a valid request.
                let second = try await demo.getBlockHeight(Demo_BlockHeightRequest())
                #expect(second.height == 78)
                #expect(second.echo == "")
                let metadata = try await demo.getBlockHeight(Demo_BlockHeightRequest()) { response in
                    Array(response.metadata[stringValues: "x-backend-id"])
                }
                #expect(metadata == ["grpc-backend"])
            }
            #expect(await server.stats().count(route: "grpc_get_block_height") == 3)
        }
    }

    @Test func metadataInjectsTheGRPCStatus() async throws {
        try await DemoBackendHarness.run { server, endpoints in
            try await Self.withClient(endpoints) { demo in
                let error = await #expect(throws: RPCError.self) {
                    _ = try await demo.getBlockHeight(Demo_BlockHeightRequest(), metadata: ["x-demo-status": "14"])
                }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("injected status 14") == true)

                let permission = await #expect(throws: RPCError.self) {
                    _ = try await demo.getBlockHeight(Demo_BlockHeightRequest(), metadata: ["x-demo-status": "7"])
                }
                #expect(permission?.code == .permissionDenied)

                // 0 is OK: the call is answered.
                let answered = try await demo.getBlockHeight(Demo_BlockHeightRequest(), metadata: ["x-demo-status": "0"])
                #expect(answered.height == 1)

                let malformed = await #expect(throws: RPCError.self) {
                    _ = try await demo.getBlockHeight(Demo_BlockHeightRequest(), metadata: ["x-demo-status": "99"])
                }
                #expect(malformed?.code == .invalidArgument)
            }
            #expect(await server.stats().injected["status"] == 2)
        }
    }

    @Test func streamBlocksSendsCountBlocksThenEnds() async throws {
        try await DemoBackendHarness.run(id: "streaming", startHeight: 5) { _, endpoints in
            try await Self.withClient(endpoints) { demo in
                var request = Demo_StreamBlocksRequest()
                request.count = 4
                request.delayMs = 2
                let blocks = try await demo.streamBlocks(request) { response in
                    var blocks: [Demo_Block] = []
                    for try await block in response.messages { blocks.append(block) }
                    return blocks
                }
                #expect(blocks.map(\.sequence) == [1, 2, 3, 4])
                #expect(blocks.map(\.height) == [5, 6, 7, 8])
                #expect(blocks.allSatisfy { $0.total == 4 && $0.backendID == "streaming" })
            }
        }
    }
}
