import PocketProtocol

/// The proof module's params as `pocket.proof.Params` carries them (amounts as
/// uPOKT coins): the live chain client reads them and the chain stand-in
/// answers with them, so both directions live next to the value.
extension ProofParams {
    public var wire: Pocket_Proof_Params {
        var params = Pocket_Proof_Params()
        params.proofRequestProbability = proofRequestProbability
        params.proofRequirementThreshold = .upokt(proofRequirementThresholdUPOKT)
        params.proofMissingPenalty = .upokt(proofMissingPenaltyUPOKT)
        params.proofSubmissionFee = .upokt(proofSubmissionFeeUPOKT)
        return params
    }

    public init(_ wire: Pocket_Proof_Params) throws(CoinAmountError) {
        self.init(
            proofRequestProbability: wire.proofRequestProbability,
            proofRequirementThresholdUPOKT: try wire.proofRequirementThreshold.upoktAmount(field: "proof_requirement_threshold"),
            proofMissingPenaltyUPOKT: try wire.proofMissingPenalty.upoktAmount(field: "proof_missing_penalty"),
            proofSubmissionFeeUPOKT: try wire.proofSubmissionFee.upoktAmount(field: "proof_submission_fee")
        )
    }
}

/// A coin that is not a uint64 amount of uPOKT.
public struct CoinAmountError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
}

extension Cosmos_Base_V1beta1_Coin {
    public static let upoktDenom = "upokt"

    public static func upokt(_ amount: UInt64) -> Cosmos_Base_V1beta1_Coin {
        var coin = Cosmos_Base_V1beta1_Coin()
        coin.denom = upoktDenom
        coin.amount = String(amount)
        return coin
    }

    /// The amount in uPOKT (a decimal string on the wire); an unset coin is zero.
    public func upoktAmount(field: String) throws(CoinAmountError) -> UInt64 {
        if denom.isEmpty && amount.isEmpty { return 0 }
        guard denom == Self.upoktDenom else { throw CoinAmountError(description: "\(field) is in \"\(denom)\", expected \(Self.upoktDenom)") }
        guard let value = UInt64(amount) else { throw CoinAmountError(description: "\(field) amount \"\(amount)\" is not a uint64") }
        return value
    }
}
