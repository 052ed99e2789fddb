import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis
import Testing

/// Ownership, fencing and recovery: the weaknesses of the Go miner (pending
/// entries never reclaimed, 40–120 s failover without fencing, relays lost on
/// a mid-session kill) as scenarios on the simulator's Redis and chain.
@Suite struct MinerFailoverTests {
    @Test func aStaleOwnersFencedWriteIsRefusedAndThatOwnerStops() throws {
        let world = MinerWorld()
        // miner-a renews rarely: after its lease is gone it still believes it owns the supplier.
        var stale = world.config("miner-a")
        stale.leaseTTL = .seconds(300)
        stale.instanceTTL = .seconds(300)
        stale.renewPeriod = .seconds(200)
        let staleConfig = stale
        let supplier = world.address(0)
        let (session, ledger, ownedByA) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let a = world.miner("miner-a", config: staleConfig)
                let b = world.miner("miner-b")
                group.addTask { await world.chain.run(untilHeight: 15) }
                group.addTask { await a.run() }
                try await world.waitUntil(seconds: 1)
                group.addTask { await b.run() }
                try await world.waitFor(height: 2)
                let session = try await world.relays(supplier: 0, height: 2, count: 6)
                let relayer = world.client("relayer")
                try await world.publish(session, Array(session.relays.prefix(3)), via: relayer)
                // miner-a's lease vanishes (a pause longer than its TTL); miner-b takes over with the next epoch.
                try await world.waitUntil(seconds: 100.5)
                try await relayer.del([world.keys.lease(supplier: supplier)])
                try await world.waitUntil(seconds: 105)
                try await world.publish(session, Array(session.relays.suffix(3)), via: relayer)
                try await world.waitFor(height: 15)
                let ownedByA = await a.ownedSuppliers
                await a.stop()
                await b.stop()
                try await group.waitForAll()
                return (session, await world.chain.ledger, ownedByA)
            }
        }
        let acquiredByB = world.log.named(MinerEvent.leaseAcquired, node: "miner-b")
        #expect(acquiredByB.map { $0["epoch"] } == ["2"])
        #expect(acquiredByB.first.map { $0.seconds } == 101)

        // miner-a's first durable write under epoch 1 (the seal at block 12) is refused, and it stops at once.
        let lost = world.log.named(MinerEvent.leaseLost, node: "miner-a")
        #expect(lost.count == 1)
        #expect(lost.first?["reason"] == "fenced")
        #expect(lost.first?["epoch"] == "1")
        #expect(lost.first.map { $0.seconds } == 110)
        #expect(world.log.named(MinerEvent.workerStopped, node: "miner-a").first?["reason"] == "fenced")
        #expect(ownedByA == [])
        #expect(world.log.named(MinerEvent.sessionSealed, node: "miner-a").isEmpty)
        #expect(world.log.named(MinerEvent.claimBroadcast, node: "miner-a").isEmpty)

        // miner-b claims everything, including relays miner-a's consumer took.
        #expect(world.log.named(MinerEvent.sessionSealed, node: "miner-b").first?["epoch"] == "2")
        #expect(ledger.transactions.count == 1)
        #expect(ledger.claimsAccepted.count == 1)
        #expect(ledger.claimsAccepted.first?.rootHash == session.tree().root)
        #expect(ledger.claimsAccepted.first?.relayCount == 6)
    }

    struct FailoverOutcome: @unchecked Sendable {
        let sessions: [SessionRelays]
        let ledger: ChainLedger
        let ownedByB: [String]
    }

    /// Four suppliers split between miner-a and miner-b; miner-a is killed at `killAt`.
    static func failover(_ world: MinerWorld, killAt: Double) throws -> FailoverOutcome {
        try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let a = world.miner("miner-a")
                let b = world.miner("miner-b")
                let killA = KillSwitch()
                group.addTask { await world.chain.run(untilHeight: 14) }
                group.addTask { await a.run(until: killA) }
                group.addTask { await b.run() }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                var sessions: [SessionRelays] = []
                for i in 0..<4 {
                    let s = try await world.relays(supplier: i, height: 2, count: 3, tag: "s\(i)")
                    try await world.publish(s, via: relayer)
                    sessions.append(s)
                }
                try await world.waitUntil(seconds: killAt)
                killA.kill()
                try await world.waitFor(height: 14)
                let ownedByB = await b.ownedSuppliers
                await b.stop()
                try await group.waitForAll()
                return FailoverOutcome(sessions: sessions, ledger: await world.chain.ledger, ownedByB: ownedByB)
            }
        }
    }

    @Test func aKilledOwnersSuppliersAreReOwnedByAnotherMinerWithinTwoBlocks() throws {
        let world = MinerWorld(suppliers: 4)
        let killAt = 40.001
        let out = try Self.failover(world, killAt: killAt)
        let (sessions, ledger, ownedByB) = (out.sessions, out.ledger, out.ownedByB)
        // Before the kill the four suppliers are split two and two.
        let before = world.log.named(MinerEvent.leaseAcquired) { $0.seconds < killAt }
        #expect(before.filter { $0.node == "miner-a" }.count == 2)
        #expect(before.filter { $0.node == "miner-b" }.count == 2)
        let ofA = Set(before.filter { $0.node == "miner-a" }.compactMap { $0["supplier"] })

        // After it, miner-b owns miner-a's suppliers well within two blocks (20 s).
        let after = world.log.named(MinerEvent.leaseAcquired, node: "miner-b") { $0.seconds > killAt }
        #expect(Set(after.compactMap { $0["supplier"] }) == ofA)
        for event in after { #expect(event.seconds - killAt <= 20, "re-owned \(event.seconds - killAt) s after the kill") }
        #expect(after.allSatisfy { $0["epoch"] == "2" })
        #expect(ownedByB == world.suppliers.map { $0.publicKey.address() }.sorted())

        // Every supplier's session is claimed once, with all its relays.
        #expect(ledger.claimsAccepted.count == 4)
        for s in sessions {
            let claim = ledger.claimsAccepted.first { $0.supplier == s.supplier }
            #expect(claim?.rootHash == s.tree().root)
        }
    }

    @Test func pendingEntriesOfACrashedConsumerAreReclaimedAndInTheClaim() throws {
        let world = MinerWorld()
        let supplier = world.address(0)
        let stream = world.keys.relayStream(supplier: supplier)
        let (session, ledger, pendingBefore, pendingAfter) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await world.chain.run(untilHeight: 14) }
                try await world.waitFor(height: 2)
                let session = try await world.relays(supplier: 0, height: 2, count: 6)
                let relayer = world.client("relayer")
                try await world.publish(session, via: relayer)
                // A consumer of an earlier miner process read four entries and died before acknowledging them.
                let dead = world.client("dead-miner")
                try await dead.xgroupCreate(stream, group: world.keys.minerGroup, start: .id(.zero))
                let read = try await dead.xreadgroup(group: world.keys.minerGroup, consumer: "consumer-dead",
                                                     streams: [StreamCursor(key: stream, position: .undelivered)], count: 4)
                #expect(read.first?.entries.count == 4)
                let pendingBefore = try await dead.xpendingSummary(stream, group: world.keys.minerGroup)
                try await world.waitUntil(seconds: 30)
                let miner = world.miner("miner-a")
                group.addTask { await miner.run() }
                try await world.waitFor(height: 14)
                await miner.stop()
                try await group.waitForAll()
                return (session, await world.chain.ledger, pendingBefore, try await relayer.xpendingSummary(stream, group: world.keys.minerGroup))
            }
        }
        #expect(pendingBefore.count == 4)
        #expect(pendingBefore.consumers == [ConsumerPending(consumer: "consumer-dead", count: 4)])
        let reclaimed = world.log.named(MinerEvent.entriesReclaimed)
        #expect(reclaimed.map { $0["entries"] } == ["4"])
        #expect(pendingAfter.count == 0)
        #expect(ledger.claimsAccepted.count == 1)
        #expect(ledger.claimsAccepted.first?.relayCount == 6)
        #expect(ledger.claimsAccepted.first?.rootHash == session.tree().root)
    }

    /// miner-a owns the supplier with 1 ms of latency per Redis command (so a
    /// kill lands between any two of its steps: seal, root record, claim
    /// intent, broadcast); relays are published every 2.4 s up to block 10;
    /// miner-a is killed at `killAt` and miner-b takes over. Every relay the
    /// relayer had acknowledged is in the one claim that lands.
    @Test(arguments: [25.0, 47.3, 64.0005, 99.9, 105.0, 110.0, 110.0015, 110.0025, 110.0035, 110.0045, 110.0055, 110.0065, 110.0075, 112.6])
    func aCrashAtAnyPointLosesNoRelay(killAt: Double) throws {
        try aCrashAtAnyPointLosesNoRelayForDebug(killAt: killAt, world: MinerWorld(seed: UInt64(killAt * 10_000)))
    }

    func aCrashAtAnyPointLosesNoRelayForDebug(killAt: Double, world: MinerWorld) throws {
        let (session, acknowledged, ledger, pending) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let redisA = world.client("miner-a")
                redisA.setExtraLatency(.milliseconds(1))
                let config = world.config("miner-a")
                let link = world.chain.link(for: "miner-a")
                let telemetry = world.log.telemetry(node: "miner-a")
                let ports = RuntimePorts(redis: redisA, keys: StaticKeys(world.suppliers), clock: world.kernel.clock, entropy: world.kernel.entropy, telemetry: telemetry)
                let a = Miner(config: config, ports: ports, chain: link, blockTracker: BlockTracker(chain: link, clock: world.kernel.clock, telemetry: telemetry, component: "miner"))
                let b = world.miner("miner-b")
                let killA = KillSwitch()
                group.addTask { await world.chain.run(untilHeight: 14) }
                group.addTask { await a.run(until: killA) }
                try await world.waitUntil(seconds: 1)
                group.addTask { await b.run() }
                group.addTask {
                    try? await world.waitUntil(seconds: killAt)
                    killA.kill()
                }
                try await world.waitFor(height: 1)
                let session = try await world.relays(supplier: 0, height: 1, count: 40)
                let relayer = world.client("relayer")
                var acknowledged: [DehydratedRelay] = []
                for (k, relay) in session.relays.enumerated() {
                    try await world.waitUntil(seconds: 3 + 2.4 * Double(k))
                    if try await world.publish(session, [relay], via: relayer) != [nil] { acknowledged.append(relay) }
                }
                try await world.waitFor(height: 14)
                await b.stop()
                try await group.waitForAll()
                let pending = try await relayer.xpendingSummary(world.keys.relayStream(supplier: session.supplier), group: world.keys.minerGroup)
                return (session, acknowledged, await world.chain.ledger, pending.count)
            }
        }
        #expect(acknowledged.count == 40)
        #expect(ledger.claimsAccepted.count == 1)
        let claim = try #require(ledger.claimsAccepted.first)
        #expect(claim.rootHash == session.tree(acknowledged).root, "lost relays: claimed \(claim.relayCount) of \(acknowledged.count)")
        #expect(claim.relayCount == 40)
        // Never a second, different claim: one signed claim tx in all.
        let claimTxs = Set(ledger.transactions.filter { $0.messageKinds.contains(.claim) }.map(\.hash))
            .union(ledger.broadcastRejections.map(\.txHash))
        #expect(claimTxs.count == 1)
        #expect(pending == 0)
        #expect(world.log.named(MinerEvent.sessionFailed).isEmpty)
    }

    @Test func aJoiningMinerTakesItsFairShareAndNoRelayIsLostInTheHandoff() throws {
        let world = MinerWorld(suppliers: 4)
        let (sessions, ledger, ownedA, ownedB) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let a = world.miner("miner-a")
                let b = world.miner("miner-b")
                group.addTask { await world.chain.run(untilHeight: 14) }
                group.addTask { await a.run() }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                var sessions: [SessionRelays] = []
                for i in 0..<4 {
                    let s = try await world.relays(supplier: i, height: 2, count: 6, tag: "s\(i)")
                    try await world.publish(s, Array(s.relays.prefix(3)), via: relayer)
                    sessions.append(s)
                }
                try await world.waitUntil(seconds: 30)
                group.addTask { await b.run() }
                try await world.waitUntil(seconds: 60)
                for s in sessions { try await world.publish(s, Array(s.relays.suffix(3)), via: relayer) }
                try await world.waitFor(height: 14)
                let ownedA = await a.ownedSuppliers, ownedB = await b.ownedSuppliers
                await a.stop()
                await b.stop()
                try await group.waitForAll()
                return (sessions, await world.chain.ledger, ownedA, ownedB)
            }
        }
        #expect(ownedA.count == 2 && ownedB.count == 2)
        #expect(Set(ownedA).isDisjoint(with: ownedB))
        let released = world.log.named(MinerEvent.leaseReleased, node: "miner-a") { $0["reason"] == "rebalance" }
        #expect(Set(released.compactMap { $0["supplier"] }) == Set(ownedB))
        let taken = world.log.named(MinerEvent.leaseAcquired, node: "miner-b")
        #expect(Set(taken.compactMap { $0["supplier"] }) == Set(ownedB))
        for t in taken { #expect(t.seconds - 30 <= 10, "joined at 30 s, took \(t["supplier"] ?? "") at \(t.seconds) s") }
        #expect(ledger.claimsAccepted.count == 4)
        for s in sessions {
            #expect(ledger.claimsAccepted.first { $0.supplier == s.supplier }?.rootHash == s.tree().root)
        }
        #expect(world.log.named(MinerEvent.leaseLost).isEmpty)
    }

    @Test func aGracefulStopHandsTheLeaseOverWithinOneRenewal() throws {
        let world = MinerWorld()
        let stopAt = 50.001
        let (session, ledger) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let a = world.miner("miner-a")
                let b = world.miner("miner-b")
                group.addTask { await world.chain.run(untilHeight: 14) }
                group.addTask { await a.run() }
                try await world.waitUntil(seconds: 1)
                group.addTask { await b.run() }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                let session = try await world.relays(supplier: 0, height: 2, count: 5)
                try await world.publish(session, Array(session.relays.prefix(2)), via: relayer)
                try await world.waitUntil(seconds: stopAt)
                await a.stop()
                try await world.publish(session, Array(session.relays.suffix(3)), via: relayer)
                try await world.waitFor(height: 14)
                await b.stop()
                try await group.waitForAll()
                return (session, await world.chain.ledger)
            }
        }
        let released = world.log.named(MinerEvent.leaseReleased, node: "miner-a")
        #expect(released.map { $0["reason"] } == ["shutdown"])
        let taken = try #require(world.log.named(MinerEvent.leaseAcquired, node: "miner-b").first)
        #expect(taken["epoch"] == "2")
        #expect(taken.seconds - stopAt <= 2.5)
        #expect(ledger.claimsAccepted.count == 1)
        #expect(ledger.claimsAccepted.first?.rootHash == session.tree().root)
    }

    /// The simulator's contract, for the miner: same seed, same trace, byte for byte.
    @Test func aFailoverRunIsReplayedExactlyFromItsSeed() throws {
        var hashes: [String] = []
        var logs: [[String]] = []
        for _ in 0..<2 {
            let world = MinerWorld(seed: 7, suppliers: 4)
            _ = try Self.failover(world, killAt: 40.001)
            hashes.append(world.kernel.trace.hashHex)
            logs.append(world.log.all.map(\.description))
        }
        #expect(logs[0].count > 30)
        #expect(logs[0] == logs[1])
        #expect(hashes[0] == hashes[1])
    }

    @Test func anOwnerCutOffFromRedisStopsAfterItsLeaseTTLAndAPeerTakesOver() throws {
        let world = MinerWorld()
        let cutAt = 50.001
        let (session, ledger, ownedByA) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let redisA = world.client("miner-a")
                let a = world.miner("miner-a", redis: redisA)
                let b = world.miner("miner-b")
                group.addTask { await world.chain.run(untilHeight: 14) }
                group.addTask { await a.run() }
                try await world.waitUntil(seconds: 1)
                group.addTask { await b.run() }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                let session = try await world.relays(supplier: 0, height: 2, count: 6)
                try await world.publish(session, Array(session.relays.prefix(3)), via: relayer)
                try await world.waitUntil(seconds: cutAt)
                redisA.setPartitioned(true)
                try await world.waitUntil(seconds: 70)
                try await world.publish(session, Array(session.relays.suffix(3)), via: relayer)
                try await world.waitUntil(seconds: 90)
                redisA.setPartitioned(false)
                try await world.waitFor(height: 14)
                let ownedByA = await a.ownedSuppliers
                await a.stop()
                await b.stop()
                try await group.waitForAll()
                return (session, await world.chain.ledger, ownedByA)
            }
        }
        let lost = try #require(world.log.named(MinerEvent.leaseLost, node: "miner-a").first)
        #expect(lost["reason"] == "renew_failed")
        // Last renewal at 50 s, lease TTL 8 s: it stops at its first tick past 58 s.
        #expect(lost.seconds > 58 && lost.seconds <= 60.5)
        let taken = try #require(world.log.named(MinerEvent.leaseAcquired, node: "miner-b").first)
        #expect(taken["epoch"] == "2")
        #expect(taken.seconds - cutAt <= 20)
        #expect(ownedByA == [])
        #expect(ledger.transactions.count == 1)
        #expect(ledger.claimsAccepted.first?.rootHash == session.tree().root)
        #expect(world.log.named(MinerEvent.claimBroadcast, node: "miner-a").isEmpty)
    }

    /// miner-a (1 ms per Redis command) is killed inside its cleanup of a
    /// settled session (block 21); miner-b finishes it: nothing of the session is left.
    @Test(arguments: [200.0005, 200.0015, 200.0025, 200.0035, 200.0045])
    func aCleanupInterruptedByACrashIsFinishedByTheNextOwner(killAt: Double) throws {
        try aCleanupInterruptedByACrashIsFinishedByTheNextOwnerDebug(killAt: killAt, world: MinerWorld(probability: 0))
    }

    func aCleanupInterruptedByACrashIsFinishedByTheNextOwnerDebug(killAt: Double, world: MinerWorld) throws {
        let (session, ledger, keysLeft, length) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let redisA = world.client("miner-a")
                redisA.setExtraLatency(.milliseconds(1))
                let a = world.miner("miner-a", redis: redisA)
                let b = world.miner("miner-b")
                let killA = KillSwitch()
                group.addTask { await world.chain.run(untilHeight: 23) }
                group.addTask { await a.run(until: killA) }
                try await world.waitUntil(seconds: 1)
                group.addTask { await b.run() }
                group.addTask {
                    try? await world.waitUntil(seconds: killAt)
                    killA.kill()
                }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                let session = try await world.relays(supplier: 0, height: 2, count: 4)
                try await world.publish(session, via: relayer)
                try await world.waitFor(height: 23)
                await b.stop()
                try await group.waitForAll()
                return (session, await world.chain.ledger, world.keys(containing: session.sessionID),
                        try await relayer.xlen(world.keys.relayStream(supplier: session.supplier)))
            }
        }
        #expect(ledger.settlement(supplier: world.address(0), sessionID: session.sessionID)?.outcome == .settled(.notRequired))
        #expect(keysLeft == [])
        #expect(world.keys(containing: "miner:sessions") == [])
        #expect(length == 0)
        let cleaned = world.log.named(MinerEvent.sessionCleaned)
        // Cleaned once, by miner-a if it got to the end, else finished by miner-b.
        #expect(cleaned.count == 1)
        #expect(world.log.named(MinerEvent.sessionFailed).isEmpty)
    }
}

