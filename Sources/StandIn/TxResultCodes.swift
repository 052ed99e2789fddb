import SimChain

/// The ABCI (codespace, code) a node reports for a transaction, from what
/// the fake chain decided: CheckTx codes are already the SDK's root codes;
/// a message that failed in a block maps to the proof module's registered
/// error for the same rule (poktroll x/proof errors 1101–1131).
enum TxResultCode {
    static let proofCodespace = "proof"
    static let sdkCodespace = "sdk"

    /// Codespace of a CheckTx code as the fake chain reports it (1101 is the
    /// proof module's ValidateBasic failure; everything else is the SDK's).
    static func checkTxCodespace(_ code: UInt32) -> String {
        code == 0 ? "" : code >= 1100 ? proofCodespace : sdkCodespace
    }

    static func delivery(_ rejection: MessageRejection) -> (codespace: String, code: UInt32) {
        switch rejection {
        case .outOfGas: return (sdkCodespace, 11)
        case .feeUnpaid: return (sdkCodespace, 5)
        case .unorderedNonceUsed: return (sdkCodespace, 18)
        case .invalidSupplierAddress: return (proofCodespace, 1101)
        case .supplierNotInSession: return (proofCodespace, 1102)
        case .invalidRootHashSize, .zeroRelayCount, .zeroComputeUnits: return (proofCodespace, 1104)
        case .claimNotFound: return (proofCodespace, 1106)
        case .emptyProof, .malformedProof: return (proofCodespace, 1108)
        case .invalidSessionHeader, .sessionNotFound: return (proofCodespace, 1115)
        case .sessionIDMismatch: return (proofCodespace, 1116)
        case .sessionEndMismatch: return (proofCodespace, 1117)
        case .claimTooEarly, .claimTooLate: return (proofCodespace, 1121)
        case .proofTooEarly, .proofTooLate: return (proofCodespace, 1122)
        case .computeUnitsMismatch: return (proofCodespace, 1126)
        case .insufficientBalanceForProofFee: return (proofCodespace, 1127)
        case .proofNotRequired: return (proofCodespace, 1129)
        case .revertedWithTx: return (proofCodespace, 1101)
        }
    }

    /// Why a transaction failed in its block: the first message rejection
    /// recorded for it that is not merely "reverted with the transaction".
    static func delivery(txHash: String, ledger: ChainLedger) -> (codespace: String, code: UInt32)? {
        let rejections = (ledger.claimsRejected + ledger.proofsRejected).filter { $0.txHash == txHash && !$0.atBroadcast }
        let cause = rejections.first { if case .revertedWithTx = $0.reason { return false } else { return true } }
        return cause.map { delivery($0.reason) }
    }
}
