import Testing
@testable import PocketProtocol

@Suite struct RingSignatureTests {
    static func ring(size: Int, seed: UInt64) -> (keys: [PrivateKey], ring: [PublicKey]) {
        let keys = (0..<size).map { PrivateKey.fromSecret("ring-test-\(seed)-\($0)") }
        return (keys, keys.map(\.publicKey))
    }

    @Test(arguments: 1...16)
    func signThenVerifyForEveryRingSize(size: Int) throws {
        var rng = SeededRNG(seed: UInt64(size))
        let (keys, ring) = Self.ring(size: size, seed: 1)
        let signer = size / 2
        let message = rng.bytes(32)
        let sig = try RingSignature.sign(message: message, ring: ring, signerIndex: signer, privateKey: keys[signer], using: &rng)
        #expect(sig.serialized().count == 69 + 65 * size)
        let decoded = try RingSignature(serialized: sig.serialized())
        #expect(decoded == sig)
        #expect(decoded.verify(message: message))
        #expect(decoded.membersBelong(to: Set(ring)))
        var other = message
        other[0] ^= 1
        #expect(!decoded.verify(message: other))
    }

    @Test func keyImageIsLinkable() throws {
        var rng = SeededRNG(seed: 5)
        let (keys, ring) = Self.ring(size: 3, seed: 2)
        let a = try RingSignature.sign(message: rng.bytes(32), ring: ring, signerIndex: 1, privateKey: keys[1], using: &rng)
        let b = try RingSignature.sign(message: rng.bytes(32), ring: ring, signerIndex: 1, privateKey: keys[1], using: &rng)
        #expect(a.keyImage == b.keyImage)
        #expect(a.c0 != b.c0)
    }

    /// Every single-bit flip of the signature or of the message is rejected
    /// (either the bytes no longer decode, or the signature no longer verifies).
    @Test func everySingleBitTamperingIsRejected() throws {
        var rng = SeededRNG(seed: 9)
        let (keys, ring) = Self.ring(size: 2, seed: 3)
        let message = rng.bytes(32)
        let bytes = try RingSignature.sign(message: message, ring: ring, signerIndex: 0, privateKey: keys[0], using: &rng).serialized()
        var accepted = 0
        for byte in 4..<bytes.count {
            for bit in 0..<8 {
                var t = bytes
                t[byte] ^= 1 << UInt8(bit)
                if case .success = RingMembership.accepts(signature: t, message: message, expected: Set(ring)) { accepted += 1 }
            }
        }
        #expect(accepted == 0)
        for byte in 0..<32 {
            var m = message
            m[byte] ^= 0x80
            if case .success = RingMembership.accepts(signature: bytes, message: m, expected: Set(ring)) { accepted += 1 }
        }
        #expect(accepted == 0)
    }

    /// A right-aligned hash-to-scalar fails ~0.78% of 2-member signatures;
    /// 1500 messages make such a port fail this test with probability > 99.99%.
    @Test func fifteenHundredTwoMemberSignaturesAllVerify() throws {
        var rng = SeededRNG(seed: 1500)
        let (keys, ring) = Self.ring(size: 2, seed: 4)
        var failures = 0
        for i in 0..<1500 {
            let message = rng.bytes(32)
            let sig = try RingSignature.sign(message: message, ring: ring, signerIndex: i % 2, privateKey: keys[i % 2], using: &rng)
            if !(try RingSignature(serialized: sig.serialized())).verify(message: message) { failures += 1 }
        }
        #expect(failures == 0)
    }

    /// Keys first seen go through wNAF tables; from their second use the
    /// cache holds comb tables. Both paths must give the same commitments.
    @Test func firstUseAndCombPathsGiveTheSameCommitments() throws {
        var rng = SeededRNG(seed: 77)
        let keys = (0..<3).map { _ in PrivateKey.fromSecret(rng.bytes(32)) }
        let ring = keys.map(\.publicKey.compressed)
        let image = keys[1].publicKey.compressed  // any valid point not yet cached
        let cache = RingPointCache(capacity: 1_000)
        let first = try RingTables(imageKey: image, memberKeys: ring, cache: cache)
        #expect(first.image.comb == nil && first.members.allSatisfy { $0.combs == nil })
        let second = try RingTables(imageKey: image, memberKeys: ring, cache: cache)
        #expect(second.image.comb != nil && second.members.allSatisfy { $0.combs != nil })
        for k in 0..<3 {
            for _ in 0..<20 {
                let c = Secp256k1Order.reduce(rng.bytes(32)), s = Secp256k1Order.reduce(rng.bytes(32))
                let a = try #require(first.commitments(member: k, c: c, s: s))
                let b = try #require(second.commitments(member: k, c: c, s: s))
                #expect(a.l == b.l && a.r == b.r)
            }
        }
    }

    @Test func malformedBytesAreTypedErrors() throws {
        for n in 0..<4 {
            #expect(throws: RingSignatureError.truncatedHeader(length: n)) { try RingSignature(serialized: [UInt8](repeating: 0, count: n)) }
        }
        #expect(throws: RingSignatureError.emptyRing) { try RingSignature(serialized: [0, 0, 0, 0] + [UInt8](repeating: 1, count: 100)) }
        #expect(throws: RingSignatureError.tooShort(ringSize: 0xffff_ffff, length: 200)) {
            try RingSignature(serialized: [0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 1, count: 196))
        }
        var rng = SeededRNG(seed: 2)
        let (keys, ring) = Self.ring(size: 2, seed: 5)
        let bytes = try RingSignature.sign(message: rng.bytes(32), ring: ring, signerIndex: 1, privateKey: keys[1], using: &rng).serialized()
        for cut in 4..<bytes.count {
            #expect(throws: RingSignatureError.self) { try RingSignature(serialized: Array(bytes[..<cut])) }
        }
        var garbage = bytes
        garbage[36] = 0x05  // key image prefix is neither 02 nor 03
        #expect(throws: RingSignatureError.invalidPoint(field: "key image")) { try RingSignature(serialized: garbage) }
        // Random garbage of every short length never crashes.
        for length in 0..<300 {
            _ = try? RingSignature(serialized: rng.bytes(length))
        }
    }

    @Test func signerMustBeTheRingMemberAtItsIndex() {
        var rng = SeededRNG(seed: 3)
        let (keys, ring) = Self.ring(size: 3, seed: 6)
        #expect(throws: RingSignatureError.signerNotInRing) {
            try RingSignature.sign(message: rng.bytes(32), ring: ring, signerIndex: 0, privateKey: keys[1], using: &rng)
        }
        #expect(throws: RingSignatureError.ringTooSmall(0)) {
            try RingSignature.sign(message: rng.bytes(32), ring: [], signerIndex: 0, privateKey: keys[0], using: &rng)
        }
    }

    @Test func ringConstructionIncludesPendingUndelegationsAtOrAfterTheSessionEnd() {
        let addresses = RingMembership.expectedAddresses(
            application: "pokt1zzz", delegatedGateways: ["pokt1bbb"],
            pendingUndelegations: [100: ["pokt1aaa", "pokt1ccc"], 90: ["pokt1ddd"], 120: ["pokt1aaa"]],
            sessionEndHeight: 100)
        #expect(addresses == ["pokt1aaa", "pokt1bbb", "pokt1ccc", "pokt1zzz"])
        let alone = RingMembership.expectedAddresses(application: "pokt1zzz", delegatedGateways: [], pendingUndelegations: [:], sessionEndHeight: 1)
        #expect(alone == [RingMembership.placeholderAddress, "pokt1zzz"].sorted())
    }
}
