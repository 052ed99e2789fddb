import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// Turns what a run observed (gateway outcomes, the chain's ledger, the Redis
/// model's final state, the retained trace events) into the report's
/// metrics, the always-on invariants and the scenario's assertions.
struct RunAnalysis {
    static let retainedComponents = ["/miner", "/chain", "chain", "/fault", "fault"]

    let world: SimWorld

    private var spec: ScenarioSpec { world.spec }
    private var ledger: ChainLedger { world.finalLedger }
    private var grid: SessionGrid { SessionGrid(spec.sharedParams) }

    func report(wallSeconds: Double, failure: String?) -> RunReport {
        var metrics: [String: Double] = [:]
        var notes: [String] = []
        let outcomes = world.outcomes
        metrics["relays_sent"] = Double(outcomes.sent)
        metrics["relays_duplicates_sent"] = Double(outcomes.duplicatesSent)
        metrics["relays_served"] = Double(outcomes.served)
        metrics["relays_minable"] = Double(outcomes.acknowledgedMinable)
        for (reason, n) in outcomes.rejections {
            metrics["rejected_\(reason)"] = Double(n)
            notes.append("rejected \(reason): \(n)")
        }
        for (label, n) in outcomes.miningOutcomes { metrics["served_\(label)"] = Double(n) }
        for (label, n) in outcomes.unansweredCounts { metrics["unanswered_\(label)"] = Double(n) }

        let claims = latestClaims()
        metrics["relays_claimed"] = Double(claims.values.reduce(0) { $0 + $1.relayCount })
        metrics["claims_accepted"] = Double(claims.count)

        var drift = 0
        var explained = 0
        var claimsMissed = 0
        var unique = 0
        let lossTimes = world.faults.redisDataLossTimes
        /// Relays of a session acknowledged before the last Redis data loss: the most its loss can explain.
        func explainable(_ hashes: Set<[UInt8]>, missing: Int) -> Int {
            guard let last = lossTimes.max() else { return 0 }
            let before = hashes.filter { (outcomes.acknowledgedTime($0) ?? .max) < last }.count
            return min(before, missing)
        }
        for (key, hashes) in outcomes.acknowledgedSessions {
            unique += hashes.count
            guard let claim = claims[ClaimKey(supplier: key.supplier, sessionID: key.sessionID)] else {
                drift += hashes.count
                explained += explainable(hashes, missing: hashes.count)
                if let end = outcomes.sessionEnd(key.sessionID), grid.claimWindowClose(end) <= world.finalHeight { claimsMissed += 1 }
                notes.append("no accepted claim for \(world.context.identities.name(of: key.supplier)) session \(key.sessionID.prefix(12)): \(hashes.count) acknowledged relays unpaid")
                continue
            }
            if claim.relayCount < UInt64(hashes.count) {
                drift += hashes.count - Int(claim.relayCount)
                explained += explainable(hashes, missing: hashes.count - Int(claim.relayCount))
                notes.append("claim of \(world.context.identities.name(of: key.supplier)) session \(key.sessionID.prefix(12)) has \(claim.relayCount) leaves for \(hashes.count) acknowledged relays")
            }
        }
        metrics["relays_minable_unique"] = Double(unique)
        metrics["drift"] = Double(drift)
        metrics["relays_lost_redis_data_loss"] = Double(explained)
        metrics["faults_applied"] = Double(world.faults.faultsApplied)
        metrics["redis_keys_lost"] = Double(world.faults.redisKeysLost)
        metrics["redis_pubsub_lost"] = Double(world.context.redis.faultCounters.pubSubMessagesLost)
        let failover = FailoverAnalysis(events: world.kernel.trace.retained, blockTime: spec.blockTime)
        metrics["failovers"] = Double(failover.takeovers.count)
        metrics["failover_seconds_max"] = failover.maxSeconds
        metrics["failover_blocks_max"] = failover.maxBlocks
        metrics["suppliers_orphaned_at_end"] = Double(failover.orphanedAtEnd)
        if !lossTimes.isEmpty {
            notes.append("Redis lost its data \(lossTimes.count)× (restart without persistence): \(world.faults.redisKeysLost) keys, \(explained) acknowledged relays unpaid because of it")
        }
        metrics["claims_missed"] = Double(claimsMissed)

        // A proof was required if the chain accepted one (it refuses unrequired
        // proofs) or if settlement found it required. Settlement alone is not
        // enough: a VALIDATED status changes the claim hash, and so the sample
        // the chain draws at settlement (spec §7.2).
        var required = Set(ledger.proofsAccepted.map { ClaimKey(supplier: $0.supplier, sessionID: $0.sessionID) })
        for s in ledger.settlements where requirement(of: s.outcome).isRequired || !s.outcome.isSettled {
            required.insert(ClaimKey(supplier: s.supplier, sessionID: s.sessionID))
        }
        metrics["proofs_required"] = Double(required.count)
        let validated = Set(ledger.proofValidations.filter { $0.status == .validated }.map { ClaimKey(supplier: $0.supplier, sessionID: $0.sessionID) })
        metrics["proofs_accepted"] = Double(validated.count)
        metrics["proofs_missed"] = Double(ledger.settlements.filter { !$0.outcome.isSettled }.count)
        metrics["settlements"] = Double(ledger.settlements.count)
        metrics["sessions_settled"] = Double(ledger.settlements.filter { $0.outcome.isSettled }.count)
        metrics["simulated_seconds"] = simulatedSeconds
        metrics["sim_jobs"] = Double(world.kernel.jobsRun)
        // Counts from the miners' events; `field` names the event's own count when it carries one.
        for (metric, event, field) in [("entries_reclaimed", MinerEvent.entriesReclaimed, "entries"), ("entries_discarded", MinerEvent.entryDiscarded, ""),
                                       ("resubmissions", MinerEvent.reconcileResubmit, ""), ("sessions_failed", MinerEvent.sessionFailed, ""),
                                       ("root_mismatches", MinerEvent.sessionRootMismatch, ""), ("leases_lost", MinerEvent.leaseLost, "")] {
            metrics[metric] = Double(world.kernel.trace.retained.filter { $0.event == event }.reduce(0) { $0 + (Int($1.field(field) ?? "1") ?? 1) })
        }

        let assertions = spec.assertions.map { a -> RunReport.AssertionResult in
            let result = a.evaluate(metrics)
            return RunReport.AssertionResult(assertion: a.description, actual: result?.actual, passed: result?.passed ?? false)
        }
        return RunReport(
            scenario: spec.name, seed: world.seed, traceHash: world.kernel.trace.hashHex, traceEvents: world.kernel.trace.eventCount,
            simulatedSeconds: simulatedSeconds, wallSeconds: wallSeconds, finalHeight: world.finalHeight,
            metrics: metrics, invariants: invariants(drift: drift, explained: explained, dataLoss: !lossTimes.isEmpty), assertions: assertions, notes: notes, failure: failure
        )
    }

