/// The rule a refused claim or proof broke, as a stable name without the
/// case's values: the `rule` field of the chain's `claim.rejected` and
/// `proof.rejected` events. Readers of the trace (the simulator's
/// invariants) match on it instead of the human-readable `reason`, whose
/// wording may change.
extension MessageRejection {
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        case invalidSupplierAddress = "invalid_supplier_address"
        case invalidSessionHeader = "invalid_session_header"
        case invalidRootHashSize = "invalid_root_hash_size"
        case zeroRelayCount = "zero_relay_count"
        case zeroComputeUnits = "zero_compute_units"
        case emptyProof = "empty_proof"
        case sessionNotFound = "session_not_found"
        case sessionIDMismatch = "session_id_mismatch"
        case sessionEndMismatch = "session_end_mismatch"
        case supplierNotInSession = "supplier_not_in_session"
        case claimTooEarly = "claim_too_early"
        case claimTooLate = "claim_too_late"
        case computeUnitsMismatch = "compute_units_mismatch"
        case malformedProof = "malformed_proof"
        case proofTooEarly = "proof_too_early"
        case proofTooLate = "proof_too_late"
        case claimNotFound = "claim_not_found"
        case insufficientBalanceForProofFee = "insufficient_balance_for_proof_fee"
        case proofNotRequired = "proof_not_required"
        case outOfGas = "out_of_gas"
        case feeUnpaid = "fee_unpaid"
        case unorderedNonceUsed = "unordered_nonce_used"
        case revertedWithTx = "reverted_with_tx"

        /// The message reached the chain outside its claim or proof window.
        public var isWindowViolation: Bool {
            switch self {
            case .claimTooEarly, .claimTooLate, .proofTooEarly, .proofTooLate: return true
            default: return false
            }
        }
    }

    public var rule: Rule {
        switch self {
        case .invalidSupplierAddress: return .invalidSupplierAddress
        case .invalidSessionHeader: return .invalidSessionHeader
        case .invalidRootHashSize: return .invalidRootHashSize
        case .zeroRelayCount: return .zeroRelayCount
        case .zeroComputeUnits: return .zeroComputeUnits
        case .emptyProof: return .emptyProof
        case .sessionNotFound: return .sessionNotFound
        case .sessionIDMismatch: return .sessionIDMismatch
        case .sessionEndMismatch: return .sessionEndMismatch
        case .supplierNotInSession: return .supplierNotInSession
        case .claimTooEarly: return .claimTooEarly
        case .claimTooLate: return .claimTooLate
        case .computeUnitsMismatch: return .computeUnitsMismatch
        case .malformedProof: return .malformedProof
        case .proofTooEarly: return .proofTooEarly
        case .proofTooLate: return .proofTooLate
        case .claimNotFound: return .claimNotFound
        case .insufficientBalanceForProofFee: return .insufficientBalanceForProofFee
        case .proofNotRequired: return .proofNotRequired
        case .outOfGas: return .outOfGas
        case .feeUnpaid: return .feeUnpaid
        case .unorderedNonceUsed: return .unorderedNonceUsed
        case .revertedWithTx: return .revertedWithTx
        }
    }
}
