import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import Testing

@Suite struct LinkTests {
    static let unavailable = ChainError.unavailable("node miner-1 is partitioned from the chain")

    /// Calls every ChainPort method once and returns the error each one threw (nil = answered).
    static func probe(_ port: some ChainPort) async -> [ChainError?] {
        let supplier = Keys.supplier.publicKey.address()
        let app = Keys.app.publicKey.address()
        func attempt<T>(_ call: () async throws -> T) async -> ChainError? {
            do { _ = try await call(); return nil } catch { return error as? ChainError ?? .invalidResponse("\(error)") }
        }
        return [
            await attempt { try await port.latestBlock() },
            await attempt { try await port.block(at: 1) },
            await attempt { try await port.subscribeBlocks() },
            await attempt { try await port.sharedParams(atHeight: 1) },
            await attempt { try await port.numSuppliersPerSession() },
            await attempt { try await port.proofParams() },
            await attempt { try await port.session(application: app, serviceID: Fixture.service, height: 1) },
            await attempt { try await port.application(address: app) },
            await attempt { try await port.account(address: supplier) },
            await attempt { try await port.balance(address: supplier) },
            await attempt { try await port.supplier(operatorAddress: supplier) },
            await attempt { try await port.service(id: Fixture.service) },
            await attempt { try await port.computeUnitsPerRelay(serviceID: Fixture.service, atHeight: 1) },
            await attempt { try await port.relayDifficultyTarget(serviceID: Fixture.service, atHeight: 1) },
            await attempt { try await port.claims(supplierOperatorAddress: supplier) },
            await attempt { try await port.broadcast(txBytes: [0x00]) },
        ]
    }

    @Test func aPartitionedLinkIsUnavailableUntilHealed() throws {
        let (cut, healed, other) = try Fixture.run { chain, _ in
            await chain.run(untilHeight: 2)
            let link = chain.link(for: "miner-1")
            await chain.partition(node: "miner-1")
            let cut = await Self.probe(link)
            let other = await Self.probe(chain.link(for: "miner-2"))
            await chain.heal(node: "miner-1")
            return (cut, await Self.probe(link), other)
        }
        #expect(cut == Array(repeating: Self.unavailable, count: 16))
        #expect(healed.allSatisfy { $0 == nil })
        #expect(other.allSatisfy { $0 == nil })
        let simulateError = try Fixture.run { chain, _ -> ChainError? in
            await chain.partition(node: "miner-1")
            do throws(ChainError) { _ = try await chain.link(for: "miner-1").simulate(txBytes: []); return nil } catch { return error }
        }
        #expect(simulateError == Self.unavailable)
    }

    @Test func aPartitionEndsTheNodesBlockSubscriptions() throws {
        let (seen, afterHeal) = try Fixture.run { chain, _ in
            await chain.run(untilHeight: 1)
            let link = chain.link(for: "miner-1")
            let stream = try await link.subscribeBlocks()
            let seen = await withTaskGroup(of: [Int64].self) { group in
                group.addTask {
                    var heights: [Int64] = []
                    for await block in stream { heights.append(block.height) }
                    return heights
                }
                group.addTask {
                    await chain.run(untilHeight: 3)
                    await chain.partition(node: "miner-1")
                    await chain.run(untilHeight: 5)
                    return []
                }
                var all: [Int64] = []
                for await part in group { all += part }
                return all
            }
            await chain.heal(node: "miner-1")
            return (seen, try await link.latestBlock().height)
        }
        #expect(seen == [2, 3])
        #expect(afterHeal == 5)
    }

    @Test func aSlowLinkTakesItsLatencyOnTheVirtualClock() throws {
        let (direct, slow, block, delivered) = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 1)
            await chain.setLatency(node: "relayer-1", .milliseconds(1500))
            let start = kernel.clock.now
            _ = try await chain.latestBlock()
            let direct = start.duration(to: kernel.clock.now)
            let block = try await chain.link(for: "relayer-1").latestBlock()
            let slow = start.duration(to: kernel.clock.now)
            // Blocks reach the slow node 1.5 s after they are committed.
            let stream = try await chain.link(for: "relayer-1").subscribeBlocks()
            let delivered = await withTaskGroup(of: RuntimeInstant?.self) { group in
                group.addTask {
                    for await _ in stream { return kernel.clock.now }
                    return nil
                }
                group.addTask { await chain.run(untilHeight: 2); return nil }
                var times: [RuntimeInstant] = []
                for await t in group { if let t { times.append(t) } }
                return times
            }
            return (direct, slow, block.height, delivered)
        }
        #expect(direct == .zero)
        #expect(slow == .milliseconds(1500))
        #expect(block == 1)
        #expect(delivered == [Fixture.at(10).advanced(by: .milliseconds(1500))])
    }

    @Test func aPartitionDuringACallFailsIt() throws {
        let error = try Fixture.run { chain, kernel in
            await chain.run(untilHeight: 1)
            await chain.setLatency(node: "miner-1", .seconds(2))
            return await withTaskGroup(of: ChainError?.self) { group in
                group.addTask {
                    do throws(ChainError) { _ = try await chain.link(for: "miner-1").latestBlock(); return nil } catch { return error }
                }
                group.addTask {
                    try? await kernel.clock.sleep(for: .seconds(1))
                    await chain.partition(node: "miner-1")
                    return nil
                }
                var found: ChainError?
                for await e in group where e != nil { found = e }
                return found
            }
        }
        #expect(error == Self.unavailable)
    }
}
