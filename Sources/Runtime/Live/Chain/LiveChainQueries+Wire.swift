import Foundation
import PocketProtocol
import RelayRuntime
import SwiftProtobuf

/// The chain's wire answers turned into the port's values. Each function
/// either returns a value the runtime can trust or says what was wrong
/// (`LiveChainWireError`), which the caller reports as `invalidResponse`
/// with the method and endpoint.
enum LiveChainWire {
    static let baseAccountTypeURL = "/" + Cosmos_Auth_V1beta1_BaseAccount.protoMessageName

    /// An auth module account: a `BaseAccount` in an `Any`, whose public key
    /// is a secp256k1 key in another `Any`, absent until the account signs.
    static func account(_ packed: Google_Protobuf_Any, address: String) throws(LiveChainWireError) -> ChainAccount {
        guard packed.typeURL == baseAccountTypeURL else {
            throw LiveChainWireError("account \(address) is a \"\(packed.typeURL)\", expected \(baseAccountTypeURL)")
        }
        let base: Cosmos_Auth_V1beta1_BaseAccount
        do {
            base = try Cosmos_Auth_V1beta1_BaseAccount(serializedBytes: packed.value)
        } catch {
            throw LiveChainWireError("account \(address): undecodable BaseAccount: \(error)")
        }
        guard base.address == address else {
            throw LiveChainWireError("asked for account \(address), got \(base.address)")
        }
        return ChainAccount(address: base.address, accountNumber: base.accountNumber, sequence: base.sequence,
                            publicKey: base.hasPubKey ? try publicKey(base.pubKey, address: address) : nil)
    }

    static func publicKey(_ packed: Google_Protobuf_Any, address: String) throws(LiveChainWireError) -> PublicKey {
        guard packed.typeURL == CosmosTx.secp256k1PubKeyTypeURL else {
            throw LiveChainWireError("account \(address) has a \"\(packed.typeURL)\" key, expected \(CosmosTx.secp256k1PubKeyTypeURL)")
        }
        do {
            let key = try Cosmos_Crypto_Secp256k1_PubKey(serializedBytes: packed.value)
            return try PublicKey(bytes: Bytes(key.key))
        } catch {
            throw LiveChainWireError("account \(address): unusable public key: \(error)")
        }
    }

    /// The proof module's params; its amounts are uPOKT coins.
    static func proofParams(_ wire: Pocket_Proof_Params) throws(LiveChainWireError) -> ProofParams {
        do { return try ProofParams(wire) } catch { throw LiveChainWireError(error.description) }
    }

    /// A uPOKT amount (a decimal string on the wire). An unset coin is zero.
    static func upokt(_ coin: Cosmos_Base_V1beta1_Coin, _ field: String) throws(LiveChainWireError) -> UInt64 {
        do { return try coin.upoktAmount(field: field) } catch { throw LiveChainWireError(error.description) }
    }

    /// A relay-mining difficulty target: a 32-byte hash.
    static func difficultyTarget(_ difficulty: Pocket_Service_RelayMiningDifficulty, serviceID: String) throws(LiveChainWireError) -> [UInt8] {
        guard difficulty.serviceID.isEmpty || difficulty.serviceID == serviceID else {
            throw LiveChainWireError("asked for the difficulty of \(serviceID), got \(difficulty.serviceID)")
        }
        guard difficulty.targetHash.count == 32 else {
            throw LiveChainWireError("difficulty target of \(serviceID) is \(difficulty.targetHash.count) bytes, expected 32")
        }
        return Bytes(difficulty.targetHash)
    }
}

/// What made a wire answer unusable.
struct LiveChainWireError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