    private var simulatedSeconds: Double {
        Double(world.kernel.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds) / 1e9
    }

    struct ClaimKey: Hashable {
        let supplier: String
        let sessionID: String
    }

    /// The last accepted claim per (supplier, session): the one the chain settles.
    private func latestClaims() -> [ClaimKey: AcceptedClaim] {
        var out: [ClaimKey: AcceptedClaim] = [:]
        for c in ledger.claimsAccepted { out[ClaimKey(supplier: c.supplier, sessionID: c.sessionID)] = c }
        return out
    }

    private func requirement(of outcome: SettlementOutcome) -> ProofRequirement {
        switch outcome {
        case .settled(let r): return r
        case .expired(_, let r): return r
        }
    }

    private func invariants(drift: Int, explained: Int, dataLoss: Bool) -> [RunReport.Invariant] {
        var out: [RunReport.Invariant] = []
        if dataLoss {
            // A scripted Redis data loss may cost relays; they must all be accounted for.
            let silent = drift - explained
            out.append(.init(name: "losses_reported", passed: silent == 0,
                             detail: silent == 0 ? "" : "\(silent) acknowledged minable relays are unpaid without a Redis data loss to explain them"))
        } else {
            out.append(.init(name: "zero_drift", passed: drift == 0, detail: drift == 0 ? "" : "\(drift) acknowledged minable relays are not in an accepted claim"))
        }

        let windowRejections = (ledger.claimsRejected + ledger.proofsRejected).filter {
            switch $0.reason {
            case .claimTooEarly, .claimTooLate, .proofTooEarly, .proofTooLate: return true
            default: return false
            }
        }
        out.append(.init(
            name: "submissions_inside_windows", passed: windowRejections.isEmpty,
            detail: windowRejections.map { "\($0.kind) of \($0.supplier.suffix(8)) session \($0.sessionID.prefix(8)) at \($0.height): \($0.reason)" }.joined(separator: "; ")
        ))

        var claimCounts: [ClaimKey: Int] = [:]
        for c in ledger.claimsAccepted { claimCounts[ClaimKey(supplier: c.supplier, sessionID: c.sessionID), default: 0] += 1 }
        var proofCounts: [ClaimKey: Int] = [:]
        for p in ledger.proofsAccepted { proofCounts[ClaimKey(supplier: p.supplier, sessionID: p.sessionID), default: 0] += 1 }
        let doubles = (claimCounts.filter { $0.value > 1 }.map { "claim \($0.key.sessionID.prefix(8)) ×\($0.value)" }
            + proofCounts.filter { $0.value > 1 }.map { "proof \($0.key.sessionID.prefix(8)) ×\($0.value)" }).sorted()
        out.append(.init(name: "no_double_submission", passed: doubles.isEmpty, detail: doubles.joined(separator: "; ")))

        var owners: [String: Set<String>] = [:]
        for e in world.kernel.trace.retained where e.event == MinerEvent.leaseAcquired {
            guard let supplier = e.field("supplier"), let epoch = e.field("epoch"), let instance = e.field("instance") else { continue }
            owners["\(supplier)#\(epoch)", default: []].insert(instance)
        }
        let shared = owners.filter { $0.value.count > 1 }.keys.sorted()
        out.append(.init(name: "one_lease_owner_per_epoch", passed: shared.isEmpty, detail: shared.joined(separator: ", ")))

        var pending: [String] = []
        for key in world.context.redis.keys(ofType: .stream).sorted() {
            guard let snapshot = world.context.redis.streamSnapshot(key) else { continue }
            for group in snapshot.groups where !group.pending.isEmpty {
                pending.append("\(key) \(group.name): \(group.pending.count) pending")
            }
        }
        out.append(.init(name: "pending_entries_consumed", passed: pending.isEmpty, detail: pending.joined(separator: "; ")))
        return out
    }
}
