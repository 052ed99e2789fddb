import PocketProtocol
import Testing

@Suite struct RelayReceiptTests {
    let key = try! PrivateKey(hex: "3f1b9c0e6a4d2f8b7c5e1a9d3b6f0c2e4a8d7b1c9e3f5a7d0b2c4e6f8a1b3d5c")
    let requestSignature: Bytes = Array(0..<199).map { UInt8($0 & 0xff) }
    let payloadHash: Bytes = Hash.sha256(Array("response".utf8))

    @Test func digestIsSHA256OfDomainSignatureAndPayloadHash() {
        let expected = Hash.sha256(Array("POKT-RELAY-RECEIPT-v1".utf8) + [0] + requestSignature + payloadHash)
        #expect(RelayReceipt.digest(requestSignature: requestSignature, responsePayloadHash: payloadHash) == expected)
    }

    @Test func headerIsV1DotAndLowercaseHexOfTheSupplierSignature() throws {
        let value = RelayReceipt.sign(requestSignature: requestSignature, responsePayloadHash: payloadHash, key: key)
        let digest = RelayReceipt.digest(requestSignature: requestSignature, responsePayloadHash: payloadHash)
        #expect(value == "v1." + Hex.encode(SupplierSignature.sign(digest, with: key)))
        #expect(value.count == 3 + 128)
        try RelayReceipt.verify(headerValue: value, requestSignature: requestSignature, responsePayloadHash: payloadHash, supplierPublicKey: key.publicKey)
    }

    @Test func verifyRefusesOtherResponsesOtherKeysAndBadFormats() throws {
        let value = RelayReceipt.sign(requestSignature: requestSignature, responsePayloadHash: payloadHash, key: key)
        let other = try PrivateKey(hex: "1111111111111111111111111111111111111111111111111111111111111111")
        #expect(throws: RelayReceiptError.badSignature) {
            try RelayReceipt.verify(headerValue: value, requestSignature: requestSignature, responsePayloadHash: Hash.sha256([1]), supplierPublicKey: key.publicKey)
        }
        #expect(throws: RelayReceiptError.badSignature) {
            try RelayReceipt.verify(headerValue: value, requestSignature: requestSignature, responsePayloadHash: payloadHash, supplierPublicKey: other.publicKey)
        }
        var tampered = Array(value)
        tampered[10] = tampered[10] == "0" ? "1" : "0"
        #expect(throws: RelayReceiptError.badSignature) {
            try RelayReceipt.verify(headerValue: String(tampered), requestSignature: requestSignature, responsePayloadHash: payloadHash, supplierPublicKey: key.publicKey)
        }
        #expect(throws: RelayReceiptError.unknownVersion("v2.abcde")) {
            try RelayReceipt.verify(headerValue: "v2.abcdef", requestSignature: requestSignature, responsePayloadHash: payloadHash, supplierPublicKey: key.publicKey)
        }
        #expect(throws: RelayReceiptError.self) {
            try RelayReceipt.verify(headerValue: value.uppercased().replacingOccurrences(of: "V1.", with: "v1."), requestSignature: requestSignature, responsePayloadHash: payloadHash, supplierPublicKey: key.publicKey)
        }
    }

    @Test func onlyTrueAsksForAReceipt() {
        #expect(RelayReceipt.isRequested(headerValue: "true"))
        #expect(RelayReceipt.isRequested(headerValue: " TRUE "))
        #expect(RelayReceipt.isRequested(headerValue: "True"))
        #expect(!RelayReceipt.isRequested(headerValue: "1"))
        #expect(!RelayReceipt.isRequested(headerValue: "yes"))
        #expect(!RelayReceipt.isRequested(headerValue: nil))
        #expect(!RelayReceipt.isRequested(headerValue: "false"))
    }
}
