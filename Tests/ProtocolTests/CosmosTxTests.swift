import Foundation
import SwiftProtobuf
import Testing
import PocketProtocol

/// SIGN_MODE_DIRECT assembly (docs/protocol.md#cosmos-transactions). Expected bytes were encoded
/// by hand (field by field) independently of swift-protobuf.
@Suite struct CosmosTxTests {
    static let publicKey: Bytes = [0x02] + Bytes(1...32)
    static let signature = Bytes(0..<64)

    static func spec() throws -> CosmosTxSpec {
        var claim = Pocket_Proof_MsgCreateClaim()
        claim.supplierOperatorAddress = "pokt1abc"
        claim.rootHash = Data([1, 2])
        var timeout = Google_Protobuf_Timestamp()
        timeout.seconds = 1_700_000_000
        timeout.nanos = 5
        var fee = Cosmos_Base_V1beta1_Coin()
        fee.denom = "upokt"
        fee.amount = "123"
        return CosmosTxSpec(
            messages: [try CosmosTx.pack(claim)], memo: "HA RelayMiner", unordered: true,
            timeoutTimestamp: timeout, feeAmount: [fee], gasLimit: 200_000,
            signerPublicKey: publicKey, chainID: "pocket", accountNumber: 42, sequence: 0)
    }

    static let body = "0a2e0a1c2f706f636b65742e70726f6f662e4d7367437265617465436c61696d120e0a08706f6b74316162631a0201"
        + "02120d48412052656c61794d696e657220012a080880e2cfaa061005"
    static let authInfo = "0a4e0a460a1f2f636f736d6f732e63727970746f2e736563703235366b312e5075624b657912230a2102010203040506"
        + "0708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2012040a02080112120a0c0a0575706f6b74120331323310c09a0c"

    @Test func packUsesTheChainTypeURL() throws {
        var proof = Pocket_Proof_MsgSubmitProof()
        proof.supplierOperatorAddress = "pokt1x"
        let any = try CosmosTx.pack(proof)
        #expect(any.typeURL == "/pocket.proof.MsgSubmitProof")
        #expect(Bytes(any.value) == [0x0a, 0x06] + Bytes("pokt1x".utf8))
    }

    @Test func bodyAuthInfoAndSignDocBytes() throws {
        let tx = try UnsignedCosmosTx(try Self.spec())
        #expect(tx.bodyBytes.hex == Self.body)
        #expect(tx.authInfoBytes.hex == Self.authInfo)
        #expect(tx.signDocBytes.hex == "0a4b" + Self.body + "1264" + Self.authInfo + "1a06706f636b6574202a")
    }

    @Test func txRawAndUppercaseHash() throws {
        let signed = try UnsignedCosmosTx(try Self.spec()).assemble(signature: Self.signature)
        #expect(signed.txRawBytes.hex == "0a4b" + Self.body + "1264" + Self.authInfo + "1a40" + Self.signature.hex)
        #expect(signed.hash == "007CE89DC353A563DD40177868BE97CC63F834CF5EAA1290CF542AB240E1A9D4")
    }

    @Test func signerSeesTheSignDocAndItsErrorsPropagate() throws {
        let tx = try UnsignedCosmosTx(try Self.spec())
        var seen: Bytes = []
        let signed = try tx.sign { doc in seen = doc; return Self.signature }
        #expect(seen == tx.signDocBytes)
        #expect(signed == (try tx.assemble(signature: Self.signature)))

        struct SignerDown: Error {}
        #expect(throws: SignerDown.self) { try tx.sign { _ in throw SignerDown() } }
    }

    @Test func rejectsBadSignatureAndKeyLengths() throws {
        let tx = try UnsignedCosmosTx(try Self.spec())
        #expect(throws: CosmosTxError.invalidSignatureLength(63)) { try tx.assemble(signature: Bytes(repeating: 1, count: 63)) }
        #expect(throws: CosmosTxError.invalidSignatureLength(65)) { try tx.assemble(signature: Bytes(repeating: 1, count: 65)) }
        var spec = try Self.spec()
        spec.signerPublicKey = Bytes(repeating: 4, count: 65)
        #expect(throws: CosmosTxError.invalidPublicKeyLength(65)) { try UnsignedCosmosTx(spec) }
    }

    @Test func orderedTxCarriesSequenceAndTimeoutHeight() throws {
        var spec = try Self.spec()
        spec.unordered = false
        spec.timeoutTimestamp = nil
        spec.timeoutHeight = 300
        spec.sequence = 7
        let tx = try UnsignedCosmosTx(spec)
        let body = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_TxBody.self, from: tx.bodyBytes)
        #expect(body.timeoutHeight == 300 && !body.unordered && !body.hasTimeoutTimestamp)
        #expect(tx.bodyBytes.suffix(3) == [0x18, 0xac, 0x02])
        let auth = try CanonicalCodec.decode(Cosmos_Tx_V1beta1_AuthInfo.self, from: tx.authInfoBytes)
        #expect(auth.signerInfos.first?.sequence == 7)
        #expect(auth.signerInfos.first?.modeInfo.single.mode == .direct)
    }
}
