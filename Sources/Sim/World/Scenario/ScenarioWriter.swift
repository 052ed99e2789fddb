/// Writes a scenario back as YAML in the documented format, so a swarm
/// failure (its fault schedule, shrunk or not) becomes a scenario file that
/// `sim run` replays.
public enum ScenarioWriter {
    public static func yaml(_ s: ScenarioSpec, comment: String = "") -> String {
        var out = ""
        for line in comment.split(separator: "\n", omittingEmptySubsequences: false) where !comment.isEmpty { out += "# \(line)\n" }
        out += "name: \(q(s.name))\n"
        if !s.description.isEmpty { out += "description: \(q(s.description))\n" }
        out += "seed: \(s.seed)\n"
        out += "until_block: \(s.untilBlock)\n"
        let c = s.chain
        out += "chain:\n"
        out += "  block_time_seconds: \(c.blockTimeSeconds)\n"
        out += "  num_blocks_per_session: \(c.numBlocksPerSession)\n"
        out += "  grace_period_end_offset_blocks: \(c.gracePeriodEndOffsetBlocks)\n"
        out += "  claim_window_open_offset_blocks: \(c.claimWindowOpenOffsetBlocks)\n"
        out += "  claim_window_close_offset_blocks: \(c.claimWindowCloseOffsetBlocks)\n"
        out += "  proof_window_open_offset_blocks: \(c.proofWindowOpenOffsetBlocks)\n"
        out += "  proof_window_close_offset_blocks: \(c.proofWindowCloseOffsetBlocks)\n"
        out += "  compute_units_to_tokens_multiplier: \(c.computeUnitsToTokensMultiplier)\n"
        out += "  compute_unit_cost_granularity: \(c.computeUnitCostGranularity)\n"
        out += "  num_suppliers_per_session: \(c.numSuppliersPerSession)\n"
        out += "  proof_request_probability: \(c.proofRequestProbability)\n"
        out += "  proof_requirement_threshold_upokt: \(c.proofRequirementThresholdUPOKT)\n"
        out += "  proof_submission_fee_upokt: \(c.proofSubmissionFeeUPOKT)\n"
        out += "services:\n"
        for svc in s.services {
            out += "  - {id: \(q(svc.id)), compute_units_per_relay: \(svc.computeUnitsPerRelay)"
            if let hex = svc.difficultyTargetHex { out += ", difficulty_target: \(q(hex))" }
            out += "}\n"
        }
        out += "gateways: [\(s.gateways.map(q).joined(separator: ", "))]\n"
        out += "applications:\n"
        for a in s.applications {
            out += "  - {name: \(q(a.name)), service: \(q(a.service)), stake_upokt: \(a.stakeUPOKT), gateways: [\(a.gateways.map(q).joined(separator: ", "))]}\n"
        }
        out += "suppliers:\n"
        for sup in s.suppliers {
            out += "  - {name: \(q(sup.name)), services: [\(sup.services.map(q).joined(separator: ", "))], stake_upokt: \(sup.stakeUPOKT), balance_upokt: \(sup.balanceUPOKT)}\n"
        }
        out += "topology: {relayers: \(s.topology.relayers), miners: \(s.topology.miners)}\n"
        if !s.backends.isEmpty {
            out += "backends:\n"
            for name in s.backends.keys.sorted() {
                let b = s.backends[name]!
                out += "  \(q(name)): {latency_ms: \(b.latencyMilliseconds), jitter_ms: \(b.jitterMilliseconds), error_rate: \(b.errorRate)}\n"
            }
        }
        out += "workload:\n"
        for w in s.workload {
            out += "  - {from_block: \(w.fromBlock), to_block: \(w.toBlock), relays_per_block: \(w.relaysPerBlock)"
            if !w.applications.isEmpty { out += ", applications: [\(w.applications.map(q).joined(separator: ", "))]" }
            if w.transport != "jsonrpc" { out += ", transport: \(w.transport)" }
            if w.duplicateRate > 0 { out += ", duplicate_rate: \(w.duplicateRate)" }
            if w.lateByBlocks > 0 { out += ", late_by_blocks: \(w.lateByBlocks)" }
            out += "}\n"
        }
        out += s.faults.isEmpty ? "faults: []\n" : "faults:\n"
        for f in s.faults { out += "  - " + fault(f) + "\n" }
        out += s.assertions.isEmpty ? "assertions: []\n" : "assertions:\n"
        for a in s.assertions { out += "  - \(q(a.description))\n" }
        return out
    }

    /// A fault as one flow-style YAML line (also used in messages).
    public static func describe(_ f: FaultSpec) -> String { fault(f) }

    static func fault(_ f: FaultSpec) -> String {
        var parts = ["kind: \(f.kind)"]
        if let t = f.target { parts.append("target: \(q(t))") }
        switch f.at {
        case .block(let b): parts.append("at_block: \(b)")
        case .seconds(let s): parts.append("at_seconds: \(s)")
        case .moment(let m, let session): parts.append("at_moment: \(m)"); parts.append("session: \(session)")
        }
        if let d = f.durationBlocks { parts.append("duration_blocks: \(d)") }
        if !f.parameters.isEmpty {
            parts.append("params: {" + f.parameters.sorted { $0.key < $1.key }.map { "\($0.key): \(q($0.value))" }.joined(separator: ", ") + "}")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// A double-quoted YAML scalar.
    static func q(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
