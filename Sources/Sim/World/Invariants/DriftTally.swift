/// Acknowledged relays against accepted claims, kept as the run goes: which
/// relay hashes gateways were acknowledged per (supplier, session), when each
/// hash was first acknowledged, the leaves of the latest accepted claim per
/// (supplier, session), and when Redis lost its data. `sessions()` turns it
/// into the drift per session; the `zero_drift` / `losses_reported`
/// invariant and the report's drift metrics both read that one result.
struct DriftTally: Sendable {
    struct SessionKey: Hashable, Comparable, Sendable {
        let supplier: String
        let session: String
        static func < (a: SessionKey, b: SessionKey) -> Bool { (a.supplier, a.session) < (b.supplier, b.session) }
    }

    private var acknowledged: [SessionKey: Set<[UInt8]>] = [:]
    /// First acknowledgement of each relay hash (ns since the start).
    private var firstAcknowledged: [[UInt8]: Int64] = [:]
    /// Leaves of the latest accepted claim: the one the chain settles.
    private var claimed: [SessionKey: UInt64] = [:]
    private(set) var dataLossTimes: [Int64] = []

    mutating func record(_ event: WorldEvent, at nanoseconds: Int64) {
        switch event {
        case .relayAcknowledged(let supplier, let session, let hash):
            acknowledged[SessionKey(supplier: supplier, session: session), default: []].insert(hash)
            if firstAcknowledged[hash] == nil { firstAcknowledged[hash] = nanoseconds }
        case .claimAccepted(let supplier, let session, _, let relays):
            claimed[SessionKey(supplier: supplier, session: session)] = relays
        case .redisDataLost:
            dataLossTimes.append(nanoseconds)
        case .leaseAcquired, .proofAccepted, .submissionRejected:
            break
        }
    }

    /// Every (supplier, session) with acknowledged relays, sorted.
    func sessions() -> [SessionDrift] {
        let lastLoss = dataLossTimes.max()
        return acknowledged.keys.sorted().map { key in
            let hashes = acknowledged[key]!
            let claim = claimed[key]
            let unpaid = claim.map { $0 < UInt64(hashes.count) ? hashes.count - Int($0) : 0 } ?? hashes.count
            // A data loss can explain at most the relays acknowledged before it.
            var explained = 0
            if unpaid > 0, let lastLoss {
                explained = min(hashes.filter { (firstAcknowledged[$0] ?? .max) < lastLoss }.count, unpaid)
            }
            return SessionDrift(supplier: key.supplier, session: key.session, acknowledged: hashes.count, claimedRelays: claim,
                                unpaid: unpaid, explainedByDataLoss: explained)
        }
    }
}

/// One (supplier, session)'s acknowledged relays against its accepted claim.
struct SessionDrift: Sendable, Equatable {
    let supplier: String
    let session: String
    /// Unique relays acknowledged minable to clients.
    let acknowledged: Int
    /// Leaves of the latest accepted claim; nil when no claim was accepted.
    let claimedRelays: UInt64?
    /// Acknowledged relays not in the claim.
    let unpaid: Int
    /// How many of `unpaid` were acknowledged before a Redis data loss (which can explain them).
    let explainedByDataLoss: Int
}
