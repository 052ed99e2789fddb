/// Digests and encodings of the sum trie as poktroll configures it
/// (docs/protocol.md#smst): sha256 hasher and path hasher, raw values, 48-byte
/// digests `hash(32) ‖ BE64(sum) ‖ BE64(count)`, sums and counts wrapping mod 2^64.
public enum SMSTHashing {
    public static let digestSize = 48
    public static let pathSize = 32
    public static let placeholder = Bytes(repeating: 0, count: 48)

    static let leafPrefix: UInt8 = 0x00
    static let innerPrefix: UInt8 = 0x01
    static let extensionPrefix: UInt8 = 0x02

    /// Path bit `i`, most significant bit of byte 0 first (0 = left).
    @inline(__always)
    public static func bit(_ path: Bytes, _ i: Int) -> Int {
        Int((path[i >> 3] >> (7 - UInt8(i & 7))) & 1)
    }

    static func flipBit(_ path: inout Bytes, _ i: Int) {
        path[i >> 3] ^= 1 << (7 - UInt8(i & 7))
    }

    /// `value ‖ BE64(weight) ‖ BE64(1)`: what a leaf stores (the value hasher is nil).
    public static func leafData(value: Bytes, weight: UInt64) -> Bytes {
        var data = value
        data.reserveCapacity(value.count + 16)
        data += ByteOrder.bigEndian64(weight)
        data += ByteOrder.bigEndian64(1)
        return data
    }

    static func sum(of digest: Bytes) -> UInt64 { ByteOrder.readBigEndian64(digest, at: 32) }
    static func count(of digest: Bytes) -> UInt64 { ByteOrder.readBigEndian64(digest, at: 40) }

    /// sha256(0x00 ‖ path ‖ data) ‖ (the 16 trailing bytes of data: weight ‖ count).
    public static func leafDigest(path: Bytes, data: Bytes) -> Bytes {
        var h = SHA256Hasher()
        h.update(byte: leafPrefix)
        h.update(path)
        h.update(data)
        var out = h.finalize()
        if data.count >= 16 {
            out += data[(data.count - 16)...]
        } else {
            out += Bytes(repeating: 0, count: 16)
        }
        return out
    }

    /// sha256(0x01 ‖ L ‖ R ‖ BE64(sum) ‖ BE64(count)) ‖ BE64(sum) ‖ BE64(count).
    public static func innerDigest(left: Bytes, right: Bytes) -> Bytes {
        let sum = sum(of: left) &+ sum(of: right)
        let count = count(of: left) &+ count(of: right)
        let tail = ByteOrder.bigEndian64(sum) + ByteOrder.bigEndian64(count)
        var h = SHA256Hasher()
        h.update(byte: innerPrefix)
        h.update(left)
        h.update(right)
        h.update(tail)
        return h.finalize() + tail
    }

    /// Hash of a node encoding as the verifier computes it for `SiblingData`.
    static func digestOfEncoding(_ encoding: Bytes) -> Bytes? {
        guard let first = encoding.first else { return nil }
        switch first {
        case leafPrefix:
            guard encoding.count >= 1 + 32 + 16 else { return nil }
            return leafDigest(path: Array(encoding[1..<33]), data: Array(encoding[33...]))
        case innerPrefix:
            guard encoding.count == 1 + 48 + 48 + 16 else { return nil }
            return Hash.sha256(encoding) + encoding[(encoding.count - 16)...]
        case extensionPrefix:
            // Digests as the expanded chain over the child's digest; the
            // trailing sum/count of the encoding are not used (as on chain).
            guard encoding.count == 1 + 2 + 32 + 48 + 16 else { return nil }
            let start = Int(encoding[1]), end = Int(encoding[2])
            guard start <= end, end <= 256 else { return nil }
            let path = Array(encoding[3..<35])
            var cur = Array(encoding[35..<83])
            var level = end - 1
            while level >= start {
                cur = bit(path, level) == 0 ? innerDigest(left: cur, right: placeholder) : innerDigest(left: placeholder, right: cur)
                level -= 1
            }
            return cur
        default:
            return nil
        }
    }
}
