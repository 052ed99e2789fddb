/// Which transactions a mempool fault applies to.
public enum TxFilter: String, Sendable, Hashable {
    case all
    /// Transactions carrying at least one MsgCreateClaim.
    case claims
    /// Transactions carrying at least one MsgSubmitProof.
    case proofs

    func matches(_ kinds: [TxKind]) -> Bool {
        switch self {
        case .all: return true
        case .claims: return kinds.contains(.claim)
        case .proofs: return kinds.contains(.proof)
        }
    }
}

/// What a mempool fault does to a transaction CheckTx accepted. The
/// broadcaster always sees code 0: these are the failures a relay miner can
/// only detect by watching chain state.
public enum MempoolFaultAction: Sendable, Hashable, CustomStringConvertible {
    /// The transaction is lost (never included).
    case drop
    /// Included `blocks` blocks later than it would have been.
    case delay(blocks: Int)
    /// Kept in the mempool (duplicates are refused) but never included.
    case neverInclude

    public var description: String {
        switch self {
        case .drop: return "drop"
        case .delay(let k): return "delay(\(k))"
        case .neverInclude: return "never_include"
        }
    }
}

/// A fault armed for the next `remaining` matching transactions (nil: every
/// matching transaction until cleared). Rules apply in the order they were
/// armed; a transaction consumes the first rule that matches it.
public struct MempoolFaultRule: Sendable, Hashable {
    public let action: MempoolFaultAction
    public let filter: TxFilter
    public internal(set) var remaining: Int?
}

/// The mempool's fault configuration (all off by default: every accepted
/// transaction is included in the next block, in arrival order).
struct MempoolFaults: Sendable {
    var rules: [MempoolFaultRule] = []
    /// Probability of dropping each accepted transaction, drawn from the chain's entropy stream.
    var dropProbability: Double = 0
    var dropProbabilityFilter: TxFilter = .all
    /// Shuffle each block's transactions with the chain's entropy stream.
    var reorderWithinBlock = false

    /// The action for a newly accepted transaction, consuming one use of the rule that fired.
    mutating func action(for kinds: [TxKind], draw: () -> Double) -> MempoolFaultAction? {
        if let i = rules.firstIndex(where: { $0.filter.matches(kinds) }) {
            let action = rules[i].action
            if let left = rules[i].remaining {
                if left <= 1 { rules.remove(at: i) } else { rules[i].remaining = left - 1 }
            }
            return action
        }
        if dropProbability > 0, dropProbabilityFilter.matches(kinds), draw() < dropProbability { return .drop }
        return nil
    }
}
