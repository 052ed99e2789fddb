import Foundation
import PocketProtocol
import SwiftProtobuf

/// Why a claim/proof transaction could not be built.
public struct MinerTxError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Builds the miner's signed transactions (docs/protocol.md#cosmos-transactions): SIGN_MODE_DIRECT,
/// unordered with sequence 0, a timeout timestamp anchored on the latest
/// block time, gas from simulation × adjustment, fee from the gas price.
struct MinerTxBuilder: Sendable {
    let config: MinerConfig
    let chain: any ChainPort
    let signer: any SupplierSigner

    /// The SDK rejects unordered txs whose timeout is more than 10 min ahead; stay 10 s below.
    static let maxTimeout: Duration = .seconds(590)

    /// Signs `messages` into one tx. `uniqueness` distinguishes txs of the same
    /// signer at the same block (unordered txs are keyed by signer + timeout
    /// timestamp), deterministically: it picks the timestamp's nanoseconds.
    func build(messages: [MinerMessage], accountNumber: UInt64, blockTime: RuntimeInstant, uniqueness: Bytes) async throws -> SignedCosmosTx {
        var packed = [Google_Protobuf_Any]()
        for m in messages { packed.append(try m.packed()) }
        let timeout = min(config.txTimeout, Self.maxTimeout)
        let deadline = blockTime.unixNanoseconds / 1_000_000_000 + timeout.nanoseconds / 1_000_000_000
        var timestamp = Google_Protobuf_Timestamp()
        timestamp.seconds = deadline
        timestamp.nanos = Int32(ByteOrder.readBigEndian32(Hash.sha256(uniqueness), at: 0) % 1_000_000_000)

        func spec(gas: UInt64, fee: [Cosmos_Base_V1beta1_Coin]) -> CosmosTxSpec {
            CosmosTxSpec(
                messages: packed, memo: config.memo, unordered: true, timeoutTimestamp: timestamp,
                feeAmount: fee, gasLimit: gas, signerPublicKey: signer.publicKey.compressed,
                chainID: config.chainID, accountNumber: accountNumber, sequence: 0)
        }
        let probe = try sign(spec(gas: 0, fee: []))
        let used: UInt64
        do {
            used = try await chain.simulate(txBytes: probe.txRawBytes)
        } catch {
            throw MinerTxError("simulation failed: \(error)")
        }
        let gas = UInt64((Double(used) * config.gasAdjustment).rounded(.up))
        return try sign(spec(gas: gas, fee: fee(forGas: gas)))
    }

    /// The same messages, memo and timeout timestamp as `txBytes` (a tx the
    /// node refuses to take again), with a 20 % higher gas limit and its fee:
    /// different bytes, and — same signer, same unordered timestamp — never
    /// both executed on a real chain.
    func replacement(of txBytes: Bytes, accountNumber: UInt64) throws -> SignedCosmosTx {
        let raw = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxRaw.self, from: txBytes)
        let body = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxBody.self, from: Bytes(raw.bodyBytes))
        let auth = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_AuthInfo.self, from: Bytes(raw.authInfoBytes))
        let gas = auth.fee.gasLimit + max(1, auth.fee.gasLimit / 5)
        return try sign(CosmosTxSpec(
            messages: body.messages, memo: body.memo, timeoutHeight: body.timeoutHeight, unordered: body.unordered,
            timeoutTimestamp: body.hasTimeoutTimestamp ? body.timeoutTimestamp : nil, feeAmount: fee(forGas: gas), gasLimit: gas,
            signerPublicKey: signer.publicKey.compressed, chainID: config.chainID, accountNumber: accountNumber, sequence: 0))
    }

    /// ceil(gas × gas price) in the fee denomination; no coin at all when it is 0.
    private func fee(forGas gas: UInt64) -> [Cosmos_Base_V1beta1_Coin] {
        let amount = config.gasPrice > 0 ? UInt64((Double(gas) * config.gasPrice).rounded(.up)) : 0
        guard amount > 0 else { return [] }
        var coin = Cosmos_Base_V1beta1_Coin()
        coin.denom = config.feeDenom
        coin.amount = String(amount)
        return [coin]
    }

    private func sign(_ spec: CosmosTxSpec) throws -> SignedCosmosTx {
        let unsigned = try UnsignedCosmosTx(spec)
        return try unsigned.sign { doc in try signer.sign(doc) }
    }
}

/// A message of a claim or proof transaction.
enum MinerMessage: Sendable {
    case createClaim(Pocket_Proof_MsgCreateClaim)
    case submitProof(Pocket_Proof_MsgSubmitProof)

    func packed() throws -> Google_Protobuf_Any {
        switch self {
        case .createClaim(let m): return try CosmosTx.pack(m)
        case .submitProof(let m): return try CosmosTx.pack(m)
        }
    }
}

enum MinerMessages {
    static let createClaimURL = "/" + Pocket_Proof_MsgCreateClaim.protoMessageName
    static let submitProofURL = "/" + Pocket_Proof_MsgSubmitProof.protoMessageName

    static func header(_ session: SessionInfo) -> Pocket_Session_SessionHeader {
        var h = Pocket_Session_SessionHeader()
        h.applicationAddress = session.applicationAddress
        h.serviceID = session.serviceID
        h.sessionID = session.key.sessionID
        h.sessionStartBlockHeight = session.sessionStart
        h.sessionEndBlockHeight = session.key.sessionEnd
        return h
    }

    static func createClaim(supplier: String, session: SessionInfo, root: Bytes) -> MinerMessage {
        var m = Pocket_Proof_MsgCreateClaim()
        m.supplierOperatorAddress = supplier
        m.sessionHeader = header(session)
        m.rootHash = Data(root)
        return .createClaim(m)
    }

    static func submitProof(supplier: String, session: SessionInfo, proof: Bytes) -> MinerMessage {
        var m = Pocket_Proof_MsgSubmitProof()
        m.supplierOperatorAddress = supplier
        m.sessionHeader = header(session)
        m.proof = Data(proof)
        return .submitProof(m)
    }

    /// Session ids claimed (or proven, for `typeURL` = submitProofURL) by a signed tx.
    static func sessionIDs(inTx txBytes: Bytes, typeURL: String) -> [String] {
        guard let raw = try? CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxRaw.self, from: txBytes),
              let body = try? CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxBody.self, from: Bytes(raw.bodyBytes)) else { return [] }
        var ids: [String] = []
        for any in body.messages where any.typeURL == typeURL {
            if typeURL == createClaimURL, let m = try? CanonicalCodec.decode(Pocket_Proof_MsgCreateClaim.self, from: Bytes(any.value)) {
                ids.append(m.sessionHeader.sessionID)
            } else if typeURL == submitProofURL, let m = try? CanonicalCodec.decode(Pocket_Proof_MsgSubmitProof.self, from: Bytes(any.value)) {
                ids.append(m.sessionHeader.sessionID)
            }
        }
        return ids.sorted()
    }
}

/// What the miner knows about a session from its relays.
struct SessionInfo: Sendable, Hashable {
    let key: MinerSessionKey
    let sessionStart: Int64
    let serviceID: String
    let applicationAddress: String
}
