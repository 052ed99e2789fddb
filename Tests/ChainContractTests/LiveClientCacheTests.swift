import Foundation
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import Testing

/// The live client's caches against the stand-in: what reaches the node and
/// what is served locally, on the manual clock the chain also runs on.
@Suite(.timeLimit(.minutes(1)))
struct LiveClientCacheTests {
    static func statistics(_ queries: LiveChainQueries, _ name: String) async throws -> ChainQueryCacheStatistics {
        try #require(await queries.cacheStatistics().first { $0.name == name })
    }

    @Test func atHeightAnswersReachTheNodeOnce() async throws {
        try await ContractChain.run(.liveClient) { c in
            let queries = try #require(c.queries)
            await c.produceBlocks(through: 6)
            let app = Keys.app.publicKey.address()
            for _ in 0..<3 {
                _ = try await queries.sharedParams(atHeight: 5)
                _ = try await queries.session(application: app, serviceID: ContractGenesis.service, height: 5)
                _ = try await queries.computeUnitsPerRelay(serviceID: ContractGenesis.service, atHeight: 5)
                _ = try await queries.relayDifficultyTarget(serviceID: ContractGenesis.service, atHeight: 5)
            }
            c.clock.advance(by: .seconds(600))
            _ = try await queries.session(application: app, serviceID: ContractGenesis.service, height: 5)
            for name in ["shared_params_at_height", "compute_units_per_relay_at_height", "relay_difficulty_at_height"] {
                let stats = try await Self.statistics(queries, name)
                #expect(stats.fetches == 1 && stats.hits == 2, "\(stats)")
            }
            let sessions = try await Self.statistics(queries, "session")
            #expect(sessions.fetches == 1 && sessions.hits == 3, "\(sessions)")
        }
    }

    /// A live answer is at most `live.maxAge` old: an account read before
    /// its ordered transaction is served unchanged until then, and re-read after.
    @Test func liveAnswersAreReadAgainAfterTheirMaxAge() async throws {
        try await ContractChain.run(.liveClient) { c in
            let queries = try #require(c.queries)
            let supplier2 = Keys.supplier2.publicKey.address()
            let grid = ContractGenesis.grid
            await c.produceBlocks(through: grid.earliestClaimCommit(grid.sessionEnd(1)) - 1)
            #expect(try await queries.account(address: supplier2).sequence == 0)
            let work = try await SessionWork.make(on: c.port, height: 1, supplier: Keys.supplier2)
            let tx = try await TxBuilder(key: Keys.supplier2, unordered: false, sequence: 0, memo: "ordered").build([work.claimMessage()], on: c.port)
            #expect(try await queries.broadcast(txBytes: tx).accepted)
            await c.produceBlock()
            #expect(try await c.chain.account(address: supplier2).sequence == 1)
            #expect(try await queries.account(address: supplier2).sequence == 0, "still the cached answer")
            c.clock.advance(by: ChainQueryCachePolicy.default.live.maxAge!)
            #expect(try await queries.account(address: supplier2).sequence == 1)
            await queries.clearCaches()
            #expect((try await Self.statistics(queries, "account")).entries == 0)
        }
    }

    @Test func concurrentIdenticalQueriesReachTheNodeOnce() async throws {
        try await ContractChain.run(.liveClient) { c in
            let queries = try #require(c.queries)
            await c.produceBlocks(through: 2)
            let app = Keys.app.publicKey.address()
            let sessions = try await withThrowingTaskGroup(of: Pocket_Session_Session.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await queries.session(application: app, serviceID: ContractGenesis.service, height: 2) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(sessions.map(\.sessionID)).count == 1 && sessions.count == 16)
            let stats = try await Self.statistics(queries, "session")
            #expect(stats.fetches == 1 && stats.hits + stats.coalesced == 15, "\(stats)")
        }
    }

    /// Claims and balances are read fresh every time: the miner reads them
    /// to see what its own transactions did.
    @Test func claimsAndBalancesAreNeverCached() async throws {
        try await ContractChain.run(.liveClient) { c in
            let queries = try #require(c.queries)
            let supplier = Keys.supplier.publicKey.address()
            let grid = ContractGenesis.grid
            await c.produceBlocks(through: grid.earliestClaimCommit(grid.sessionEnd(1)) - 1)
            #expect(try await queries.claims(supplierOperatorAddress: supplier).isEmpty)
            let before = try await queries.balance(address: supplier)
            let work = try await SessionWork.make(on: c.port, height: 1)
            let builder = TxBuilder()
            #expect(try await queries.broadcast(txBytes: try await builder.build([work.claimMessage()], on: c.port)).accepted)
            await c.produceBlock()
            #expect(try await queries.claims(supplierOperatorAddress: supplier).count == 1)
            #expect(try await queries.balance(address: supplier) == before - builder.fee)
        }
    }
}
