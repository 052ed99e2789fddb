import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SwiftProtobuf

/// Signed transactions built the way the miner builds them (unordered,
/// sequence 0, timeout timestamp after the latest block), with knobs to break
/// them: another signing key, an ordered sequence, a fee.
struct TxBuilder {
    var key = Keys.supplier
    var signingKey: PrivateKey?
    var unordered = true
    var sequence: UInt64 = 0
    var fee = StandIn.fee
    var gasLimit = StandIn.gasLimit
    var memo = "chain server test"

    func build(_ messages: [Google_Protobuf_Any], on chain: FakeChain) async throws -> Bytes {
        let account = try await chain.account(address: key.publicKey.address())
        let base = try await chain.latestBlock().time
        // Distinct nanoseconds per transaction: the unordered nonce is (signer, timeout).
        let digest = Hash.sha256(messages.flatMap { Array($0.value) } + Array(memo.utf8))
        let nanos = Int32((UInt32(digest[0]) << 16 | UInt32(digest[1]) << 8 | UInt32(digest[2])) % 1_000_000_000)
        let timeout = base.advanced(by: .seconds(300)).unixNanoseconds / 1_000_000_000
        let spec = CosmosTxSpec(
            messages: messages, memo: memo, unordered: unordered,
            timeoutTimestamp: unordered ? Google_Protobuf_Timestamp(seconds: timeout, nanos: nanos) : nil,
            feeAmount: fee > 0 ? [Self.upokt(fee)] : [], gasLimit: gasLimit, signerPublicKey: key.publicKey.compressed,
            chainID: chain.genesis.chainID, accountNumber: account.accountNumber, sequence: sequence)
        let signer = signingKey ?? key
        return try UnsignedCosmosTx(spec).sign { SupplierSignature.sign($0, with: signer) }.txRawBytes
    }

    static func upokt(_ amount: UInt64) -> Cosmos_Base_V1beta1_Coin {
        var coin = Cosmos_Base_V1beta1_Coin()
        coin.denom = "upokt"
        coin.amount = String(amount)
        return coin
    }
}

enum Claims {
    /// A MsgCreateClaim for `header` whose root commits to `relays` leaves of
    /// the service's weight (the chain checks count × CUPR = sum, not leaves).
    static func message(header: Pocket_Session_SessionHeader, supplier: PrivateKey = Keys.supplier, relays: Int = 2) throws -> Google_Protobuf_Any {
        let tree = SparseMerkleSumTrie()
        for i in 0..<relays {
            tree.update(key: Hash.sha256(Array("relay-\(i)".utf8)), value: Array("value-\(i)".utf8), weight: StandIn.cupr)
        }
        var claim = Pocket_Proof_MsgCreateClaim()
        claim.supplierOperatorAddress = supplier.publicKey.address()
        claim.sessionHeader = header
        claim.rootHash = Data(tree.root)
        return try CosmosTx.pack(claim)
    }
}
