/// Why a transaction could not be assembled.
public enum CosmosTxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SIGN_MODE_DIRECT secp256k1 signatures are exactly 64 bytes (R||S).
    case invalidSignatureLength(Int)
    /// The signer key must be a 33-byte compressed secp256k1 point.
    case invalidPublicKeyLength(Int)
    case wire(WireError)

    public var description: String {
        switch self {
        case .invalidSignatureLength(let n): return "transaction signature must be 64 bytes, got \(n)"
        case .invalidPublicKeyLength(let n): return "signer public key must be 33 bytes (compressed), got \(n)"
        case .wire(let e): return e.description
        }
    }
}
