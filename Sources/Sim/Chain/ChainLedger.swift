import PocketProtocol
import RelayRuntime

/// Everything the fake chain decided, in the order it decided it: the record
/// the simulator reports from and the invariants are checked against.
public struct ChainLedger: Sendable, Equatable {
    /// Broadcasts refused by CheckTx (code ≠ 0).
    public internal(set) var broadcastRejections: [BroadcastRejection] = []
    /// Transactions admitted to the mempool (code 0), with what became of them.
    public internal(set) var transactions: [TxRecord] = []
    public internal(set) var claimsAccepted: [AcceptedClaim] = []
    public internal(set) var claimsRejected: [RejectedMessage] = []
    public internal(set) var proofsAccepted: [AcceptedProof] = []
    public internal(set) var proofsRejected: [RejectedMessage] = []
    /// EndBlocker verdicts on stored proofs.
    public internal(set) var proofValidations: [ProofValidation] = []
    public internal(set) var settlements: [SettlementRecord] = []

    private var transactionIndex: [String: Int] = [:]

    public init() {}

    public func transaction(_ hash: String) -> TxRecord? {
        transactionIndex[hash].map { transactions[$0] }
    }

    public func settlement(supplier: String, sessionID: String) -> SettlementRecord? {
        settlements.first { $0.supplier == supplier && $0.sessionID == sessionID }
    }

    mutating func admit(_ record: TxRecord) {
        transactionIndex[record.hash] = transactions.count
        transactions.append(record)
    }

    mutating func setStatus(_ hash: String, _ status: TxStatus) {
        guard let i = transactionIndex[hash] else { return }
        transactions[i].status = status
    }
}

/// A broadcast CheckTx refused.
public struct BroadcastRejection: Sendable, Hashable {
    public let txHash: String
    public let code: UInt32
    public let log: String
    /// The latest committed height when it was refused.
    public let height: Int64
}

public enum TxKind: String, Sendable, Hashable {
    case claim, proof
}

/// A transaction that entered the mempool.
public struct TxRecord: Sendable, Hashable {
    public let hash: String
    public let signer: String
    public let messageKinds: [TxKind]
    /// Latest committed height when it was broadcast.
    public let broadcastHeight: Int64
    public internal(set) var status: TxStatus
}

public enum TxStatus: Sendable, Hashable, CustomStringConvertible {
    /// Waiting in the mempool for block `includeAt` (or later).
    case pending(includeAt: Int64)
    /// Accepted but held back by a never-include fault.
    case neverIncluded
    /// Accepted (code 0) and then silently lost by a drop fault.
    case dropped
    /// Included and executed successfully.
    case included(height: Int64)
    /// Included, fee charged, but its messages failed (state reverted).
    case failed(height: Int64, reason: String)
    /// Evicted from the mempool: its timeout passed before inclusion.
    case expired(height: Int64)

    public var description: String {
        switch self {
        case .pending(let h): return "pending(\(h))"
        case .neverIncluded: return "never_included"
        case .dropped: return "dropped"
        case .included(let h): return "included(\(h))"
        case .failed(let h, let r): return "failed(\(h)): \(r)"
        case .expired(let h): return "expired(\(h))"
        }
    }
}

public struct AcceptedClaim: Sendable, Hashable {
    public let supplier: String
    public let sessionHeader: Pocket_Session_SessionHeader
    public let rootHash: Bytes
    public let relayCount: UInt64
    public let computeUnits: UInt64
    /// Height of the block that included the claim.
    public let height: Int64
    public let txHash: String
    /// An earlier claim for the same (session, supplier) was overwritten.
    public let replacedEarlierClaim: Bool

    public var sessionID: String { sessionHeader.sessionID }
}

/// A claim or proof message the chain refused, at CheckTx or in a block.
public struct RejectedMessage: Sendable, Hashable {
    public let kind: TxKind
    public let supplier: String
    public let sessionID: String
    /// Block height of the delivery, or the latest height for a CheckTx refusal.
    public let height: Int64
    public let txHash: String
    /// Refused by CheckTx (message ValidateBasic) rather than in a block.
    public let atBroadcast: Bool
    public let reason: MessageRejection
}

public struct AcceptedProof: Sendable, Hashable {
    public let supplier: String
    public let sessionID: String
    public let height: Int64
    public let txHash: String
    public let requirement: ProofRequirement
}

public struct ProofValidation: Sendable, Hashable {
    public let supplier: String
    public let sessionID: String
    public let height: Int64
    public let status: Pocket_Proof_ClaimProofStatus
    /// Why the proof is INVALID; nil when VALIDATED.
    public let failure: ProofInvalidity?
}

public enum ClaimExpirationReason: String, Sendable, Hashable {
    case proofMissing = "PROOF_MISSING"
    case proofInvalid = "PROOF_INVALID"
}

public enum SettlementOutcome: Sendable, Hashable, CustomStringConvertible {
    /// Paid: no proof needed, or a required proof was validated.
    case settled(ProofRequirement)
    /// Not paid; the supplier was slashed.
    case expired(ClaimExpirationReason, requirement: ProofRequirement)

    public var isSettled: Bool {
        if case .settled = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .settled(let r): return "settled(\(r))"
        case .expired(let reason, let r): return "expired(\(reason.rawValue), \(r))"
        }
    }
}

/// What settlement did with one claim, in the EndBlock of its proof window close.
public struct SettlementRecord: Sendable, Hashable {
    public let supplier: String
    public let sessionID: String
    public let applicationAddress: String
    public let serviceID: String
    public let sessionEndHeight: Int64
    public let height: Int64
    public let outcome: SettlementOutcome
    public let relayCount: UInt64
    public let computeUnits: UInt64
    /// Claimed uPOKT (docs/protocol.md#claimed-amount), saturated to UInt64.
    public let claimedUPOKT: UInt64
    public let proofStatus: Pocket_Proof_ClaimProofStatus
    public let slashedUPOKT: UInt64
}

