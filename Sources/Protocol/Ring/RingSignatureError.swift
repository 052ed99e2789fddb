/// Why a ring signature could not be decoded, produced or verified.
public enum RingSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than 4 bytes: no ring size.
    case truncatedHeader(length: Int)
    /// The ring-size prefix is 0 (Go deserializes it and then panics in Verify).
    case emptyRing
    /// The input is shorter than the ring size announces.
    case tooShort(ringSize: UInt32, length: Int)
    /// A point is not a valid 33-byte compressed secp256k1 key.
    case invalidPoint(field: String)
    /// The signer index is outside the ring, or the key is not the ring member at it.
    case signerNotInRing
    /// Signing needs at least one member.
    case ringTooSmall(Int)
    /// A hash-to-scalar result is ≥ N after left alignment (Go panics; probability ≈ 2^-136).
    case scalarOverflow
    /// Hash-to-curve found no point within 128 tries.
    case hashToCurveFailed
    /// The random source produced 64 draws in a row that led to a zero/infinity case.
    case randomnessExhausted

    public var description: String {
        switch self {
        case .truncatedHeader(let n): return "ring signature too short for its size prefix (\(n) bytes)"
        case .emptyRing: return "ring signature has ring size 0"
        case .tooShort(let n, let len): return "ring signature of \(len) bytes is too short for \(n) members"
        case .invalidPoint(let f): return "ring signature field \(f) is not a valid compressed secp256k1 point"
        case .signerNotInRing: return "signer key is not the ring member at the signer index"
        case .ringTooSmall(let n): return "ring signing needs at least 1 member, got \(n)"
        case .scalarOverflow: return "hash-to-scalar produced a value not below the group order"
        case .hashToCurveFailed: return "hash-to-curve found no curve point"
        case .randomnessExhausted: return "random source kept producing degenerate nonces"
        }
    }
}
