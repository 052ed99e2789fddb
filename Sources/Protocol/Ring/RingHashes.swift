/// The two hash functions of the ring scheme, reproducing the Go reference
/// (ring-go with go-dleq's default decred backend) bit for bit.
public enum RingHashes {
    /// H_p(P): SHA3-256 of the 33-byte compressed key, re-hashed until the
    /// value is the x of a curve point; the even-y point is taken. Returns nil
    /// after 128 tries (never observed; the chance is ~2^-128).
    public static func hashToCurve(_ publicKey: PublicKey) -> PublicKey? {
        hashToCurvePoint(publicKey.compressed).map { PublicKey(validatedCompressed: $0.compressed) }
    }

    /// Number of re-hashes hash-to-curve needed (0 when the first digest worked).
    public static func hashToCurveRehashes(_ publicKey: PublicKey) -> Int? {
        var h = Hash.sha3_256(publicKey.compressed)
        for attempt in 0..<128 {
            if point(x: h) != nil { return attempt }
            h = Hash.sha3_256(h)
        }
        return nil
    }

    static func hashToCurvePoint(_ compressed: Bytes) -> AffinePoint? {
        var h = Hash.sha3_256(compressed)
        for _ in 0..<128 {
            if let p = point(x: h) { return p }
            h = Hash.sha3_256(h)
        }
        return nil
    }

    /// The even-y point with x = h mod p, if x³+7 is a square.
    private static func point(x h: Bytes) -> AffinePoint? {
        h.withUnsafeBytes { AffinePoint(x: FieldElement(reducing: $0), odd: false) }
    }

    /// go-dleq's hash-to-scalar: SHA3-512, reduced mod N, then the minimal
    /// big-endian bytes are copied LEFT-aligned into 32 bytes (zero-filled on
    /// the right). When the reduced value has a leading zero byte (≈1/256)
    /// the scalar is therefore `n·256^k`, not `n` — consensus code depends on
    /// this quirk. Throws when the aligned value is ≥ N (Go panics there).
    public static func hashToScalar(_ input: Bytes) throws(RingSignatureError) -> Bytes {
        let reduced = Secp256k1Order.reduce(Hash.sha3_512(input))
        let minimal = reduced.drop { $0 == 0 }
        var aligned = Bytes(minimal)
        aligned.append(contentsOf: Bytes(repeating: 0, count: 32 - aligned.count))
        if Secp256k1Order.overflows(aligned) { throw .scalarOverflow }
        return aligned
    }

    /// c = H(m ‖ L ‖ R) over the compressed points.
    static func challenge(message: Bytes, l: Bytes, r: Bytes) throws(RingSignatureError) -> Bytes {
        var preimage = message
        preimage.reserveCapacity(message.count + 66)
        preimage += l
        preimage += r
        return try hashToScalar(preimage)
    }
}