/// Why a MsgCreateClaim / MsgSubmitProof was refused (docs/protocol.md#claim-and-proof-acceptance).
public enum MessageRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidSupplierAddress(String)
    case invalidSessionHeader(String)
    case invalidRootHashSize(Int)
    case zeroRelayCount
    case zeroComputeUnits
    case emptyProof
    case sessionNotFound(String)
    case sessionIDMismatch(expected: String, got: String)
    case sessionEndMismatch(expected: Int64, got: Int64)
    case supplierNotInSession(String)
    case claimTooEarly(height: Int64, earliest: Int64)
    case claimTooLate(height: Int64, windowClose: Int64)
    case computeUnitsMismatch(sum: UInt64, count: UInt64, computeUnitsPerRelay: UInt64)
    case malformedProof(String)
    case proofTooEarly(height: Int64, earliest: Int64)
    case proofTooLate(height: Int64, windowClose: Int64)
    case claimNotFound
    case insufficientBalanceForProofFee(balance: UInt64, fee: UInt64)
    case proofNotRequired
    /// The transaction ran out of gas before its messages completed.
    case outOfGas(gasLimit: UInt64, gasUsed: UInt64)
    /// The transaction's fee payer could not pay at delivery.
    case feeUnpaid(String)
    /// An unordered transaction whose (signer, timeout timestamp) nonce an
    /// earlier transaction already used: the SDK executes at most one (v0.53).
    case unorderedNonceUsed(String)
    /// This message was fine, but message `messageIndex` of the same
    /// transaction failed, so the whole transaction was reverted.
    case revertedWithTx(messageIndex: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidSupplierAddress(let a): return "invalid supplier operator address \"\(a)\""
        case .invalidSessionHeader(let m): return "invalid session header: \(m)"
        case .invalidRootHashSize(let n): return "root hash must be 48 bytes, got \(n)"
        case .zeroRelayCount: return "claim root has a relay count of 0"
        case .zeroComputeUnits: return "claim root has a compute-unit sum of 0"
        case .emptyProof: return "proof is empty"
        case .sessionNotFound(let m): return "session not found: \(m)"
        case .sessionIDMismatch(let e, let g): return "session id \(g) does not match the on-chain session \(e)"
        case .sessionEndMismatch(let e, let g): return "session end height \(g) does not match the on-chain session end \(e)"
        case .supplierNotInSession(let s): return "supplier \(s) is not in the session"
        case .claimTooEarly(let h, let e): return "claim at height \(h) is before the earliest claim commit height \(e)"
        case .claimTooLate(let h, let c): return "claim at height \(h) is after the claim window close \(c)"
        case .computeUnitsMismatch(let s, let c, let u):
            return "claim compute units \(s) != relay count \(c) x compute units per relay \(u)"
        case .malformedProof(let m): return "malformed proof: \(m)"
        case .proofTooEarly(let h, let e): return "proof at height \(h) is before the earliest proof commit height \(e)"
        case .proofTooLate(let h, let c): return "proof at height \(h) is after the proof window close \(c)"
        case .claimNotFound: return "no claim for this session and supplier"
        case .insufficientBalanceForProofFee(let b, let f): return "balance \(b)upokt cannot pay the proof submission fee \(f)upokt"
        case .proofNotRequired: return "proof not required for this claim"
        case .outOfGas(let l, let u): return "out of gas: limit \(l), used \(u)"
        case .feeUnpaid(let m): return "fee not paid: \(m)"
        case .unorderedNonceUsed(let m): return "unordered tx nonce already used: \(m)"
        case .revertedWithTx(let i, let r): return "reverted: message \(i) of the transaction failed: \(r)"
        }
    }
}

/// Why a stored proof was judged INVALID in the EndBlocker (docs/protocol.md#proof-verification).
public enum ProofInvalidity: Error, Sendable, Hashable, CustomStringConvertible {
    case malformedProof(String)
    case relayUndecodable(String)
    case invalidRelayRequest(String)
    case invalidRelayResponse(String)
    case supplierMismatch(expected: String, got: String)
    case requestSessionHeaderMismatch(String)
    case responseSessionHeaderMismatch(String)
    case ringSignature(String)
    case supplierSignature
    case invalidDifficultyTarget(length: Int)
    case difficultyNotMet
    case pathMismatch
    case closestProof(String)
    case claimMissing

    public var description: String {
        switch self {
        case .malformedProof(let m): return "malformed proof: \(m)"
        case .relayUndecodable(let m): return "proof value is not a relay: \(m)"
        case .invalidRelayRequest(let m): return "invalid relay request: \(m)"
        case .invalidRelayResponse(let m): return "invalid relay response: \(m)"
        case .supplierMismatch(let e, let g): return "relay request supplier \(g) is not the proof's supplier \(e)"
        case .requestSessionHeaderMismatch(let m): return "relay request session header differs from the on-chain session: \(m)"
        case .responseSessionHeaderMismatch(let m): return "relay response session header differs from the on-chain session: \(m)"
        case .ringSignature(let m): return "relay request ring signature rejected: \(m)"
        case .supplierSignature: return "relay response supplier signature is invalid"
        case .invalidDifficultyTarget(let n): return "relay difficulty target must be 32 bytes, got \(n)"
        case .difficultyNotMet: return "relay hash is not below the relay-mining difficulty target"
        case .pathMismatch: return "proof path does not match the expected path for the session"
        case .closestProof(let m): return "closest proof does not verify against the claim root: \(m)"
        case .claimMissing: return "no claim for the proof"
        }
    }
}
