import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel
import SwiftProtobuf

/// Signed transactions built as the miner builds them (unordered, sequence
/// 0, timeout timestamp after the latest block, SIGN_MODE_DIRECT), reading
/// the account and the latest block through the port under test, with knobs
/// to break them. The bytes depend only on the inputs, so both runs of a
/// contract check broadcast the same transactions.
struct TxBuilder {
    var key = Keys.supplier
    /// Signs with this key instead of `key` (whose public key is in the signer info).
    var signingKey: PrivateKey?
    var unordered = true
    var sequence: UInt64 = 0
    var gasLimit: UInt64 = 500_000
    var fee: UInt64 = 5_000
    var memo = "contract test"
    /// The signer's account number when it must not be read through the port
    /// (a read would put the account in the live client's cache, which then
    /// serves it for up to the live max age).
    var accountNumber: UInt64?

    func build(_ messages: [Google_Protobuf_Any], on port: any ChainPort) async throws -> Bytes {
        let number: UInt64
        if let accountNumber { number = accountNumber } else { number = try await port.account(address: key.publicKey.address()).accountNumber }
        let base = try await port.latestBlock().time
        // Unordered txs of one signer need distinct timeout timestamps (the SDK's unordered nonce).
        let digest = Hash.sha256(messages.flatMap { Array($0.value) } + Array(memo.utf8))
        let nanos = Int32((UInt32(digest[0]) << 16 | UInt32(digest[1]) << 8 | UInt32(digest[2])) % 1_000_000_000)
        let timeout = base.advanced(by: .seconds(300)).unixNanoseconds / 1_000_000_000
        let spec = CosmosTxSpec(
            messages: messages, memo: memo, unordered: unordered,
            timeoutTimestamp: unordered ? Google_Protobuf_Timestamp(seconds: timeout, nanos: nanos) : nil,
            feeAmount: fee > 0 ? [Self.upokt(fee)] : [], gasLimit: gasLimit, signerPublicKey: key.publicKey.compressed,
            chainID: ContractGenesis.chainID, accountNumber: number, sequence: sequence)
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

/// A session's relays, ring-signed by the application's gateway and signed
/// by the supplier, and the supplier's SMST over them: what a miner claims
/// and proves. Built from what the port under test reports (session, ring
/// keys); the ring nonces come from a seeded stream, so both runs build
/// the same relays. Used by one task only.
struct SessionWork {
    let header: Pocket_Session_SessionHeader
    let supplier: PrivateKey
    let relays: [DehydratedRelay]
    let tree: SparseMerkleSumTrie

    static func make(on port: any ChainPort, height: Int64, supplier: PrivateKey = Keys.supplier, count: Int = 4) async throws -> SessionWork {
        let app = Keys.app.publicKey.address()
        let session = try await port.session(application: app, serviceID: ContractGenesis.service, height: height)
        let application = try await port.application(address: app)
        var ring: [PublicKey] = []
        for address in RelayRequestBuilder.ringAddresses(for: application) {
            guard let key = try await port.account(address: address).publicKey else { throw TestFailure("ring member \(address) has no key") }
            ring.append(key)
        }
        var rng = Xoshiro256StarStar(seed: 7, component: "contract.gateway")
        let cupr = try await port.computeUnitsPerRelay(serviceID: ContractGenesis.service, atHeight: session.header.sessionStartBlockHeight)
        var relays: [DehydratedRelay] = []
        let tree = SparseMerkleSumTrie()
        for i in 0..<count {
            let request = try RelayRequestBuilder.build(
                sessionHeader: session.header, supplierOperatorAddress: supplier.publicKey.address(),
                payload: Bytes(#"{"jsonrpc":"2.0","id":\#(i),"method":"eth_blockNumber"}"#.utf8),
                signer: Keys.gateway, ring: ring, using: &rng)
            let response = try RelayResponseBuilder.signed(sessionHeader: session.header,
                                                           payload: Bytes(#"{"id":\#(i),"result":"0x\#(i)"}"#.utf8), key: supplier)
            let relay = try DehydratedRelay(request: request.request, response: response)
            relays.append(relay)
            tree.update(key: relay.hash, value: relay.bytes, weight: cupr)
        }
        return SessionWork(header: session.header, supplier: supplier, relays: relays, tree: tree)
    }

    var supplierAddress: String { supplier.publicKey.address() }

    func claimMessage() throws -> Google_Protobuf_Any {
        var claim = Pocket_Proof_MsgCreateClaim()
        claim.supplierOperatorAddress = supplierAddress
        claim.sessionHeader = header
        claim.rootHash = Data(tree.root)
        return try CosmosTx.pack(claim)
    }

    /// The compact closest proof at the session's path, seeded by the block
    /// before the proof window opens (read through the port).
    func proofMessage(on port: any ChainPort) async throws -> Google_Protobuf_Any {
        let end = header.sessionEndBlockHeight
        let grid = SessionGrid(try await port.sharedParams(atHeight: end))
        let seed = try await port.block(at: grid.proofSeedBlockHeight(end)).hash
        let path = SessionID.proofPath(seedBlockHash: seed, sessionID: header.sessionID)
        var proof = Pocket_Proof_MsgSubmitProof()
        proof.supplierOperatorAddress = supplierAddress
        proof.sessionHeader = header
        proof.proof = Data(GobClosestProofCodec.encode(try tree.proveClosest(path: path).compacted()))
        return try CosmosTx.pack(proof)
    }
}
