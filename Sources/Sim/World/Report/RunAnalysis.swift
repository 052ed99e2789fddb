import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// Turns what a run observed (gateway outcomes, the chain's ledger, the Redis
/// model's final state, the retained trace events) into the report's metrics
/// and the scenario's assertions. The always-on invariants are not decided
/// here: the world's `InvariantMonitor` checked them during the run, and is
/// asked here only for its end-of-run verdicts and its drift tally.
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

        let drift = world.invariants.drift
        var claimsMissed = 0
        for session in drift where session.unpaid > 0 {
            let supplier = world.context.identities.name(of: session.supplier)
            guard let claimed = session.claimedRelays else {
                if let end = outcomes.sessionEnd(session.session), grid.claimWindowClose(end) <= world.finalHeight { claimsMissed += 1 }
                notes.append("no accepted claim for \(supplier) session \(session.session.prefix(12)): \(session.acknowledged) acknowledged relays unpaid")
                continue
            }
            notes.append("claim of \(supplier) session \(session.session.prefix(12)) has \(claimed) leaves for \(session.acknowledged) acknowledged relays")
        }
        let explained = drift.reduce(0) { $0 + $1.explainedByDataLoss }
        let lossTimes = world.faults.redisDataLossTimes
        metrics["relays_minable_unique"] = Double(drift.reduce(0) { $0 + $1.acknowledged })
        metrics["drift"] = Double(drift.reduce(0) { $0 + $1.unpaid })
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
        // the chain draws at settlement (docs/protocol.md#proof-requirement).
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
        let end = EndOfRun.of(redis: world.context.redis, at: world.kernel.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds)
        let invariants = world.invariants.finish(end)
        return RunReport(
            scenario: spec.name, seed: world.seed, traceHash: world.kernel.trace.hashHex, traceEvents: world.kernel.trace.eventCount,
            simulatedSeconds: simulatedSeconds, wallSeconds: wallSeconds, finalHeight: world.finalHeight,
            metrics: metrics, invariants: invariants, assertions: assertions, notes: notes, failure: failure,
            firstViolation: world.invariants.firstViolation, histograms: world.histograms()
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
}
