import SimChain

/// What the invariants watch, as typed values: decoded once from the
/// runtime's and the fake chain's string-labelled telemetry events by
/// `WorldEventDecoder`, or handed over directly by world components that
/// already hold typed values (the gateways' acknowledgements). Invariants
/// never read trace fields themselves, so a renamed or missing field is a
/// decoding failure, not a check that quietly stops checking.
enum WorldEvent: Sendable, Equatable {
    /// A miner instance took a supplier's lease at a fencing epoch (miner `lease.acquired`).
    case leaseAcquired(supplier: String, epoch: UInt64, instance: String)
    /// The chain accepted a claim with `relays` leaves (chain `claim.accepted`).
    case claimAccepted(supplier: String, session: String, height: Int64, relays: UInt64)
    /// The chain accepted a proof (chain `proof.accepted`).
    case proofAccepted(supplier: String, session: String, height: Int64)
    /// The chain refused a claim or proof message by `rule` (chain `claim.rejected` / `proof.rejected`).
    case submissionRejected(kind: TxKind, supplier: String, session: String, height: Int64, rule: MessageRejection.Rule, reason: String)
    /// A gateway got a signed answer for a relay that was appended to the supplier's stream.
    case relayAcknowledged(supplier: String, session: String, relayHash: [UInt8])
    /// Redis restarted without persistence: every key was lost (fault `redis.restarted persist=false`).
    case redisDataLost
}

/// A `WorldEvent` with when it happened and what it was decoded from, so a
/// violation can name the exact trace line that broke the rule.
struct ObservedEvent: Sendable {
    let nanosecondsSinceStart: Int64
    let event: WorldEvent
    /// The source, as `component event key=value …` (a trace line's content).
    let source: String
}
