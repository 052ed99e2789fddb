import CSecp256k1

/// A bLSAG ring signature as gateways and applications attach to relay
/// requests (ring-go wire format). The ring's public keys travel inside the
/// signature, in ring order.
public struct RingSignature: Sendable, Hashable {
    public let c0: Bytes
    /// Key image I = x·H_p(x·G): identical for every signature by one key.
    public let keyImage: PublicKey
    public let responses: [Bytes]
    public let ring: [PublicKey]

    public init(c0: Bytes, keyImage: PublicKey, responses: [Bytes], ring: [PublicKey]) {
        self.c0 = c0
        self.keyImage = keyImage
        self.responses = responses
        self.ring = ring
    }

    public var ringSize: Int { ring.count }

    // MARK: Wire format

    /// `BE32(n) ‖ c0 ‖ I ‖ n × (s_i ‖ P_i)` — 69 + 65·n bytes.
    public func serialized() -> Bytes {
        var out = ByteOrder.bigEndian32(UInt32(ring.count))
        out.reserveCapacity(69 + 65 * ring.count)
        out += c0
        out += keyImage.compressed
        for (s, p) in zip(responses, ring) {
            out += s
            out += p.compressed
        }
        return out
    }

    /// Decodes leniently, exactly as the Go reference: scalars ≥ N are
    /// reduced (not rejected), trailing bytes are ignored, the only length
    /// sanity check is `len ≥ 33·n`. A size of 0 is rejected here (Go would
    /// accept it and then panic while verifying).
    public init(serialized bytes: Bytes) throws(RingSignatureError) {
        self = try Self.decode(bytes)
    }

    /// Decodes and checks every point (decompressions are memoized per key,
    /// so the verification that follows does not repeat them).
    static func decode(_ bytes: Bytes) throws(RingSignatureError) -> RingSignature {
        guard bytes.count >= 4 else { throw .truncatedHeader(length: bytes.count) }
        let n = ByteOrder.readBigEndian32(bytes, at: 0)
        guard n > 0 else { throw .emptyRing }
        guard UInt64(bytes.count) >= UInt64(n) * 33 else { throw .tooShort(ringSize: n, length: bytes.count) }
        var offset = 4
        func take(_ count: Int) throws(RingSignatureError) -> ArraySlice<UInt8> {
            guard bytes.count - offset >= count else { throw .tooShort(ringSize: n, length: bytes.count) }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }
        let c0 = Secp256k1Order.reduce(Array(try take(32)))
        let imageBytes = try take(33)
        let cache = RingPointCache.shared
        guard cache.point(Array(imageBytes)) != nil else { throw .invalidPoint(field: "key image") }
        var responses: [Bytes] = []
        var ring: [PublicKey] = []
        responses.reserveCapacity(Int(n))
        ring.reserveCapacity(Int(n))
        for i in 0..<Int(n) {
            responses.append(Secp256k1Order.reduce(Array(try take(32))))
            let memberBytes = Array(try take(33))
            guard cache.point(memberBytes) != nil else { throw .invalidPoint(field: "ring member \(i)") }
            ring.append(PublicKey(validatedCompressed: memberBytes))
        }
        return RingSignature(c0: c0, keyImage: PublicKey(validatedCompressed: Array(imageBytes)), responses: responses, ring: ring)
    }

    // MARK: Membership

    /// Every key inside the signature belongs to `expected` (set membership:
    /// order, size and duplicates are not compared — the chain's rule).
    public func membersBelong(to expected: Set<PublicKey>) -> Bool {
        ring.allSatisfy { expected.contains($0) }
    }

    // MARK: Signing

    /// Signs with the member at `signerIndex`. Draws 32-byte nonces from
    /// `rng` in the reference order (u first, then s for signer+1, signer+2, …),
    /// each reduced mod N, so a recorded stream reproduces a signature exactly.
    public static func sign<R: RandomNumberGenerator>(
        message: Bytes, ring: [PublicKey], signerIndex: Int, privateKey: PrivateKey, using rng: inout R
    ) throws(RingSignatureError) -> RingSignature {
        let n = ring.count
        guard n >= 1 else { throw .ringTooSmall(n) }
        guard signerIndex >= 0, signerIndex < n, ring[signerIndex] == privateKey.publicKey else { throw .signerNotInRing }
        guard let (hj, keyImage) = RingPointCache.shared.signer(publicKey: ring[signerIndex], privateKey: privateKey) else {
            throw .hashToCurveFailed
        }
        // The other members' steps use only public values: the fast verifier arithmetic.
        let tables = try RingTables(imageKey: keyImage.compressed, memberKeys: ring.map(\.compressed))
        for _ in 0..<64 {
            if let signature = try attempt(message: message, ring: ring, j: signerIndex, x: privateKey.bytes, hj: hj,
                                           keyImage: keyImage, tables: tables, rng: &rng) {
                return signature
            }
        }
        throw .randomnessExhausted
    }

    private static func attempt<R: RandomNumberGenerator>(
        message: Bytes, ring: [PublicKey], j: Int, x: Bytes, hj: secp256k1_pubkey, keyImage: PublicKey, tables: RingTables, rng: inout R
    ) throws(RingSignatureError) -> RingSignature? {
        let n = ring.count
        var c = [Bytes](repeating: [], count: n)
        var s = [Bytes](repeating: [], count: n)
        // The signer's commitment uses the secret nonce u: constant-time libsecp256k1.
        let u = randomScalar(&rng)
        guard let uG = CurveOps.baseMul(u), let uH = CurveOps.mul(hj, u) else { return nil }
        c[(j + 1) % n] = try RingHashes.challenge(message: message, l: CurveOps.compressed(uG), r: CurveOps.compressed(uH))
        for i in 1..<n {
            let k = (j + i) % n
            s[k] = randomScalar(&rng)
            guard let commitments = tables.commitments(member: k, c: c[k], s: s[k]) else { return nil }
            c[(k + 1) % n] = try RingHashes.challenge(message: message, l: commitments.l, r: commitments.r)
        }
        // s_j = u − c_j·x
        guard let cx = CurveOps.scalarMul(c[j], x), let negCx = CurveOps.scalarNegate(cx),
              let sj = CurveOps.scalarAdd(u, negCx) else { return nil }
        s[j] = sj
        return RingSignature(c0: c[0], keyImage: keyImage, responses: s, ring: ring)
    }

    private static func randomScalar<R: RandomNumberGenerator>(_ rng: inout R) -> Bytes {
        var raw = Bytes()
        raw.reserveCapacity(32)
        while raw.count < 32 {
            var word = rng.next()
            for _ in 0..<8 { raw.append(UInt8(truncatingIfNeeded: word)); word >>= 8 }
        }
        return Secp256k1Order.reduce(raw)
    }
}
