import RelayRuntime

/// Block times as `TxResponse.timestamp` carries them (Go's time.RFC3339 in
/// UTC, whole seconds: "2026-01-02T15:04:05Z"). Pure arithmetic on the given
/// instant (days-to-civil conversion), so no calendar or clock is involved.
enum RFC3339 {
    static func format(_ instant: RuntimeInstant) -> String {
        let seconds = instant.unixNanoseconds >= 0
            ? instant.unixNanoseconds / 1_000_000_000
            : (instant.unixNanoseconds - 999_999_999) / 1_000_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3_600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension RFC3339 {
    /// Block times as CometBFT's JSON prints them (Go's time.RFC3339Nano in
    /// UTC): the fraction to the nanosecond with trailing zeros trimmed, and no
    /// fraction at all on a whole second ("2026-01-02T15:04:05.1234Z").
    static func formatNano(_ instant: RuntimeInstant) -> String {
        let whole = format(instant)
        var nanos = instant.unixNanoseconds % 1_000_000_000
        if nanos < 0 { nanos += 1_000_000_000 }
        guard nanos != 0 else { return whole }
        var fraction = String(nanos)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return String(whole.dropLast()) + "." + fraction + "Z"
    }

    /// Go's zero time, which CometBFT prints for "no block yet".
    static let goZeroTime = "0001-01-01T00:00:00Z"
}
