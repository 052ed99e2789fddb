import CSecp256k1

/// The two hash functions of the ring scheme, reproducing the Go reference
/// (ring-go with go-dleq's default decred backend) bit for bit.
public enum RingHashes {
    /// Field prime p of secp256k1, big-endian.
    static let fieldPrime: Bytes = try! Hex.decode("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")

    /// H_p(P): SHA3-256 of the 33-byte compressed key, re-hashed until the
    /// value is the x of a curve point; the even-y point is taken. Returns nil
    /// after 128 tries (never observed; the chance is ~2^-128).
    public static func hashToCurve(_ publicKey: PublicKey) -> PublicKey? {
        guard let point = hashToCurvePoint(publicKey.compressed) else { return nil }
        return try? PublicKey(bytes: CurveOps.compressed(point))
    }

    /// Number of re-hashes hash-to-curve needed (0 when the first digest worked).
    public static func hashToCurveRehashes(_ publicKey: PublicKey) -> Int? {
        var h = Hash.sha3_256(publicKey.compressed)
        for attempt in 0..<128 {
            if parseX(h) != nil { return attempt }
            h = Hash.sha3_256(h)
        }
        return nil
    }

    static func hashToCurvePoint(_ compressed: Bytes) -> secp256k1_pubkey? {
        var h = Hash.sha3_256(compressed)
        for _ in 0..<128 {
            if let p = parseX(h) { return p }
            h = Hash.sha3_256(h)
        }
        return nil
    }

    /// The even-y point with x = h mod p, if x³+7 is a square.
    private static func parseX(_ h: Bytes) -> secp256k1_pubkey? {
        var x = h
        if !x.lexicographicallyPrecedes(fieldPrime) { x = subtract(x, fieldPrime) }
        return CurveOps.parseCompressed(ArraySlice([0x02] + x))
    }

    private static func subtract(_ a: Bytes, _ b: Bytes) -> Bytes {
        var out = Bytes(repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(a[i]) - Int(b[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
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

    /// c = H(m ‖ L ‖ R), the 98-byte challenge preimage.
    static func challenge(message: Bytes, l: secp256k1_pubkey, r: secp256k1_pubkey) throws(RingSignatureError) -> Bytes {
        try hashToScalar(message + CurveOps.compressed(l) + CurveOps.compressed(r))
    }
}
