import Testing
@testable import PocketProtocol

@Suite struct CryptoTests {
    /// Known-answer A.1 (docs/protocol.md#known-answer-values): the Go relay miner's README example key.
    @Test func appendixA1KeysAndAddresses() throws {
        let app = try PrivateKey(hex: "2d00ef074d9b51e46886dc9a1df11e7b986611d0f336bdcf1f0adce3e037ec0a")
        #expect(app.publicKey.compressed.hex == "0397896e9b106df70124a856861cc9be52fac9980e2c7a118a36c19d0198692cc5")
        #expect(app.publicKey.address() == "pokt1mrqt5f7qh8uxs27cjm9t7v9e74a9vvdnq5jva4")
        #expect(RingMembership.placeholderKey.bytes.hex == "60c6cbe6b5011807d6486f351cbde6f964356df1d0bc1b04f8589cead5ab5206")
        #expect(RingMembership.placeholderAddress == "pokt1v9utztg8z8e6jv9xzv7rnt3m38570xsyjr2crf")
    }

    /// Known-answer A.5 (docs/protocol.md#known-answer-values): the supplier signature over the response signable hash.
    @Test func appendixA5SupplierSignature() throws {
        let supplier = try PrivateKey(hex: "5f3c1a0e9b8d7c6b5a49382716054f3e2d1c0b0a99887766554433221100aabb")
        let h = try Hex.decode("04eebb92d1d728932f843fee431f2ff30331d4ac6e8239073e0b4b97e50eb39e")
        let sig = SupplierSignature.sign(h, with: supplier)
        #expect(sig.hex == "72c8631779e907fe10c473d4fc9a8c7bbc92de658d9147662575431304b19ee71da2e7e7530a8ddf416ecafce2d582f09374f4631f6d04c29dc8c152d437e800")
        #expect(SupplierSignature.verify(sig, message: h, publicKey: supplier.publicKey))
    }

    @Test func signaturesAreLowSAndRoundTrip() throws {
        var rng = SeededRNG(seed: 11)
        let halfOrder = try Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
        for _ in 0..<200 {
            let key = PrivateKey.fromSecret(rng.bytes(16))
            let message = rng.bytes(Int.random(in: 0...80, using: &rng))
            let sig = SupplierSignature.sign(message, with: key)
            #expect(sig.count == 64)
            #expect(!halfOrder.lexicographicallyPrecedes(Array(sig[32...])) || Array(sig[32...]) == halfOrder)
            #expect(SupplierSignature.verify(sig, message: message, publicKey: key.publicKey))
            var flipped = sig
            flipped[Int.random(in: 0..<64, using: &rng)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            #expect(!SupplierSignature.verify(flipped, message: message, publicKey: key.publicKey))
        }
    }

    @Test func badKeysAreTypedErrors() {
        #expect(throws: KeyError.invalidPrivateKeyLength(31)) { try PrivateKey(bytes: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: KeyError.privateKeyOutOfRange) { try PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: KeyError.privateKeyOutOfRange) { try PrivateKey(bytes: Secp256k1Order.n) }
        #expect(throws: KeyError.invalidPublicKey(length: 33)) { try PublicKey(bytes: [0x02] + [UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: KeyError.invalidPublicKey(length: 5)) { try PublicKey(bytes: [1, 2, 3, 4, 5]) }
    }

    @Test func bech32RejectsMalformedInput() {
        #expect(throws: Bech32Error.mixedCase) { try Bech32.decode("pokt1Mrqt5f7qh8uxs27cjm9t7v9e74a9vvdnq5jva4") }
        #expect(throws: Bech32Error.invalidChecksum) { try Bech32.decode("pokt1mrqt5f7qh8uxs27cjm9t7v9e74a9vvdnq5jva5") }
        #expect(throws: Bech32Error.wrongPrefix(expected: "pokt", got: "cosmos")) {
            try Bech32.decodeAddress(Bech32.encode(hrp: "cosmos", data: [UInt8](repeating: 7, count: 20)))
        }
        #expect(throws: Bech32Error.invalidLength(3)) { try Bech32.decode("p1q") }
    }
}
