import RelayRuntime

/// CometBFT's block times: Go's `time.RFC3339Nano` in UTC as its JSON prints
/// them ("2024-06-11T14:07:57.12519517Z": trailing zeros of the fraction
/// trimmed, no fraction at all on a whole second). Parsed by hand into unix
/// nanoseconds, because Foundation's ISO 8601 parser stops at milliseconds and
/// a block time must round-trip exactly (it anchors transaction timeouts).
enum CometTime {
    /// nil when `text` is not an RFC 3339 timestamp.
    static func parse(_ text: String) -> RuntimeInstant? {
        let c = Array(text.utf8)
        guard c.count >= 20, c[4] == UInt8(ascii: "-"), c[7] == UInt8(ascii: "-"),
              c[10] == UInt8(ascii: "T") || c[10] == UInt8(ascii: "t"),
              c[13] == UInt8(ascii: ":"), c[16] == UInt8(ascii: ":"),
              let year = digits(c, 0, 4), let month = digits(c, 5, 2), let day = digits(c, 8, 2),
              let hour = digits(c, 11, 2), let minute = digits(c, 14, 2), let second = digits(c, 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < c.count, c[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100_000_000
            let start = i
            while i < c.count, let d = digit(c[i]) {
                if scale > 0 { nanos += Int64(d) * scale; scale /= 10 }
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < c.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch c[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == c.count, c[i + 3] == UInt8(ascii: ":"),
                  let oh = digits(c, i + 1, 2), let om = digits(c, i + 4, 2) else { return nil }
            offsetSeconds = (c[i] == UInt8(ascii: "+") ? 1 : -1) * (oh * 3_600 + om * 60)
            i += 6
        default:
            return nil
        }
        guard i == c.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds
        // Go's zero time (year 1, what a node with no block prints) and anything
        // else outside ±292 years of 1970 does not fit unix nanoseconds: no
        // instant, rather than an overflow trap on a node's answer.
        let (scaled, overflowed) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflowed else { return nil }
        let (total, overflowedSum) = scaled.addingReportingOverflow(nanos)
        guard !overflowedSum else { return nil }
        return RuntimeInstant(unixNanoseconds: total)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil
    }

    private static func digits(_ c: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for i in start..<(start + count) {
            guard i < c.count, let d = digit(c[i]) else { return nil }
            value = value * 10 + Int64(d)
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
