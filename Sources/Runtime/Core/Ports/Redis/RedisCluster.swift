/// Redis Cluster's key distribution (cluster specification, "Keys
/// distribution model"): a key lives in hash slot `CRC16(k) mod 16384`,
/// where `k` is the key's hash tag when it has one, else the whole key.
///
/// The runtime talks to one Redis today, but every multi-key command and
/// script must stay inside one slot so the same code can run against a
/// Cluster later: a cross-slot operation would be refused there
/// (`CROSSSLOT`). Both port implementations apply
/// `RedisCommand.checkClusterSlots()` before running a command, so the
/// simulator and the tests catch a layout mistake that a single server
/// would silently accept.
public enum RedisCluster {
    /// Number of hash slots of a Redis Cluster.
    public static let slotCount = 16_384

    /// The hash slot of `key`.
    public static func slot(of key: String) -> Int {
        let bytes = Array(key.utf8)
        let hashed = hashTagRange(of: bytes).map { bytes[$0] } ?? bytes[...]
        return Int(crc16(hashed) & 0x3FFF)
    }

    /// The content of `key`'s hash tag: the bytes between the first `{` and
    /// the first `}` after it, when there are any. `{}` (empty) and an
    /// unclosed `{` are no tag: the whole key is hashed then.
    public static func hashTag(of key: String) -> String? {
        let bytes = Array(key.utf8)
        guard let range = hashTagRange(of: bytes) else { return nil }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    static func hashTagRange(of bytes: [UInt8]) -> Range<Int>? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")),
              let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
              close > open + 1 else { return nil }
        return (open + 1)..<close
    }

    /// CRC16-XMODEM (polynomial 0x1021, initial value 0, no reflection, no
    /// final xor), the checksum the cluster spec names; `"123456789"` → 0x31C3.
    public static func crc16<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ crcTable[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let crcTable: [UInt16] = (0..<256).map { (n: Int) -> UInt16 in
        var c = UInt16(n) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? (c << 1) ^ 0x1021 : c << 1 }
        return c
    }
}
