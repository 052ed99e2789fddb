import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import SimChain
import StandInServer
import Testing

/// `ChainStandIn` with a state directory: the journal is replayed on the next
/// start, so heights, block hashes and times, and the ledger (a claim
/// broadcast over gRPC) survive a restart, and production continues.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct StandInStateTests {
    static func configuration(directory: String, world: String = "state-test") -> ChainStandInConfiguration {
        var genesis = StandIn.genesis(start: SystemClock().now)
        genesis.blockTime = .milliseconds(150)
        return ChainStandInConfiguration(genesis: genesis, worldName: world, grpcPort: 0, rpcPort: 0, stateDirectory: directory)
    }

    static func running<T: Sendable>(_ standIn: ChainStandIn, _ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await standIn.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    @Test func blocksAndAClaimSurviveARestart() async throws {
        let directory = NSTemporaryDirectory() + "stand-in-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let app = Keys.app.publicKey.address()
        let supplier = Keys.supplier.publicKey.address()
        let grid = SessionGrid(StandIn.sharedParams)

        let first = try await ChainStandIn(Self.configuration(directory: directory))
        #expect(first.resumedHeight == 0)
        let (sessionID, stoppedAt) = try await Self.running(first) {
            let chain = first.chain
            try await eventually("the claim window") { await chain.height >= grid.earliestClaimCommit(grid.sessionEnd(1)) - 1 }
            let header = try await chain.session(application: app, serviceID: StandIn.service, height: 1).header
            let txBytes = try await TxBuilder().build([try Claims.message(header: header)], on: chain)
            let port = try await first.grpc.port()
            try await withGRPCClient(
                transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            ) { client in
                let answer = try await Cosmos_Tx_V1beta1_Service.Client(wrapping: client)
                    .broadcastTx(.with { $0.txBytes = Data(txBytes); $0.mode = .sync }).txResponse
                #expect(answer.code == 0, "\(answer.rawLog)")
            }
            try await eventually("the claim on chain") { await chain.claim(sessionID: header.sessionID, supplierOperatorAddress: supplier) != nil }
            let included = await chain.height
            try await eventually("two more blocks") { await chain.height >= included + 2 }
            return (header.sessionID, await chain.height)
        }
        let blocksBefore = await first.chain.allBlocks
        let claimBefore = await first.chain.claim(sessionID: sessionID, supplierOperatorAddress: supplier)
        let balanceBefore = try await first.chain.balance(address: supplier)

        let second = try await ChainStandIn(Self.configuration(directory: directory))
        #expect(second.resumedHeight >= stoppedAt)
        let rebuilt = await second.chain.allBlocks
        #expect(Array(rebuilt.prefix(blocksBefore.count)) == blocksBefore)
        #expect(await second.chain.claim(sessionID: sessionID, supplierOperatorAddress: supplier) == claimBefore)
        #expect(try await second.chain.balance(address: supplier) == balanceBefore)
        try await Self.running(second) {
            let resumed = second.resumedHeight
            try await eventually("production continues") { await second.chain.height >= resumed + 2 }
            let port = try await second.rpc.port()
            try await CometStandIn.withClient(port: port) { client in
                let first = try await client.block(at: 1)
                #expect(first == blocksBefore[0])
            }
        }
    }

    @Test func aJournalOfAnotherWorldIsRefused() async throws {
        let directory = NSTemporaryDirectory() + "stand-in-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await ChainStandIn(Self.configuration(directory: directory, world: "world-a"))
        do {
            _ = try await ChainStandIn(Self.configuration(directory: directory, world: "world-b"))
            Issue.record("a journal of world-a was resumed as world-b")
        } catch {
            #expect("\(error)".contains("belongs to world world-a"))
        }
    }
}
