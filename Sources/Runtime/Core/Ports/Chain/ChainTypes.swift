import PocketProtocol

/// A committed block as the runtime sees it: height, the canonical block hash
/// (CometBFT `BlockID.hash`, used for session ids and proof seeds) and the
/// block time (anchors transaction timeouts).
public struct ChainBlock: Sendable, Hashable, CustomStringConvertible {
    public let height: Int64
    public let hash: [UInt8]
    public let time: RuntimeInstant

    public init(height: Int64, hash: [UInt8], time: RuntimeInstant) {
        self.height = height
        self.hash = hash
        self.time = time
    }

    public var description: String { "block \(height)" }
}

/// The proof module's live parameters (docs/protocol.md#proof-requirement), in uPOKT.
public struct ProofParams: Sendable, Hashable {
    public var proofRequestProbability: Double
    public var proofRequirementThresholdUPOKT: UInt64
    public var proofMissingPenaltyUPOKT: UInt64
    public var proofSubmissionFeeUPOKT: UInt64

    public init(proofRequestProbability: Double, proofRequirementThresholdUPOKT: UInt64, proofMissingPenaltyUPOKT: UInt64, proofSubmissionFeeUPOKT: UInt64) {
        self.proofRequestProbability = proofRequestProbability
        self.proofRequirementThresholdUPOKT = proofRequirementThresholdUPOKT
        self.proofMissingPenaltyUPOKT = proofMissingPenaltyUPOKT
        self.proofSubmissionFeeUPOKT = proofSubmissionFeeUPOKT
    }

    /// poktroll defaults = localnet (docs/protocol.md#parameter-values).
    public static let localnet = ProofParams(
        proofRequestProbability: 0.25, proofRequirementThresholdUPOKT: 20_000_000,
        proofMissingPenaltyUPOKT: 320_000_000, proofSubmissionFeeUPOKT: 1_000_000
    )
}

/// An account as the auth module reports it. `publicKey` is nil until the
/// account has signed a transaction (then ring construction cannot use it).
public struct ChainAccount: Sendable, Hashable {
    public let address: String
    public let accountNumber: UInt64
    public let sequence: UInt64
    public let publicKey: PublicKey?

    public init(address: String, accountNumber: UInt64, sequence: UInt64, publicKey: PublicKey?) {
        self.address = address
        self.accountNumber = accountNumber
        self.sequence = sequence
        self.publicKey = publicKey
    }
}

/// The node's answer to a SYNC broadcast: code 0 means accepted into the
/// mempool (CheckTx), not included in a block — inclusion is confirmed
/// separately from module state (docs/protocol.md#confirming-inclusion).
public struct BroadcastResult: Sendable, Hashable {
    public let txHash: String
    public let code: UInt32
    public let log: String

    public init(txHash: String, code: UInt32, log: String) {
        self.txHash = txHash
        self.code = code
        self.log = log
    }

    public var accepted: Bool { code == 0 }
}

/// Why a chain call failed, so callers can tell "retry later" from "the
/// answer is no".
public enum ChainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The node could not be reached (down, partitioned, stalled RPC).
    case unavailable(String)
    /// No answer in time.
    case timeout(String)
    /// The queried object does not exist (application, supplier, claim, block not yet produced…).
    case notFound(String)
    /// The node answered with something the runtime cannot use.
    case invalidResponse(String)

    public var isTransient: Bool {
        switch self {
        case .unavailable, .timeout: return true
        case .notFound, .invalidResponse: return false
        }
    }

    public var description: String {
        switch self {
        case .unavailable(let m): return "chain unavailable: \(m)"
        case .timeout(let m): return "chain timeout: \(m)"
        case .notFound(let m): return "not found on chain: \(m)"
        case .invalidResponse(let m): return "invalid chain response: \(m)"
        }
    }
}
