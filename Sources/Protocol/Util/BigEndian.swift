/// Fixed-width integer <-> byte helpers. The protocol mixes byte orders on
/// purpose (SMST sums are big-endian, the session-id height is little-endian),
/// so each call site names the order it needs.
public enum ByteOrder {
    public static func bigEndian64(_ v: UInt64) -> Bytes {
        (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) }
    }

    public static func littleEndian64(_ v: UInt64) -> Bytes {
        (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }

    public static func bigEndian32(_ v: UInt32) -> Bytes {
        (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) }
    }

    /// Reads 8 big-endian bytes starting at `offset`; the caller guarantees the range.
    public static func readBigEndian64<C: RandomAccessCollection>(_ bytes: C, at offset: C.Index) -> UInt64 where C.Element == UInt8 {
        var v: UInt64 = 0
        var i = offset
        for _ in 0..<8 {
            v = v << 8 | UInt64(bytes[i])
            i = bytes.index(after: i)
        }
        return v
    }

    public static func readBigEndian32<C: RandomAccessCollection>(_ bytes: C, at offset: C.Index) -> UInt32 where C.Element == UInt8 {
        var v: UInt32 = 0
        var i = offset
        for _ in 0..<4 {
            v = v << 8 | UInt32(bytes[i])
            i = bytes.index(after: i)
        }
        return v
    }
}
