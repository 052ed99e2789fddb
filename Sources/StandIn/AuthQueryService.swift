import Foundation
import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain
import SwiftProtobuf

/// `cosmos.auth.v1beta1.Query/Account`: a `BaseAccount` packed in an Any,
/// with its secp256k1 public key packed in another Any (absent for an
/// account that never signed), as a node returns it.
struct AuthQueryService: Cosmos_Auth_V1beta1_Query.SimpleServiceProtocol {
    let chain: FakeChain

    static let baseAccountTypeURL = "/" + Cosmos_Auth_V1beta1_BaseAccount.protoMessageName

    func account(request: Cosmos_Auth_V1beta1_QueryAccountRequest, context: ServerContext) async throws -> Cosmos_Auth_V1beta1_QueryAccountResponse {
        try RequestCheck.address(request.address, field: "address")
        let account = try await chainCall { () async throws(ChainError) in try await chain.account(address: request.address) }
        var base = Cosmos_Auth_V1beta1_BaseAccount()
        base.address = account.address
        base.accountNumber = account.accountNumber
        base.sequence = account.sequence
        if let key = account.publicKey {
            var pubKey = Cosmos_Crypto_Secp256k1_PubKey()
            pubKey.key = Data(key.compressed)
            base.pubKey = try Self.pack(pubKey, typeURL: CosmosTx.secp256k1PubKeyTypeURL)
        }
        var response = Cosmos_Auth_V1beta1_QueryAccountResponse()
        response.account = try Self.pack(base, typeURL: Self.baseAccountTypeURL)
        return response
    }

    static func pack<M: SwiftProtobuf.Message>(_ message: M, typeURL: String) throws(RPCError) -> Google_Protobuf_Any {
        var any = Google_Protobuf_Any()
        any.typeURL = typeURL
        do { any.value = Data(try CanonicalCodec.encode(message)) } catch { throw RPCError(code: .internalError, message: "\(error)") }
        return any
    }
}
