import Foundation
import PocketProtocol
import SwiftProtobuf
import Testing

@testable import RelayRuntime

/// The miner's pieces that need no chain: replacement txs, batch decoding,
/// stream-entry validation (record round trips: `MinerRecordTests`).
@Suite struct MinerTransactionTests {
    static let key = PrivateKey.fromSecret("miner-tx-test")
    static let supplier = key.publicKey.address()

    static func session(_ id: String) -> SessionInfo {
        SessionInfo(key: MinerSessionKey(sessionID: id, sessionEnd: 10), sessionStart: 1, serviceID: "anvil", applicationAddress: "pokt1app")
    }

    static func claimTx(_ ids: [String], gas: UInt64 = 1000) throws -> Bytes {
        let messages = try ids.map { try MinerMessages.createClaim(supplier: supplier, session: session($0), root: Bytes(repeating: 1, count: 48)).packed() }
        let spec = CosmosTxSpec(messages: messages, memo: "m", unordered: true,
                                timeoutTimestamp: Google_Protobuf_Timestamp(seconds: 1_767_225_900, nanos: 123), gasLimit: gas,
                                signerPublicKey: key.publicKey.compressed, chainID: "pocket-sim", accountNumber: 7, sequence: 0)
        return try UnsignedCosmosTx(spec).sign { SupplierSignature.sign($0, with: key) }.txRawBytes
    }

    struct NoChain: ChainPort {
        func latestBlock() async throws(ChainError) -> ChainBlock { throw .unavailable("") }
        func block(at height: Int64) async throws(ChainError) -> ChainBlock { throw .unavailable("") }
        func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock> { throw .unavailable("") }
        func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams { throw .unavailable("") }
        func numSuppliersPerSession() async throws(ChainError) -> UInt64 { throw .unavailable("") }
        func proofParams() async throws(ChainError) -> ProofParams { throw .unavailable("") }
        func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session { throw .unavailable("") }
        func application(address: String) async throws(ChainError) -> Pocket_Application_Application { throw .unavailable("") }
        func account(address: String) async throws(ChainError) -> ChainAccount { throw .unavailable("") }
        func balance(address: String) async throws(ChainError) -> UInt64 { throw .unavailable("") }
        func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier { throw .unavailable("") }
        func service(id: String) async throws(ChainError) -> Pocket_Shared_Service { throw .unavailable("") }
        func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64 { throw .unavailable("") }
        func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8] { throw .unavailable("") }
        func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim] { throw .unavailable("") }
        func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64 { throw .unavailable("") }
        func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult { throw .unavailable("") }
    }

    @Test func aReplacementKeepsTheBodyAndRaisesOnlyTheGas() throws {
        var config = MinerConfig.standard(instanceID: "t", blockTime: .seconds(10), chainID: "pocket-sim")
        config.gasPrice = 0.5
        let original = try Self.claimTx(["s1", "s2"])
        let replacement = try MinerTxBuilder(config: config, chain: NoChain(), signer: InMemorySigner(Self.key)).replacement(of: original, accountNumber: 7)
        #expect(replacement.txRawBytes != original)
        let a = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxRaw.self, from: original)
        let b = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxRaw.self, from: replacement.txRawBytes)
        // Same messages, memo and unordered timeout timestamp: byte-identical bodies.
        #expect(a.bodyBytes == b.bodyBytes)
        let auth = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_AuthInfo.self, from: Bytes(b.authInfoBytes))
        #expect(auth.fee.gasLimit == 1200)
        #expect(auth.fee.amount.map(\.amount) == ["600"])
        #expect(auth.signerInfos.first?.sequence == 0)
        #expect(MinerMessages.sessionIDs(inTx: replacement.txRawBytes, typeURL: MinerMessages.createClaimURL) == ["s1", "s2"])
    }

    @Test func theSessionsOfASignedBatchAreReadBackForIntentAdoption() throws {
        let tx = try Self.claimTx(["b", "a", "c"])
        #expect(MinerMessages.sessionIDs(inTx: tx, typeURL: MinerMessages.createClaimURL) == ["a", "b", "c"])
        #expect(MinerMessages.sessionIDs(inTx: tx, typeURL: MinerMessages.submitProofURL) == [])
        #expect(MinerMessages.sessionIDs(inTx: [1, 2, 3], typeURL: MinerMessages.createClaimURL) == [])
    }

    static func entry(_ mutate: (inout Pocket_Relayminer_MinedRelayMessage) -> Void) throws -> StreamEntry {
        let relay = Bytes("relay bytes".utf8)
        var m = Pocket_Relayminer_MinedRelayMessage()
        m.relayBytes = Data(relay)
        m.relayHash = Data(Hash.sha256(relay))
        m.computeUnitsPerRelay = 3
        m.sessionID = "sess"
        m.sessionStartHeight = 1
        m.sessionEndHeight = 10
        m.supplierOperatorAddress = supplier
        m.serviceID = "anvil"
        m.applicationAddress = "pokt1app"
        mutate(&m)
        return StreamEntry(id: StreamID(milliseconds: 5, sequence: 1), fields: [FieldValue(RedisKeys.relayField, try CanonicalCodec.encode(m))])
    }

    @Test func streamEntriesAreValidatedBeforeTheyReachATree() throws {
        let ok = MinedRelayEntry.decode(try Self.entry { _ in }, supplier: Self.supplier)
        guard case .success(let relay) = ok else { Issue.record("valid entry refused: \(ok)"); return }
        #expect(relay.session == MinerSessionKey(sessionID: "sess", sessionEnd: 10))
        #expect(relay.computeUnits == 3 && relay.sessionStart == 1)
        func reason(_ e: StreamEntry) -> DiscardReason? {
            if case .failure(let r) = MinedRelayEntry.decode(e, supplier: Self.supplier) { return r }
            return nil
        }
        #expect(reason(StreamEntry(id: .zero, fields: [FieldValue("other", [1])])) == .missingData)
        #expect(reason(StreamEntry(id: .zero, fields: [FieldValue(RedisKeys.relayField, [0xff, 0xff, 0xff])])) == .undecodable)
        #expect(reason(try Self.entry { $0.supplierOperatorAddress = "pokt1other" }) == .wrongSupplier)
        #expect(reason(try Self.entry { $0.computeUnitsPerRelay = 0 }) == .incomplete)
        #expect(reason(try Self.entry { $0.sessionID = "" }) == .incomplete)
        #expect(reason(try Self.entry { $0.sessionStartHeight = 11 }) == .incomplete)
        #expect(reason(try Self.entry { $0.relayHash = Data(repeating: 0, count: 32) }) == .hashMismatch)
    }

    @Test func theStandardConfigReownsWithinTwoBlocks() {
        let c = MinerConfig.standard(instanceID: "i", blockTime: .seconds(30), chainID: "pocket")
        #expect(c.leaseTTL == .seconds(24) && c.renewPeriod == .milliseconds(7500) && c.instanceTTL == .seconds(24))
        // Worst case: the lease (and heartbeat) outlive the owner by one TTL, a survivor ticks within one renewal.
        #expect(c.leaseTTL + c.renewPeriod < .seconds(60))
        #expect(c.consumerName == "consumer-i")
    }
}
