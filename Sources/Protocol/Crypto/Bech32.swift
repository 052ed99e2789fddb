/// Why a bech32 string was rejected.
public enum Bech32Error: Error, Sendable, Equatable, CustomStringConvertible {
    case mixedCase
    case missingSeparator
    case invalidCharacter(Character)
    case invalidLength(Int)
    case invalidChecksum
    case invalidPadding
    case wrongPrefix(expected: String, got: String)

    public var description: String {
        switch self {
        case .mixedCase: return "bech32 string not all lowercase or all uppercase"
        case .missingSeparator: return "bech32 string has no '1' separator"
        case .invalidCharacter(let c): return "invalid bech32 character '\(c)'"
        case .invalidLength(let n): return "invalid bech32 length \(n)"
        case .invalidChecksum: return "invalid bech32 checksum"
        case .invalidPadding: return "invalid bech32 padding"
        case .wrongPrefix(let e, let g): return "address prefix is '\(g)', expected '\(e)'"
        }
    }
}

/// BIP-173 bech32 (not bech32m), as Cosmos addresses use it.
public enum Bech32 {
    public static let accountPrefix = "pokt"
    public static let validatorOperatorPrefix = "poktvaloper"
    public static let validatorConsensusPrefix = "poktvalcons"

    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in charset.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// Encodes 8-bit `data` under `hrp` (lowercase output).
    public static func encode(hrp: String, data: Bytes) -> String {
        let values = convertBits(data, from: 8, to: 5, pad: true)!
        let hrpBytes = Array(hrp.lowercased().utf8)
        let checksum = createChecksum(hrp: hrpBytes, values: values)
        var out = hrpBytes + [UInt8(ascii: "1")]
        out += (values + checksum).map { charset[Int($0)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes to (lowercase hrp, 8-bit data); all-upper or all-lower input only, max 1023 chars.
    public static func decode(_ text: String) throws(Bech32Error) -> (hrp: String, data: Bytes) {
        let raw = Array(text.utf8)
        guard raw.count >= 8 && raw.count <= 1023 else { throw .invalidLength(raw.count) }
        let hasLower = raw.contains { $0 >= 97 && $0 <= 122 }
        let hasUpper = raw.contains { $0 >= 65 && $0 <= 90 }
        if hasLower && hasUpper { throw .mixedCase }
        let lower = raw.map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }
        guard let sep = lower.lastIndex(of: UInt8(ascii: "1")) else { throw .missingSeparator }
        guard sep >= 1, lower.count - sep - 1 >= 6 else { throw .invalidLength(raw.count) }
        let hrp = Array(lower[..<sep])
        for c in hrp where c < 33 || c > 126 { throw .invalidCharacter(Character(UnicodeScalar(c))) }
        var values: Bytes = []
        for c in lower[(sep + 1)...] {
            guard c < 128, reverse[Int(c)] >= 0 else { throw .invalidCharacter(Character(UnicodeScalar(c))) }
            values.append(UInt8(reverse[Int(c)]))
        }
        guard polymod(hrpExpand(hrp) + values) == 1 else { throw .invalidChecksum }
        guard let data = convertBits(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else { throw .invalidPadding }
        return (String(decoding: hrp, as: UTF8.self), data)
    }

    /// Decodes a `pokt…` account address to its 20 bytes, requiring the prefix.
    public static func decodeAddress(_ text: String, prefix: String = accountPrefix) throws(Bech32Error) -> Bytes {
        let (hrp, data) = try decode(text)
        guard hrp == prefix else { throw .wrongPrefix(expected: prefix, got: hrp) }
        return data
    }

    private static func polymod(_ values: Bytes) -> UInt32 {
        let gen: [UInt32] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ffffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> i) & 1 == 1 { chk ^= gen[i] }
        }
        return chk
    }

    private static func hrpExpand(_ hrp: Bytes) -> Bytes {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func createChecksum(hrp: Bytes, values: Bytes) -> Bytes {
        let mod = polymod(hrpExpand(hrp) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        return (0..<6).map { UInt8((mod >> (5 * (5 - $0))) & 31) }
    }

    private static func convertBits(_ data: Bytes, from: Int, to: Int, pad: Bool) -> Bytes? {
        var acc = 0, bits = 0
        var out: Bytes = []
        let maxv = (1 << to) - 1
        for v in data {
            guard Int(v) >> from == 0 else { return nil }
            acc = (acc << from) | Int(v)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxv))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) }
        } else if bits >= from || ((acc << (to - bits)) & maxv) != 0 {
            return nil
        }
        return out
    }
}
