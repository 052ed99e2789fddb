import Foundation
import Hummingbird
import Logging
import RelayRuntime
import RelayRuntimeLive
import SimChain
import StandInServer
import Testing

/// The live CometBFT client (`CometBFTClient`) against the stand-in's
/// CometBFT server over real loopback sockets: what it reads equals the
/// fake chain's own blocks, and every failure is the typed `ChainError`.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CometClientTests {
    @Test func latestBlockAndBlockAtEqualTheChainsBlocks() async throws {
        try await CometStandIn.run { chain, _, port in
            try await eventually("height 3") { await chain.height >= 3 }
            try await CometStandIn.withClient(port: port) { client in
                let latest = try await client.latestBlock()
                let stored = try await chain.block(at: latest.height)
                #expect(latest == stored)
                #expect(latest.hash.count == 32)
                for height: Int64 in 1...3 {
                    let read = try await client.block(at: height)
                    let stored = try await chain.block(at: height)
                    #expect(read == stored)
                }
            }
        }
    }

    @Test func subscriptionYieldsProducedBlocksInOrderWithTheirHashes() async throws {
        try await CometStandIn.run { chain, _, port in
            try await eventually("height 1") { await chain.height >= 1 }
            try await CometStandIn.withClient(port: port) { client in
                let blocks = try await client.subscribeBlocks()
                var received: [ChainBlock] = []
                for await block in blocks {
                    received.append(block)
                    if received.count == 4 { break }
                }
                #expect(received.count == 4)
                for (a, b) in zip(received, received.dropFirst()) { #expect(b.height == a.height + 1) }
                for block in received {
                    let stored = try await chain.block(at: block.height)
                    #expect(block == stored)
                }
            }
        }
    }

    @Test func aRestartedServerIsReconnectedToAndTheSubscriptionResumesFromTheLatestHeight() async throws {
        let (chain, producer) = CometStandIn.makeChain()
        let port = try CometStandIn.freePort()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await producer.run() }
            defer { group.cancelAll() }
            try await eventually("height 1") { await chain.height >= 1 }
            let server = Task { try await CometRPCServer.withServer(chain: chain, port: port) { _, _ in try await Task.sleep(for: .seconds(3_600)) } }
            try await CometStandIn.withClient(port: port) { client in
                try await eventually("the server") { (try? await client.latestBlock()) != nil }
                let blocks = try await client.subscribeBlocks()
                var iterator = blocks.makeAsyncIterator()
                let before = try #require(await iterator.next())

                server.cancel()
                _ = try? await server.value
                await expectChainError("unavailable") { try await client.latestBlock() }
                let downAt = await chain.height
                try await eventually("3 blocks while the server is down") { await chain.height >= downAt + 3 }

                let restarted = Task { try await CometRPCServer.withServer(chain: chain, port: port) { _, _ in try await Task.sleep(for: .seconds(3_600)) } }
                defer { restarted.cancel() }
                let heightAtRestart = await chain.height
                let resumed = try #require(await iterator.next())
                // The first block after the reconnect is the latest one, not the ones missed while down.
                #expect(resumed.height >= heightAtRestart, "resumed at \(resumed.height), chain was at \(heightAtRestart)")
                #expect(resumed.height >= before.height + 3, "heights produced while down are skipped")
                let stored = try await chain.block(at: resumed.height)
                #expect(resumed == stored)
                let next = try #require(await iterator.next())
                #expect(next.height > resumed.height)
            }
        }
    }

    @Test func aRefusedConnectionIsUnavailable() async throws {
        let port = try CometStandIn.freePort()
        try await CometStandIn.withClient(port: port) { client in
            let error = await expectChainError("unavailable") { try await client.latestBlock() }
            #expect("\(error.map { "\($0)" } ?? "")".contains("127.0.0.1:\(port)"))
            await expectChainError("unavailable") { try await client.block(at: 1) }
            await expectChainError("unavailable") { try await client.subscribeBlocks() }
            await expectChainError("unavailable") { try await client.status() }
        }
    }

    @Test func aHeightNotProducedYetIsNotFound() async throws {
        try await CometStandIn.run { chain, _, port in
            try await eventually("height 1") { await chain.height >= 1 }
            try await CometStandIn.withClient(port: port) { client in
                let error = await expectChainError("notFound") { try await client.block(at: 1_000_000) }
                #expect("\(error.map { "\($0)" } ?? "")".contains("must be less than or equal to the current blockchain height"))
                await expectChainError("notFound") { try await client.block(at: 0) }
            }
        }
    }

    @Test func chainIDIsReadAndAMismatchIsRefusedWithAClearMessage() async throws {
        try await CometStandIn.run { chain, _, port in
            try await CometStandIn.withClient(port: port) { client in
                #expect(try await client.chainID() == chain.genesis.chainID)
                try await client.verifyChainID(expected: chain.genesis.chainID)
                do throws(ChainIDCheckError) {
                    try await client.verifyChainID(expected: "pocket-beta")
                    Issue.record("a node of another chain was accepted")
                } catch {
                    #expect(error == .mismatch(endpoint: "http://127.0.0.1:\(port)", served: chain.genesis.chainID, expected: "pocket-beta"))
                    #expect(error.description == "node at http://127.0.0.1:\(port) serves chain \(chain.genesis.chainID), the config expects pocket-beta: point rpc at a node of pocket-beta")
                }
            }
        }
    }

    @Test(arguments: [
        ("not json at all", "invalidResponse"),
        (#"{"jsonrpc":"2.0","id":-1,"result":{"block_id":{"hash":"ZZ"},"block":{"header":{"height":"1","time":"2026-01-01T00:00:00Z"}}}}"#, "invalidResponse"),
        (#"{"jsonrpc":"2.0","id":-1,"result":{"block_id":{"hash":"AB"},"block":{"header":{"height":"1","time":"2026-01-01T00:00:00Z"}}}}"#, "invalidResponse"),
        (#"{"jsonrpc":"2.0","id":-1,"result":{"block_id":{"hash":"\#(String(repeating: "AB", count: 32))"},"block":{"header":{"height":"one","time":"2026-01-01T00:00:00Z"}}}}"#, "invalidResponse"),
        (#"{"jsonrpc":"2.0","id":-1,"result":{"block_id":{"hash":"\#(String(repeating: "AB", count: 32))"},"block":{"header":{"height":"1","time":"yesterday"}}}}"#, "invalidResponse"),
        (#"{"jsonrpc":"2.0","id":-1}"#, "invalidResponse"),
    ])
    func garbageFromAFakeNodeIsInvalidResponse(body: String, kind: String) async throws {
        try await withFakeNode(body: body) { port in
            try await CometStandIn.withClient(port: port) { client in
                _ = await expectChainError(kind) { try await client.block(at: 1) }
            }
        }
    }

    @Test func aWellFormedAnswerFromAFakeNodeDecodes() async throws {
        let hash = String(repeating: "AB", count: 32)
        let body = #"{"jsonrpc":"2.0","id":-1,"result":{"block_id":{"hash":"\#(hash)","parts":{"total":1,"hash":""}},"block":{"header":{"height":"7","time":"2026-01-02T03:04:05.000000042Z"}}}}"#
        try await withFakeNode(body: body) { port in
            try await CometStandIn.withClient(port: port) { client in
                let block = try await client.block(at: 7)
                #expect(block.height == 7)
                #expect(block.hash == [UInt8](repeating: 0xAB, count: 32))
                #expect(block.time.unixNanoseconds == 1_767_323_045_000_000_042)
            }
        }
    }

    @Test func aNodeThatDoesNotAnswerInTimeIsATimeout() async throws {
        try await withFakeNode(body: "{}", delay: .seconds(3)) { port in
            try await CometStandIn.withClient(port: port, timeout: .milliseconds(300)) { client in
                _ = await expectChainError("timeout") { try await client.latestBlock() }
            }
        }
    }

    /// A Hummingbird server that answers every GET with `body` (after `delay`).
    private func withFakeNode(body: String, delay: Duration = .zero, _ run: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/block") { _, _ -> Response in
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let port = try CometStandIn.freePort()
        var logger = Logger(label: "test.fake-node")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            try await eventually("the fake node") { (try? await RawHTTP.get(port, "/block")) != nil }
            try await run(port)
        }
    }
}
