import RelayRuntime

/// Byte-level helpers that reproduce how Redis 7.0 reads and writes numbers,
/// ids and patterns, so the model's replies match the server's byte for byte.
enum RedisText {
    /// Redis's `string2ll` (also listpack's `lpStringToInt64`): an optional
    /// `-`, no `+`, no leading zeros, no spaces, at most 20 bytes, in range.
    static func parseInt64(_ s: [UInt8]) -> Int64? {
        let n = s.count
        if n == 0 || n >= 21 { return nil }
        if n == 1, s[0] == UInt8(ascii: "0") { return 0 }
        var i = 0
        var negative = false
        if s[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
            if n == 1 { return nil }
        }
        guard s[i] >= UInt8(ascii: "1"), s[i] <= UInt8(ascii: "9") else { return nil }
        var v = UInt64(s[i] - UInt8(ascii: "0"))
        i += 1
        while i < n {
            let c = s[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            if o1 { return nil }
            let (a, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
            if o2 { return nil }
            v = a
            i += 1
        }
        if negative {
            if v > UInt64(Int64.max) + 1 { return nil }
            return v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v)
        }
        if v > UInt64(Int64.max) { return nil }
        return Int64(v)
    }

    static func decimal(_ v: Int64) -> [UInt8] {
        if v >= 0 { return decimal(UInt64(v)) }
        var out: [UInt8] = [UInt8(ascii: "-")]
        out.append(contentsOf: decimal(v.magnitude))
        return out
    }

    static func decimal(_ v: UInt64) -> [UInt8] {
        if v < 10 { return [UInt8(ascii: "0") &+ UInt8(v)] }
        var buf = [UInt8](repeating: 0, count: 20)
        var i = 20
        var x = v
        while x > 0 {
            i -= 1
            buf[i] = UInt8(ascii: "0") &+ UInt8(x % 10)
            x /= 10
        }
        return Array(buf[i...])
    }

    /// `<ms>-<seq>` as Redis prints stream ids (one allocation: it is on every XADD).
    static func idBytes(_ id: StreamID) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 41) { buf, count in
            var n = 0
            func put(_ v: UInt64) {
                var x = v
                let start = n
                repeat {
                    buf[n] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: x % 10)
                    n &+= 1
                    x /= 10
                } while x > 0
                var i = start
                var j = n &- 1
                while i < j {
                    let t = buf[i]
                    buf[i] = buf[j]
                    buf[j] = t
                    i &+= 1
                    j &-= 1
                }
            }
            put(id.milliseconds)
            buf[n] = UInt8(ascii: "-")
            n &+= 1
            put(id.sequence)
            count = n
        }
    }

    /// Error texts built with `addReplyErrorFormat` carry user strings through
    /// `%s` (cut at NUL) and have CR/LF replaced by spaces.
    static func formatted(_ s: String) -> String {
        var bytes = Array(s.utf8)
        if let nul = bytes.firstIndex(of: 0) { bytes.removeSubrange(nul...) }
        for i in bytes.indices where bytes[i] == 13 || bytes[i] == 10 { bytes[i] = 32 }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Lua number conversions (for the script-equivalent compound ops)

    /// A Lua 5.1 number converted back to a Redis integer reply: C's
    /// `(long long)` cast of a double (x86-64 gives INT64_MIN when out of range).
    static func luaInteger(_ d: Double) -> Int64 {
        if d.isNaN || d >= 9_223_372_036_854_775_808.0 || d < -9_223_372_036_854_775_808.0 { return .min }
        return Int64(d)
    }

    /// An integer reply passed through a Lua number (a double) and back.
    static func luaRoundTrip(_ i: Int64) -> Int64 { luaInteger(Double(i)) }

    /// Lua 5.1 `tonumber(s)` for a string: surrounding whitespace allowed,
    /// decimal (with fraction/exponent) or `0x` hex. nil when not a number.
    static func luaToNumber(_ s: [UInt8]) -> Double? {
        func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
        var lo = 0
        var hi = s.count
        while lo < hi, isSpace(s[lo]) { lo += 1 }
        while hi > lo, isSpace(s[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }
        let body = Array(s[lo..<hi])
        // Hexadecimal: Lua 5.1 uses strtoul for "0x…" (optionally signed).
        var j = 0
        var negative = false
        if body[j] == UInt8(ascii: "-") || body[j] == UInt8(ascii: "+") {
            negative = body[j] == UInt8(ascii: "-")
            j += 1
        }
        if body.count - j > 2, body[j] == UInt8(ascii: "0"), body[j + 1] | 0x20 == UInt8(ascii: "x") {
            var v: UInt64 = 0
            var k = j + 2
            while k < body.count {
                let c = body[k] | 0x20
                let d: UInt64
                if c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { d = UInt64(c - UInt8(ascii: "0")) }
                else if c >= UInt8(ascii: "a"), c <= UInt8(ascii: "f") { d = UInt64(c - UInt8(ascii: "a") + 10) }
                else { return nil }
                let (m, o) = v.multipliedReportingOverflow(by: 16)
                v = o ? .max : m | d
                k += 1
            }
            let d = Double(v)
            return negative ? -d : d
        }
        // Decimal: digits [. digits] [e [sign] digits], at least one digit.
        var k = j
        var digits = 0
        while k < body.count, body[k] >= 48, body[k] <= 57 { k += 1; digits += 1 }
        if k < body.count, body[k] == UInt8(ascii: ".") {
            k += 1
            while k < body.count, body[k] >= 48, body[k] <= 57 { k += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if k < body.count, body[k] | 0x20 == UInt8(ascii: "e") {
            k += 1
            if k < body.count, body[k] == UInt8(ascii: "-") || body[k] == UInt8(ascii: "+") { k += 1 }
            var expDigits = 0
            while k < body.count, body[k] >= 48, body[k] <= 57 { k += 1; expDigits += 1 }
            guard expDigits > 0 else { return nil }
        }
        guard k == body.count else { return nil }
        return Double(String(decoding: body, as: UTF8.self))
    }
}

/// Redis's glob matcher (`stringmatchlen`, case-sensitive), reproduced with
/// its quirks: `[` ranges compare signed chars, an unterminated `[` class
/// ends at the pattern's end, `\` escapes, and `*` never matches an empty key.
enum RedisGlob {
    static func matches(pattern: [UInt8], _ string: [UInt8]) -> Bool {
        var skipLonger = false
        return match(pattern, 0, string, 0, &skipLonger)
    }

    /// Reads like C on a NUL-terminated buffer: 0 past the end.
    @inline(__always) private static func at(_ a: [UInt8], _ i: Int) -> UInt8 { i < a.count && i >= 0 ? a[i] : 0 }

    private static func signed(_ b: UInt8) -> Int { Int(Int8(bitPattern: b)) }

    private static func match(_ p: [UInt8], _ pStart: Int, _ s: [UInt8], _ sStart: Int, _ skipLonger: inout Bool) -> Bool {
        var pi = pStart
        var plen = p.count - pStart
        var si = sStart
        var slen = s.count - sStart
        while plen > 0 && slen > 0 {
            switch at(p, pi) {
            case UInt8(ascii: "*"):
                while plen > 0 && at(p, pi + 1) == UInt8(ascii: "*") {
                    pi += 1
                    plen -= 1
                }
                if plen == 1 { return true }
                while slen > 0 {
                    if match(p, pi + 1, s, si, &skipLonger) { return true }
                    if skipLonger { return false }
                    si += 1
                    slen -= 1
                }
                skipLonger = true
                return false
            case UInt8(ascii: "?"):
                si += 1
                slen -= 1
            case UInt8(ascii: "["):
                pi += 1
                plen -= 1
                let not = at(p, pi) == UInt8(ascii: "^")
                if not {
                    pi += 1
                    plen -= 1
                }
                var matched = false
                while true {
                    if at(p, pi) == UInt8(ascii: "\\") && plen >= 2 {
                        pi += 1
                        plen -= 1
                        if at(p, pi) == at(s, si) { matched = true }
                    } else if at(p, pi) == UInt8(ascii: "]") {
                        break
                    } else if plen == 0 {
                        pi -= 1
                        plen += 1
                        break
                    } else if plen >= 3 && at(p, pi + 1) == UInt8(ascii: "-") {
                        var start = signed(at(p, pi))
                        var end = signed(at(p, pi + 2))
                        let c = signed(at(s, si))
                        if start > end { swap(&start, &end) }
                        pi += 2
                        plen -= 2
                        if c >= start && c <= end { matched = true }
                    } else {
                        if at(p, pi) == at(s, si) { matched = true }
                    }
                    pi += 1
                    plen -= 1
                }
                if not { matched.toggle() }
                if !matched { return false }
                si += 1
                slen -= 1
            case UInt8(ascii: "\\"):
                if plen >= 2 {
                    pi += 1
                    plen -= 1
                }
                if at(p, pi) != at(s, si) { return false }
                si += 1
                slen -= 1
            default:
                if at(p, pi) != at(s, si) { return false }
                si += 1
                slen -= 1
            }
            pi += 1
            plen -= 1
            if slen == 0 {
                while at(p, pi) == UInt8(ascii: "*") {
                    pi += 1
                    plen -= 1
                }
                break
            }
        }
        return plen == 0 && slen == 0
    }
}

/// SHA-1 (FIPS 180-1), only to name scripts the way Redis does in error
/// replies (`script: <sha1>`). Not used for anything security-relevant.
enum SHA1 {
    static func hex(_ message: [UInt8]) -> String {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for i in (0..<8).reversed() { data.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let b = chunk + i * 4
                w[i] = UInt32(data[b]) << 24 | UInt32(data[b + 1]) << 16 | UInt32(data[b + 2]) << 8 | UInt32(data[b + 3])
            }
            for i in 16..<80 {
                let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                w[i] = (x << 1) | (x >> 31)
            }
            var (a, b, c, d, e) = h
            for i in 0..<80 {
                let f: UInt32
                let k: UInt32
                switch i {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                default: f = b ^ c ^ d; k = 0xCA62_C1D6
                }
                let t = ((a << 5) | (a >> 27)) &+ f &+ e &+ k &+ w[i]
                e = d
                d = c
                c = (b << 30) | (b >> 2)
                b = a
                a = t
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for word in [h.0, h.1, h.2, h.3, h.4] {
            for shift in stride(from: 28, through: 0, by: -4) { out.append(digits[Int((word >> UInt32(shift)) & 0xf)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
