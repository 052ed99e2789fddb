import Foundation
import PocketProtocol
import SwiftProtobuf

/// A broadcast `TxRaw` opened up for reporting: the decoded `Tx` a node's
/// GetTx returns, its gas limit and its message type URLs. Only reporting
/// uses it; acceptance is the fake chain's CheckTx.
struct DecodedTx {
    let tx: Cosmos_Tx_V1beta1_Tx

    init?(_ bytes: Bytes) {
        guard let raw = try? CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxRaw.self, from: bytes),
              let body = try? CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxBody.self, from: Bytes(raw.bodyBytes)),
              let authInfo = try? CanonicalCodec.decode(Cosmos_Tx_V1beta1_AuthInfo.self, from: Bytes(raw.authInfoBytes))
        else { return nil }
        var tx = Cosmos_Tx_V1beta1_Tx()
        tx.body = body
        tx.authInfo = authInfo
        tx.signatures = raw.signatures
        self.tx = tx
    }

    var gasLimit: UInt64 { tx.authInfo.fee.gasLimit }
    var messageTypeURLs: [String] { tx.body.messages.map(\.typeURL) }

    /// The Tx packed as `TxResponse.tx` carries it.
    var packed: Google_Protobuf_Any {
        var any = Google_Protobuf_Any()
        any.typeURL = "/" + Cosmos_Tx_V1beta1_Tx.protoMessageName
        any.value = Data((try? CanonicalCodec.encode(tx)) ?? [])
        return any
    }

    /// The deprecated `SimulateRequest.tx` form turned back into TxRaw bytes.
    static func rawBytes(of tx: Cosmos_Tx_V1beta1_Tx) -> Bytes? {
        guard let body = try? CanonicalCodec.encode(tx.body), let authInfo = try? CanonicalCodec.encode(tx.authInfo) else { return nil }
        var raw = Cosmos_Tx_V1beta1_TxRaw()
        raw.bodyBytes = Data(body)
        raw.authInfoBytes = Data(authInfo)
        raw.signatures = tx.signatures
        return try? CanonicalCodec.encode(raw)
    }
}
