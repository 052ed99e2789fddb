import SwiftProtobuf

/// Everything that goes into a single-signer SIGN_MODE_DIRECT transaction
/// (docs/protocol.md#cosmos-transactions). The values that depend on time or chain state
/// (timeout timestamp, fee, account number) are inputs, keeping assembly pure.
public struct CosmosTxSpec: Sendable {
    /// Already-packed messages, e.g. `CosmosTx.pack(msgCreateClaim)`.
    public var messages: [Google_Protobuf_Any]
    public var memo: String
    /// 0 = none (unordered transactions use the timestamp instead).
    public var timeoutHeight: UInt64
    /// Unordered transactions need sequence 0 and a unique timeout timestamp.
    public var unordered: Bool
    public var timeoutTimestamp: Google_Protobuf_Timestamp?
    public var feeAmount: [Cosmos_Base_V1beta1_Coin]
    public var gasLimit: UInt64
    public var feePayer: String
    public var feeGranter: String
    /// 33-byte compressed secp256k1 key of the signer.
    public var signerPublicKey: Bytes
    public var chainID: String
    public var accountNumber: UInt64
    public var sequence: UInt64

    public init(
        messages: [Google_Protobuf_Any],
        memo: String = "",
        timeoutHeight: UInt64 = 0,
        unordered: Bool = false,
        timeoutTimestamp: Google_Protobuf_Timestamp? = nil,
        feeAmount: [Cosmos_Base_V1beta1_Coin] = [],
        gasLimit: UInt64,
        feePayer: String = "",
        feeGranter: String = "",
        signerPublicKey: Bytes,
        chainID: String,
        accountNumber: UInt64,
        sequence: UInt64
    ) {
        self.messages = messages
        self.memo = memo
        self.timeoutHeight = timeoutHeight
        self.unordered = unordered
        self.timeoutTimestamp = timeoutTimestamp
        self.feeAmount = feeAmount
        self.gasLimit = gasLimit
        self.feePayer = feePayer
        self.feeGranter = feeGranter
        self.signerPublicKey = signerPublicKey
        self.chainID = chainID
        self.accountNumber = accountNumber
        self.sequence = sequence
    }
}
