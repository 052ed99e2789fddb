import COpenSSL

/// The hash functions the protocol uses: SHA-256 (relays, SMST, signatures),
/// FIPS SHA3-256/512 (session ids, ring signatures; never Keccak) and
/// RIPEMD-160 (addresses). All are backed by OpenSSL 3, whose default provider
/// has every one of them.
public enum Hash {
    public static func sha256<C: Collection>(_ data: C) -> Bytes where C.Element == UInt8 {
        var hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    public static func sha3_256<C: Collection>(_ data: C) -> Bytes where C.Element == UInt8 {
        EVPDigest.sha3_256.digest(data)
    }

    public static func sha3_512<C: Collection>(_ data: C) -> Bytes where C.Element == UInt8 {
        EVPDigest.sha3_512.digest(data)
    }

    public static func ripemd160<C: Collection>(_ data: C) -> Bytes where C.Element == UInt8 {
        EVPDigest.ripemd160.digest(data)
    }
}

/// Incremental SHA-256, so multi-part preimages (SMST nodes, proof paths)
/// are hashed without first concatenating them into a new buffer.
public struct SHA256Hasher {
    private var context = SHA256_CTX()

    public init() {
        SHA256_Init(&context)
    }

    public mutating func update<C: Collection>(_ data: C) where C.Element == UInt8 {
        let done: Void? = data.withContiguousStorageIfAvailable { buffer in
            _ = SHA256_Update(&context, buffer.baseAddress, buffer.count)
        }
        if done == nil {
            let copy = Array(data)
            copy.withUnsafeBufferPointer { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        }
    }

    public mutating func update(byte: UInt8) {
        var b = byte
        _ = SHA256_Update(&context, &b, 1)
    }

    public mutating func finalize() -> Bytes {
        var out = Bytes(repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { _ = SHA256_Final($0.baseAddress, &context) }
        return out
    }
}

/// An OpenSSL digest fetched once (explicit fetch avoids the per-call
/// provider lookup that makes implicit EVP one-shots ~3x slower).
final class EVPDigest: @unchecked Sendable {
    static let sha3_256 = EVPDigest(name: "SHA3-256")
    static let sha3_512 = EVPDigest(name: "SHA3-512")
    static let ripemd160 = EVPDigest(name: "RIPEMD160")

    private let md: OpaquePointer
    let size: Int

    private init(name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("OpenSSL default provider lacks \(name); install OpenSSL 3 (libssl-dev)")
        }
        self.md = md
        self.size = Int(EVP_MD_get_size(md))
    }

    func digest<C: Collection>(_ data: C) -> Bytes where C.Element == UInt8 {
        let input = data.withContiguousStorageIfAvailable { Array($0) } ?? Array(data)
        var out = Bytes(repeating: 0, count: size)
        var length: UInt32 = 0
        let ok = input.withUnsafeBufferPointer { inBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                EVP_Digest(inBuf.baseAddress, inBuf.count, outBuf.baseAddress, &length, md, nil)
            }
        }
        precondition(ok == 1 && Int(length) == size, "EVP_Digest failed")
        return out
    }
}
