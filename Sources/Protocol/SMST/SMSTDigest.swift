import COpenSSL

/// A 48-byte node digest held inline: `sha256(32) ‖ BE64(sum) ‖ BE64(count)`.
/// The fixed-width twin of `SMSTHashing`'s byte-array functions, used by the
/// trie so computing a root allocates nothing per node.
struct SMSTDigest: Equatable {
    var hash: Bits256
    var sum: UInt64
    var count: UInt64

    /// 48 zero bytes: an empty subtree.
    static let placeholder = SMSTDigest(hash: .zero, sum: 0, count: 0)

    init(hash: Bits256, sum: UInt64, count: UInt64) {
        self.hash = hash
        self.sum = sum
        self.count = count
    }

    /// Reads 48 bytes; the caller guarantees the length.
    init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let a = Array(bytes)
        precondition(a.count == SMSTHashing.digestSize, "a digest is 48 bytes")
        hash = Bits256(a[0..<32])
        sum = ByteOrder.readBigEndian64(a, at: 32)
        count = ByteOrder.readBigEndian64(a, at: 40)
    }

    var bytes: Bytes {
        Bytes(unsafeUninitializedCapacity: 48) { buffer, n in
            store(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            n = 48
        }
    }

    /// The trailing `BE64(sum) ‖ BE64(count)`.
    var tail: Bytes { ByteOrder.bigEndian64(sum) + ByteOrder.bigEndian64(count) }

    func store(to p: UnsafeMutableRawPointer) {
        hash.store(to: p)
        p.storeBytes(of: sum.bigEndian, toByteOffset: 32, as: UInt64.self)
        p.storeBytes(of: count.bigEndian, toByteOffset: 40, as: UInt64.self)
    }

    /// sha256(0x01 ‖ L ‖ R ‖ BE64(sum) ‖ BE64(count)) with sum and count wrapping.
    static func inner(_ left: SMSTDigest, _ right: SMSTDigest) -> SMSTDigest {
        let sum = left.sum &+ right.sum
        let count = left.count &+ right.count
        var hash = Bits256.zero
        // 113-byte preimage on the stack.
        withUnsafeTemporaryAllocation(byteCount: 113, alignment: 8) { buffer in
            let p = buffer.baseAddress!
            p.storeBytes(of: SMSTHashing.innerPrefix, as: UInt8.self)
            left.store(to: p + 1)
            right.store(to: p + 49)
            p.storeBytes(of: sum.bigEndian, toByteOffset: 97, as: UInt64.self)
            p.storeBytes(of: count.bigEndian, toByteOffset: 105, as: UInt64.self)
            var context = SHA256_CTX()
            SHA256_Init(&context)
            _ = SHA256_Update(&context, p, 113)
            withUnsafeMutableBytes(of: &hash) { _ = SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &context) }
        }
        return SMSTDigest(hash: hash.fromBigEndianStorage(), sum: sum, count: count)
    }

    /// The digest of a leaf whose data is `value ‖ BE64(weight) ‖ BE64(count)`:
    /// sha256(0x00 ‖ path ‖ data) ‖ BE64(weight) ‖ BE64(count).
    static func leaf(path: Bits256, value: Bytes, weight: UInt64, count: UInt64) -> SMSTDigest {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        withUnsafeTemporaryAllocation(byteCount: 33, alignment: 8) { buffer in
            buffer.baseAddress!.storeBytes(of: SMSTHashing.leafPrefix, as: UInt8.self)
            path.store(to: buffer.baseAddress! + 1)
            _ = SHA256_Update(&context, buffer.baseAddress, 33)
        }
        value.withUnsafeBytes { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        var tail = (weight.bigEndian, count.bigEndian)
        _ = SHA256_Update(&context, &tail, 16)
        var hash = Bits256.zero
        withUnsafeMutableBytes(of: &hash) { _ = SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &context) }
        return SMSTDigest(hash: hash.fromBigEndianStorage(), sum: weight, count: count)
    }

    /// An extension node's digest: the inner chain over `child` for levels
    /// `end-1` down to `start`, the empty side being the placeholder.
    static func extensionChain(path: Bits256, start: Int, end: Int, child: SMSTDigest) -> SMSTDigest {
        var current = child
        var level = end - 1
        while level >= start {
            current = path.bit(level) == 0 ? inner(current, placeholder) : inner(placeholder, current)
            level -= 1
        }
        return current
    }
}
