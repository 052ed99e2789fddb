import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis
import Testing

/// One miner against the simulator's Redis model and fake chain: session
/// [1, 10], claim window [12, 16], proof window [16, 20], settlement in block
/// 20; a tx broadcast after block h lands in block h + 1.
@Suite struct MinerLifecycleTests {
    struct Outcome: @unchecked Sendable {
        let session: SessionRelays
        let ledger: ChainLedger
        let late: [StreamID?]
        let keysAfter: [String]
        let streamLength: Int64
        let pending: Int64
    }

    /// Publishes `count` relays at block 2, runs to `height`, stops the miner gracefully.
    static func run(_ world: MinerWorld, count: Int = 5, until height: Int64, faults: @escaping @Sendable (FakeChain) async -> Void = { _ in })
        throws -> Outcome {
        try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let miner = world.miner("miner-a")
                group.addTask { await world.chain.run(untilHeight: height) }
                group.addTask { await miner.run() }
                await faults(world.chain)
                try await world.waitFor(height: 2)
                let session = try await world.relays(supplier: 0, height: 2, count: count + 1)
                let relayer = world.client("relayer")
                try await world.publish(session, Array(session.relays.prefix(count)), via: relayer, arrival: 2)
                try await world.waitFor(height: 12)
                // Sealed at block 12: the relayer can no longer append to the session.
                let late = try await world.publish(session, [session.relays[count]], via: relayer, arrival: 12)
                try await world.waitFor(height: height)
                await miner.stop()
                try await group.waitForAll()
                let stream = world.keys.relayStream(supplier: session.supplier)
                let pending = try await relayer.xpendingSummary(stream, group: world.keys.minerGroup).count
                return Outcome(session: SessionRelays(header: session.header, supplier: session.supplier, relays: Array(session.relays.prefix(count))),
                               ledger: await world.chain.ledger, late: late, keysAfter: world.keys(containing: session.sessionID),
                               streamLength: try await relayer.xlen(stream), pending: pending)
            }
        }
    }

    @Test func sealsAtClaimWindowOpenAndTheClaimIsAcceptedWithTheRootOfEveryRelay() throws {
        let world = MinerWorld()
        let out = try Self.run(world, until: 14)
        let expected = out.session.tree()

        let sealed = world.log.named(MinerEvent.sessionSealed)
        #expect(sealed.count == 1)
        #expect(sealed.first?.int("height") == 12)
        #expect(sealed.first?["relays"] == "5")
        #expect(sealed.first?["sum"] == "15")
        #expect(sealed.first?["root"] == expected.root.hex)
        #expect(out.late == [nil])

        #expect(out.ledger.claimsRejected.isEmpty)
        #expect(out.ledger.claimsAccepted.count == 1)
        let claim = try #require(out.ledger.claimsAccepted.first)
        #expect(claim.supplier == world.address(0))
        #expect(claim.sessionHeader == out.session.header)
        #expect(claim.rootHash == expected.root)
        #expect(claim.relayCount == 5 && claim.computeUnits == 15)
        #expect(claim.height == 13)

        let broadcast = world.log.named(MinerEvent.claimBroadcast)
        #expect(broadcast.count == 1)
        #expect(broadcast.first?.int("height") == 12)
        #expect(broadcast.first?["tx"] == claim.txHash)
        #expect(broadcast.first?["code"] == "0")
        let confirmed = world.log.named(MinerEvent.claimConfirmed)
        #expect(confirmed.map { $0.int("height") } == [13])
        #expect(world.log.named(MinerEvent.reconcileResubmit).isEmpty)
    }

    @Test func aRequiredProofIsSubmittedAtProofWindowOpenAndValidated() throws {
        let world = MinerWorld(probability: 1)
        let out = try Self.run(world, until: 22)
        let expected = out.session.tree()

        let proofs = world.log.named(MinerEvent.proofBroadcast)
        #expect(proofs.count == 1)
        #expect(proofs.first?.int("height") == 16)
        #expect(proofs.first?["requirement"] == "PROBABILISTIC")
        #expect(world.log.named(MinerEvent.proofNotRequired).isEmpty)

        #expect(out.ledger.proofsRejected.isEmpty)
        #expect(out.ledger.proofsAccepted.count == 1)
        #expect(out.ledger.proofsAccepted.first?.height == 17)
        #expect(out.ledger.proofsAccepted.first?.requirement == .probabilistic)
        #expect(out.ledger.proofValidations.map(\.status) == [.validated])
        #expect(world.log.named(MinerEvent.proofConfirmed).map { $0.int("height") } == [17])

        let settlement = try #require(out.ledger.settlement(supplier: world.address(0), sessionID: out.session.sessionID))
        #expect(settlement.outcome == .settled(.probabilistic))
        #expect(settlement.relayCount == 5)
        #expect(out.ledger.claimsAccepted.first?.rootHash == expected.root)
        let settled = world.log.named(MinerEvent.sessionSettled)
        #expect(settled.map { $0["outcome"] } == ["proven"])
        #expect(settled.first?.int("height") == 21)
    }

    @Test func aProofThatIsNotRequiredIsNeverSubmitted() throws {
        let world = MinerWorld(probability: 0)
        let out = try Self.run(world, until: 22)

        let notRequired = world.log.named(MinerEvent.proofNotRequired)
        #expect(notRequired.count == 1)
        #expect(notRequired.first?.int("height") == 16)
        #expect(world.log.named(MinerEvent.proofBroadcast).isEmpty)
        #expect(out.ledger.proofsAccepted.isEmpty && out.ledger.proofsRejected.isEmpty)
        #expect(out.ledger.transactions.map(\.messageKinds) == [[.claim]])
        let settlement = try #require(out.ledger.settlement(supplier: world.address(0), sessionID: out.session.sessionID))
        #expect(settlement.outcome == .settled(.notRequired))
        #expect(world.log.named(MinerEvent.sessionSettled).map { $0["outcome"] } == ["proof_not_required"])
    }

    @Test func aDroppedClaimTxIsResubmittedOnceByTheReconcilerAndAccepted() throws {
        let world = MinerWorld()
        let out = try Self.run(world, until: 15) { chain in await chain.dropTransactions(count: 1, filter: .claims) }

        let broadcast = try #require(world.log.named(MinerEvent.claimBroadcast).first)
        #expect(broadcast.int("height") == 12)
        let resubmits = world.log.named(MinerEvent.reconcileResubmit)
        #expect(resubmits.count == 1)
        #expect(resubmits.first?.int("height") == 13)
        #expect(resubmits.first?["kind"] == "claim")
        #expect(resubmits.first?["resubmits"] == "1")
        // The same signed bytes: the same tx hash.
        #expect(resubmits.first?["tx"] == broadcast["tx"])

        #expect(out.ledger.claimsAccepted.count == 1)
        #expect(out.ledger.claimsAccepted.first?.height == 14)
        #expect(out.ledger.claimsAccepted.first?.txHash == broadcast["tx"])
        #expect(out.ledger.claimsAccepted.first?.rootHash == out.session.tree().root)
        #expect(world.log.named(MinerEvent.claimConfirmed).map { $0.int("height") } == [14])
    }

    @Test func aProofTxStuckInTheMempoolIsReplacedOnceWithTheSameMessagesAndTimeout() throws {
        let world = MinerWorld(probability: 1)
        let out = try Self.run(world, until: 22) { chain in await chain.neverIncludeTransactions(count: 1, filter: .proofs) }

        let sent = try #require(world.log.named(MinerEvent.proofBroadcast).first)
        #expect(sent.int("height") == 16)
        let resubmits = world.log.named(MinerEvent.reconcileResubmit)
        #expect(resubmits.count == 1)
        let r = try #require(resubmits.first)
        #expect(r.int("height") == 17 && r["kind"] == "proof")
        #expect(r["replaces"] == sent["tx"])
        #expect(r["refused_code"] == "19")
        #expect(r["tx"] != sent["tx"])
        #expect(out.ledger.proofsAccepted.count == 1)
        #expect(out.ledger.proofsAccepted.first?.height == 18)
        #expect(out.ledger.proofsAccepted.first?.txHash == r["tx"])
        #expect(out.ledger.proofValidations.map(\.status) == [.validated])
        #expect(out.ledger.settlement(supplier: world.address(0), sessionID: out.session.sessionID)?.outcome.isSettled == true)

        // Both proof txs were admitted (the replacement's body is the original's: MinerTransactionTests).
        let txs = out.ledger.transactions.filter { $0.messageKinds == [.proof] }
        #expect(txs.count == 2)
    }

    @Test func cleanupAfterSettlementLeavesNoKeyNorEntryOfTheSession() throws {
        let world = MinerWorld(probability: 1)
        let out = try Self.run(world, until: 22)

        let cleaned = world.log.named(MinerEvent.sessionCleaned)
        #expect(cleaned.count == 1)
        #expect(cleaned.first?.int("height") == 21)
        #expect(cleaned.first?["outcome"] == "proven")
        // Five entries published before the seal; the late one was refused.
        #expect(cleaned.first?["entries"] == "5")
        #expect(out.keysAfter == [])
        #expect(world.keys(containing: "miner:sessions") == [])
        #expect(out.streamLength == 0)
        #expect(out.pending == 0)
        #expect(world.log.named(MinerEvent.sessionFailed).isEmpty)
        #expect(world.log.named(MinerEvent.workerError).isEmpty)
    }

    @Test func claimsAndProofsAreBatchedPerSupplierPerSessionEndInOneTx() throws {
        let world = MinerWorld(applications: 2, probability: 1)
        let (sessions, ledger) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let miner = world.miner("miner-a")
                group.addTask { await world.chain.run(untilHeight: 18) }
                group.addTask { await miner.run() }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                let first = try await world.relays(supplier: 0, application: 0, height: 2, count: 3, tag: "a")
                let second = try await world.relays(supplier: 0, application: 1, height: 2, count: 4, tag: "b")
                try await world.publish(first, via: relayer)
                try await world.publish(second, via: relayer)
                try await world.waitFor(height: 18)
                await miner.stop()
                try await group.waitForAll()
                return ([first, second], await world.chain.ledger)
            }
        }
        #expect(sessions[0].sessionID != sessions[1].sessionID)
        // One tx with both claims, one tx with both proofs.
        #expect(ledger.transactions.map(\.messageKinds) == [[.claim, .claim], [.proof, .proof]])
        #expect(ledger.claimsAccepted.count == 2)
        #expect(Set(ledger.claimsAccepted.map(\.txHash)).count == 1)
        for s in sessions {
            #expect(ledger.claimsAccepted.first { $0.sessionID == s.sessionID }?.rootHash == s.tree().root)
        }
        #expect(ledger.proofValidations.map(\.status) == [.validated, .validated])
        let broadcasts = world.log.named(MinerEvent.claimBroadcast)
        #expect(broadcasts.map { $0["sessions"] } == ["2"])
        #expect(world.log.named(MinerEvent.proofBroadcast).map { $0["sessions"] } == ["2"])
    }

    @Test func entriesThatCanNeverBeClaimedAreDeletedAndReported() throws {
        let world = MinerWorld()
        let supplier = world.address(0)
        let stream = world.keys.relayStream(supplier: supplier)
        let (session, ledger, remaining) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let miner = world.miner("miner-a")
                group.addTask { await world.chain.run(untilHeight: 14) }
                group.addTask { await miner.run() }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                let session = try await world.relays(supplier: 0, height: 2, count: 4)
                try await world.publish(session, Array(session.relays.prefix(3)), via: relayer)
                // Garbage, a relay whose hash is wrong, and (after the seal) a plain XADD bypassing the seal check.
                try await relayer.xadd(stream, fields: [FieldValue(RedisKeys.relayField, Array("not a relay".utf8))])
                try await relayer.xadd(stream, fields: [FieldValue("other", [1, 2, 3])])
                var tampered = try CanonicalCodec.decode(Pocket_Relayminer_MinedRelayMessage.self, from: session.message(session.relays[3], arrival: 2))
                tampered.relayHash = Data(repeating: 7, count: 32)
                try await relayer.xadd(stream, fields: [FieldValue(RedisKeys.relayField, try CanonicalCodec.encode(tampered))])
                try await world.waitFor(height: 12)
                try await relayer.xadd(stream, fields: [FieldValue(RedisKeys.relayField, session.message(session.relays[3], arrival: 12))])
                try await world.waitFor(height: 14)
                await miner.stop()
                try await group.waitForAll()
                return (session, await world.chain.ledger, try await relayer.xlen(stream))
            }
        }
        let discarded = world.log.named(MinerEvent.entryDiscarded)
        #expect(discarded.map { $0["reason"] } == ["undecodable", "missing_data", "hash_mismatch", "late"])
        #expect(discarded.last?["session"] == session.sessionID)
        // Only the three claimed entries remain (kept until settlement).
        #expect(remaining == 3)
        #expect(ledger.claimsAccepted.first?.rootHash == session.tree(Array(session.relays.prefix(3))).root)
    }

    /// With a requirement probability of one half the decision depends on each
    /// claim's hash and the seed block: the miner's decision must be the
    /// chain's, session by session (a wrong "not required" would be slashed,
    /// a wrong "required" refused with ErrProofNotRequired).
    @Test func theProofRequirementDecisionMatchesTheChainsForEverySession() throws {
        let world = MinerWorld(seed: 3, applications: 8, probability: 0.5)
        let (sessions, ledger) = try world.kernel.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let miner = world.miner("miner-a")
                group.addTask { await world.chain.run(untilHeight: 22) }
                group.addTask { await miner.run() }
                try await world.waitFor(height: 2)
                let relayer = world.client("relayer")
                var sessions: [SessionRelays] = []
                for app in 0..<8 {
                    let s = try await world.relays(supplier: 0, application: app, height: 2, count: 2, tag: "app\(app)")
                    try await world.publish(s, via: relayer)
                    sessions.append(s)
                }
                try await world.waitFor(height: 22)
                await miner.stop()
                try await group.waitForAll()
                return (sessions, await world.chain.ledger)
            }
        }
        let notRequired = Set(world.log.named(MinerEvent.proofNotRequired).compactMap { $0["session"] })
        let proven = Set(ledger.proofsAccepted.map(\.sessionID))
        #expect(!notRequired.isEmpty && !proven.isEmpty, "a seed with both outcomes")
        #expect(notRequired.isDisjoint(with: proven))
        for s in sessions {
            let settlement = try #require(ledger.settlement(supplier: world.address(0), sessionID: s.sessionID))
            #expect(settlement.outcome.isSettled, "\(s.sessionID): \(settlement.outcome)")
            if notRequired.contains(s.sessionID) {
                #expect(settlement.outcome == .settled(.notRequired))
            } else {
                // The chain accepted the proof, so it agreed one was required. (Settlement
                // re-samples with the claim's status now VALIDATED, which changes the claim
                // hash: it may then say NOT_REQUIRED — paid either way, docs/protocol.md#proof-requirement.)
                #expect(proven.contains(s.sessionID))
            }
        }
        #expect(ledger.proofsRejected.isEmpty)
        #expect(world.log.named(MinerEvent.sessionSettled).count == 8)
    }
}

