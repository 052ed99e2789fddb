/// Every fault a scenario can script, with the target and parameters it
/// takes. The loader validates scenarios against this table, so a typo in a
/// fault never silently turns it off.
public enum FaultKind: String, Sendable, CaseIterable {
    // Processes (target: a node, `lease_owner:<supplier>`, `all_miners`, `all_relayers`)
    case crash, stop
    case redisPartition = "redis_partition"
    case chainPartition = "chain_partition"
    case chainLatency = "chain_latency"
    case clockSkew = "clock_skew"
    /// The node's wall clock jumps by `offset_ms` at once (NTP or an operator
    /// stepping it) and stays there; its monotonic clock does not move.
    case clockStep = "clock_step"
    case redisDropReplies = "redis_drop_replies"
    // The Redis server (no target)
    case redisDown = "redis_down"
    case redisRestart = "redis_restart"
    case redisSlow = "redis_slow"
    case pubsubLoss = "pubsub_loss"
    // The chain and its mempool (no target)
    case chainStall = "chain_stall"
    case txDrop = "tx_drop"
    case txDelay = "tx_delay"
    case txReorder = "tx_reorder"
    case txNeverInclude = "tx_never_include"
    // Backends (target: a service id, or none for every service)
    case backendDown = "backend_down"
    case backendErrors = "backend_errors"
    case backendSlow = "backend_slow"

    enum TargetKind { case node, none, service }

    var target: TargetKind {
        switch self {
        case .crash, .stop, .redisPartition, .chainPartition, .chainLatency, .clockSkew, .clockStep: return .node
        case .redisDropReplies: return .node
        case .redisDown, .redisRestart, .redisSlow, .pubsubLoss, .chainStall, .txDrop, .txDelay, .txReorder, .txNeverInclude: return .none
        case .backendDown, .backendErrors, .backendSlow: return .service
        }
    }

    /// Whether the node target may be omitted (then the fault is server-wide).
    var targetOptional: Bool { self == .redisDropReplies || target == .service }

    var parameters: [String] {
        switch self {
        case .chainLatency, .redisSlow, .backendSlow: return ["latency_ms"]
        case .clockSkew, .clockStep: return ["offset_ms"]
        case .redisDropReplies: return ["count", "commands"]
        case .redisRestart: return ["persist"]
        case .txDrop, .txNeverInclude: return ["count", "filter"]
        case .txDelay: return ["blocks", "count", "filter"]
        case .backendErrors: return ["rate"]
        case .crash, .stop, .redisPartition, .chainPartition, .redisDown, .pubsubLoss, .chainStall, .txReorder, .backendDown: return []
        }
    }

    /// Faults that need a `duration_blocks` to mean anything.
    var requiresDuration: Bool {
        switch self {
        case .redisPartition, .chainPartition, .chainLatency, .redisDown, .redisSlow, .pubsubLoss, .chainStall, .txReorder,
             .backendDown, .backendErrors, .backendSlow:
            return true
        default:
            return false
        }
    }
}

/// Protocol moments a fault can be tied to (`at_moment`, with `session: N`).
public enum FaultMoment: String, Sendable, CaseIterable {
    case sessionStart = "session_start"
    case midSession = "mid_session"
    case sessionEnd = "session_end"
    case claimWindowOpen = "claim_window_open"
    case claimWindowClose = "claim_window_close"
    case proofWindowOpen = "proof_window_open"
    case proofWindowClose = "proof_window_close"
    /// When a miner seals the session (its claim is being built).
    case afterSeal = "after_seal"
    /// When a miner broadcasts the session's claim.
    case afterClaimBroadcast = "after_claim_broadcast"
    /// When the chain includes the session's first claim: "between claim and proof".
    case afterClaim = "after_claim"
    /// When a miner broadcasts the session's proof.
    case afterProofBroadcast = "after_proof_broadcast"
}

extension FaultSpec {
    /// Problems with this fault given the scenario (empty when valid), each
    /// phrased as what to change.
    func problems(in spec: ScenarioSpec) -> [String] {
        guard let kind = FaultKind(rawValue: self.kind) else {
            return ["unknown fault kind '\(self.kind)'; known kinds: " + FaultKind.allCases.map(\.rawValue).joined(separator: ", ")]
        }
        var out: [String] = []
        if case .moment(let name, let session) = at {
            if FaultMoment(rawValue: name) == nil {
                out.append("unknown moment '\(name)'; known moments: " + FaultMoment.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if session < 1 { out.append("session must be at least 1") }
        }
        switch kind.target {
        case .node:
            if let target {
                if !Self.nodeTargetIsValid(target, in: spec) {
                    out.append("target '\(target)' is not a node (relayer-1…relayer-\(spec.topology.relayers), miner-1…miner-\(spec.topology.miners)), all_miners, all_relayers or lease_owner:<supplier name>")
                }
            } else if !kind.targetOptional {
                out.append("\(kind.rawValue) needs a target node")
            }
        case .service:
            if let target, !spec.services.contains(where: { $0.id == target }) { out.append("target '\(target)' is not a service of the scenario") }
        case .none:
            if target != nil { out.append("\(kind.rawValue) takes no target") }
        }
        for key in parameters.keys.sorted() where !kind.parameters.contains(key) {
            out.append("unknown parameter '\(key)' for \(kind.rawValue) (takes: \(kind.parameters.isEmpty ? "none" : kind.parameters.joined(separator: ", ")))")
        }
        if kind.requiresDuration, (durationBlocks ?? 0) < 1 { out.append("\(kind.rawValue) needs duration_blocks >= 1") }
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "latency_ms", "offset_ms", "count", "blocks":
                if Int64(value) == nil { out.append("parameter \(key) must be an integer, got '\(value)'") }
            case "rate":
                if let r = Double(value), r >= 0, r <= 1 {} else { out.append("parameter rate must be a number in [0, 1], got '\(value)'") }
            case "persist":
                if value != "true", value != "false" { out.append("parameter persist must be true or false, got '\(value)'") }
            case "filter":
                if !["all", "claims", "proofs"].contains(value) { out.append("parameter filter must be all, claims or proofs, got '\(value)'") }
            default: break
            }
        }
        return out
    }

    static func nodeTargetIsValid(_ target: String, in spec: ScenarioSpec) -> Bool {
        if target == "all_miners" || target == "all_relayers" { return true }
        if target.hasPrefix("lease_owner:") {
            let supplier = String(target.dropFirst("lease_owner:".count))
            return spec.suppliers.contains { $0.name == supplier }
        }
        if let n = Int(target.dropFirst("relayer-".count)), target.hasPrefix("relayer-") { return (1...max(spec.topology.relayers, 1)).contains(n) }
        if let n = Int(target.dropFirst("miner-".count)), target.hasPrefix("miner-") { return (1...max(spec.topology.miners, 1)).contains(n) }
        return false
    }
}
