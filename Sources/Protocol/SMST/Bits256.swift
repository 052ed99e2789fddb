import COpenSSL

/// 32 bytes held inline as four big-endian words: a trie path or a node
/// hash. Bit 0 is the most significant bit of byte 0, as in `SMSTHashing.bit`.
/// Keeps the trie's per-node state free of array allocations.
struct Bits256: Hashable {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    static let zero = Bits256(w0: 0, w1: 0, w2: 0, w3: 0)

    init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// Reads 32 bytes; the caller guarantees the length.
    init(_ bytes: UnsafeRawBufferPointer) {
        func word(_ i: Int) -> UInt64 { UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
        self.init(w0: word(0), w1: word(1), w2: word(2), w3: word(3))
    }

    init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 32, "Bits256 needs 32 bytes")
        self = bytes.withContiguousStorageIfAvailable { Bits256(UnsafeRawBufferPointer($0)) } ?? Array(bytes).withUnsafeBytes { Bits256($0) }
    }

    /// sha256(data), without an intermediate array (the low-level API: OpenSSL 3's
    /// one-shot `SHA256()` fetches the EVP digest on every call).
    static func sha256(_ data: Bytes) -> Bits256 {
        var out = Bits256.zero
        var context = SHA256_CTX()
        SHA256_Init(&context)
        data.withUnsafeBufferPointer { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        withUnsafeMutableBytes(of: &out) { _ = SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &context) }
        return out.fromBigEndianStorage()
    }

    /// The value after its memory was filled with 32 big-endian bytes.
    func fromBigEndianStorage() -> Bits256 {
        Bits256(w0: UInt64(bigEndian: w0), w1: UInt64(bigEndian: w1), w2: UInt64(bigEndian: w2), w3: UInt64(bigEndian: w3))
    }

    /// Writes the 32 bytes at `p`.
    func store(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: w0.bigEndian, as: UInt64.self)
        p.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    var bytes: Bytes {
        Bytes(unsafeUninitializedCapacity: 32) { buffer, count in
            store(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = 32
        }
    }

    @inline(__always)
    func word(_ i: Int) -> UInt64 {
        switch i {
        case 0: return w0
        case 1: return w1
        case 2: return w2
        default: return w3
        }
    }

    @inline(__always)
    func bit(_ i: Int) -> Int {
        Int(truncatingIfNeeded: (word(i >> 6) >> UInt64(63 - (i & 63))) & 1)
    }

    mutating func flipBit(_ i: Int) {
        let mask: UInt64 = 1 << UInt64(63 - (i & 63))
        switch i >> 6 {
        case 0: w0 ^= mask
        case 1: w1 ^= mask
        case 2: w2 ^= mask
        default: w3 ^= mask
        }
    }

    /// The first bit index ≥ `depth` where the two differ, or nil when none does.
    func firstDifference(_ other: Bits256, from depth: Int) -> Int? {
        var index = depth >> 6
        guard index < 4 else { return nil }
        var x = (word(index) ^ other.word(index)) & (UInt64.max >> UInt64(depth & 63))
        while true {
            if x != 0 { return index << 6 + x.leadingZeroBitCount }
            index += 1
            if index == 4 { return nil }
            x = word(index) ^ other.word(index)
        }
    }
}
