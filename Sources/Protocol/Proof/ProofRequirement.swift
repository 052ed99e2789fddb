import BigInt

/// Why a claim needs a proof (`pocket.proof.ProofRequirementReason`).
public enum ProofRequirement: Int, Sendable, Hashable, CustomStringConvertible {
    case notRequired = 0
    case probabilistic = 1
    case threshold = 2

    public var isRequired: Bool { self != .notRequired }

    public var description: String {
        switch self {
        case .notRequired: return "NOT_REQUIRED"
        case .probabilistic: return "PROBABILISTIC"
        case .threshold: return "THRESHOLD"
        }
    }

    /// The chain's decision (docs/protocol.md#proof-requirement): the threshold first, then the Go
    /// math/rand sample seeded by sha256(claimHash ‖ seedBlockHash).
    /// `claimHash` is sha256 of the stored Claim's protobuf bytes.
    public static func evaluate(claimedUPOKT: BigUInt, thresholdUPOKT: BigUInt, claimHash: Bytes, seedBlockHash: Bytes, probability: Double) -> ProofRequirement {
        if claimedUPOKT >= thresholdUPOKT { return .threshold }
        return sample(claimHash: claimHash, seedBlockHash: seedBlockHash) <= probability ? .probabilistic : .notRequired
    }

    /// The probabilistic sample in [0, 1).
    public static func sample(claimHash: Bytes, seedBlockHash: Bytes) -> Double {
        seededFloat64(claimHash, seedBlockHash)
    }
}
