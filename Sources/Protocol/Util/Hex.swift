/// Raw bytes as used throughout the protocol layer. Plain arrays keep the
/// pure layer free of Foundation types on its hot paths.
public typealias Bytes = [UInt8]

/// Errors from decoding hexadecimal text.
public enum HexError: Error, Equatable, CustomStringConvertible {
    case oddLength(Int)
    case invalidCharacter(Character, offset: Int)

    public var description: String {
        switch self {
        case .oddLength(let n): return "hex string has odd length \(n)"
        case .invalidCharacter(let c, let offset): return "invalid hex character '\(c)' at offset \(offset)"
        }
    }
}

public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex, the form every vector file and session id uses.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Accepts upper- and lowercase digits and an optional `0x` prefix.
    public static func decode(_ text: String) throws(HexError) -> Bytes {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X") {
            utf8.removeFirst(2)
        }
        guard utf8.count % 2 == 0 else { throw .oddLength(utf8.count) }
        var out = Bytes()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]) else { throw .invalidCharacter(Character(UnicodeScalar(utf8[i])), offset: i) }
            guard let lo = nibble(utf8[i + 1]) else { throw .invalidCharacter(Character(UnicodeScalar(utf8[i + 1])), offset: i + 1) }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hex of these bytes.
    public var hex: String { Hex.encode(self) }
}
