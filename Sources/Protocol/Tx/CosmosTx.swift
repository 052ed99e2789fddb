import Foundation
import SwiftProtobuf

/// Helpers shared by transaction assembly.
public enum CosmosTx {
    public static let secp256k1PubKeyTypeURL = "/cosmos.crypto.secp256k1.PubKey"

    /// Packs a message under the type URL the chain routes on ("/" + full
    /// protobuf name, e.g. "/pocket.proof.MsgCreateClaim"), with canonical bytes.
    public static func pack<M: SwiftProtobuf.Message>(_ message: M) throws(WireError) -> Google_Protobuf_Any {
        var any = Google_Protobuf_Any()
        any.typeURL = "/" + M.protoMessageName
        any.value = Data(try CanonicalCodec.encode(message))
        return any
    }

    /// The hash explorers and CometBFT index the transaction by: uppercase hex
    /// of sha256 over the exact broadcast bytes.
    public static func hash(txRaw: Bytes) -> String {
        Hash.sha256(txRaw).hex.uppercased()
    }
}

/// Body, auth info and the sign doc of a transaction, ready to be signed.
/// Body and auth-info bytes are produced once and then carried verbatim, so
/// what is signed is exactly what is broadcast.
public struct UnsignedCosmosTx: Sendable, Equatable {
    public let bodyBytes: Bytes
    public let authInfoBytes: Bytes
    /// SIGN_MODE_DIRECT input: the signer computes ECDSA over sha256 of these bytes.
    public let signDocBytes: Bytes

    public init(_ spec: CosmosTxSpec) throws(CosmosTxError) {
        guard spec.signerPublicKey.count == 33 else { throw .invalidPublicKeyLength(spec.signerPublicKey.count) }
        do {
            var body = Cosmos_Tx_V1beta1_TxBody()
            body.messages = spec.messages
            body.memo = spec.memo
            body.timeoutHeight = spec.timeoutHeight
            body.unordered = spec.unordered
            if let ts = spec.timeoutTimestamp { body.timeoutTimestamp = ts }
            bodyBytes = try CanonicalCodec.encode(body)

            var key = Cosmos_Crypto_Secp256k1_PubKey()
            key.key = Data(spec.signerPublicKey)
            var publicKey = Google_Protobuf_Any()
            publicKey.typeURL = CosmosTx.secp256k1PubKeyTypeURL
            publicKey.value = Data(try CanonicalCodec.encode(key))

            var single = Cosmos_Tx_V1beta1_ModeInfo.Single()
            single.mode = .direct
            var modeInfo = Cosmos_Tx_V1beta1_ModeInfo()
            modeInfo.single = single

            var signer = Cosmos_Tx_V1beta1_SignerInfo()
            signer.publicKey = publicKey
            signer.modeInfo = modeInfo
            signer.sequence = spec.sequence

            var fee = Cosmos_Tx_V1beta1_Fee()
            fee.amount = spec.feeAmount
            fee.gasLimit = spec.gasLimit
            fee.payer = spec.feePayer
            fee.granter = spec.feeGranter

            var authInfo = Cosmos_Tx_V1beta1_AuthInfo()
            authInfo.signerInfos = [signer]
            authInfo.fee = fee
            authInfoBytes = try CanonicalCodec.encode(authInfo)

            var signDoc = Cosmos_Tx_V1beta1_SignDoc()
            signDoc.bodyBytes = Data(bodyBytes)
            signDoc.authInfoBytes = Data(authInfoBytes)
            signDoc.chainID = spec.chainID
            signDoc.accountNumber = spec.accountNumber
            signDocBytes = try CanonicalCodec.encode(signDoc)
        } catch {
            throw .wire(error)
        }
    }

    /// TxRaw with one 64-byte R||S signature.
    public func assemble(signature: Bytes) throws(CosmosTxError) -> SignedCosmosTx {
        guard signature.count == 64 else { throw .invalidSignatureLength(signature.count) }
        var raw = Cosmos_Tx_V1beta1_TxRaw()
        raw.bodyBytes = Data(bodyBytes)
        raw.authInfoBytes = Data(authInfoBytes)
        raw.signatures = [Data(signature)]
        do {
            return SignedCosmosTx(txRawBytes: try CanonicalCodec.encode(raw))
        } catch {
            throw .wire(error)
        }
    }

    /// Signs the sign doc with `signer` (e.g. the supplier key's cosmos
    /// `Sign`, which hashes with sha256 itself) and assembles the TxRaw.
    /// Errors thrown by `signer` propagate unchanged.
    public func sign(with signer: (Bytes) throws -> Bytes) throws -> SignedCosmosTx {
        try assemble(signature: try signer(signDocBytes))
    }
}

/// The broadcastable transaction.
public struct SignedCosmosTx: Sendable, Equatable {
    /// `BroadcastTxRequest.tx_bytes`.
    public let txRawBytes: Bytes

    /// Uppercase hex sha256 of the TxRaw bytes.
    public var hash: String { CosmosTx.hash(txRaw: txRawBytes) }
}
