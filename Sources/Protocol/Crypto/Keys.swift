import CSecp256k1

/// Why a key could not be used.
public enum KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPrivateKeyLength(Int)
    /// Zero or ≥ N: not a valid secp256k1 secret.
    case privateKeyOutOfRange
    case invalidPublicKey(length: Int)

    public var description: String {
        switch self {
        case .invalidPrivateKeyLength(let n): return "private key must be 32 bytes, got \(n)"
        case .privateKeyOutOfRange: return "private key is zero or not below the secp256k1 group order"
        case .invalidPublicKey(let n): return "invalid secp256k1 public key (\(n) bytes)"
        }
    }
}

/// A secp256k1 secret scalar: a supplier operator key, or an application /
/// gateway key that ring-signs relay requests.
public struct PrivateKey: Sendable, Hashable {
    public let bytes: Bytes
    /// Derived once here: signers ask for it on every relay (ring lookup,
    /// key-image memo), and a fresh k·G costs about as much as an ECDSA signature.
    public let publicKey: PublicKey

    public init(bytes: Bytes) throws(KeyError) {
        guard bytes.count == 32 else { throw .invalidPrivateKeyLength(bytes.count) }
        let ok = bytes.withUnsafeBufferPointer { secp256k1_ec_seckey_verify(Secp256k1Context.shared.raw, $0.baseAddress!) }
        guard ok == 1 else { throw .privateKeyOutOfRange }
        self.bytes = bytes
        publicKey = Self.derivePublicKey(bytes)
    }

    public static func == (a: PrivateKey, b: PrivateKey) -> Bool { a.bytes == b.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    /// Accepts 64 hex digits with an optional `0x`, as key files store them.
    public init(hex: String) throws {
        try self.init(bytes: try Hex.decode(hex))
    }

    /// cosmos-sdk `GenPrivKeyFromSecret`: (sha256(secret) mod (N−1)) + 1.
    /// Used for the ring placeholder key and for deterministic test identities.
    public static func fromSecret(_ secret: Bytes) -> PrivateKey {
        let digest = Hash.sha256(secret)
        // (d mod (N-1)) + 1, computed as: if d >= N-1 then d - (N-1) + 1 else d + 1 (d < 2^256 < 2(N-1)).
        let nMinus1 = subtractOne(Secp256k1Order.n)
        var value = digest
        if !value.lexicographicallyPrecedes(nMinus1) { value = subtract(value, nMinus1) }
        value = addOne(value)
        return try! PrivateKey(bytes: value)
    }

    public static func fromSecret(_ secret: String) -> PrivateKey { fromSecret(Array(secret.utf8)) }

    private static func derivePublicKey(_ bytes: Bytes) -> PublicKey {
        var pk = secp256k1_pubkey()
        let ok = bytes.withUnsafeBufferPointer { secp256k1_ec_pubkey_create(Secp256k1Context.shared.raw, &pk, $0.baseAddress!) }
        precondition(ok == 1, "valid secret must give a public key")
        return PublicKey(raw: pk)
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

    private static func subtractOne(_ a: Bytes) -> Bytes { subtract(a, Bytes(repeating: 0, count: 31) + [1]) }

    private static func addOne(_ a: Bytes) -> Bytes {
        var out = a
        for i in stride(from: 31, through: 0, by: -1) {
            if out[i] == 0xff { out[i] = 0 } else { out[i] += 1; break }
        }
        return out
    }
}

/// A secp256k1 public key; canonical form is 33-byte SEC1 compressed, the
/// form in ring signatures, on-chain accounts and address derivation.
public struct PublicKey: Sendable, Hashable {
    /// 33-byte compressed encoding.
    public let compressed: Bytes

    init(raw: secp256k1_pubkey) {
        var pk = raw
        var out = Bytes(repeating: 0, count: 33)
        var len = 33
        _ = secp256k1_ec_pubkey_serialize(Secp256k1Context.shared.raw, &out, &len, &pk, UInt32(SECP256K1_EC_COMPRESSED))
        compressed = out
    }

    /// Bytes already known to be a valid compressed encoding (decoded or produced here).
    init(validatedCompressed bytes: Bytes) {
        compressed = bytes
    }

    /// Parses 33-byte compressed or 65-byte uncompressed SEC1 encodings
    /// (the chain's decoder accepts both); rejects off-curve points.
    public init(bytes: Bytes) throws(KeyError) {
        guard bytes.count == 33 || (bytes.count == 65 && bytes[0] == 0x04) else { throw .invalidPublicKey(length: bytes.count) }
        var pk = secp256k1_pubkey()
        let ok = bytes.withUnsafeBufferPointer { secp256k1_ec_pubkey_parse(Secp256k1Context.shared.raw, &pk, $0.baseAddress!, $0.count) }
        guard ok == 1 else { throw .invalidPublicKey(length: bytes.count) }
        self.init(raw: pk)
    }

    public init(hex: String) throws {
        try self.init(bytes: try Hex.decode(hex))
    }

    /// The libsecp256k1 representation, for verification and point arithmetic.
    var raw: secp256k1_pubkey {
        var pk = secp256k1_pubkey()
        _ = compressed.withUnsafeBufferPointer { secp256k1_ec_pubkey_parse(Secp256k1Context.shared.raw, &pk, $0.baseAddress!, 33) }
        return pk
    }

    /// Cosmos account address bytes: RIPEMD160(SHA256(compressed)).
    public var addressBytes: Bytes { Hash.ripemd160(Hash.sha256(compressed)) }

    /// Bech32 account address with the given prefix (`pokt` by default).
    public func address(prefix: String = Bech32.accountPrefix) -> String {
        Bech32.encode(hrp: prefix, data: addressBytes)
    }
}
