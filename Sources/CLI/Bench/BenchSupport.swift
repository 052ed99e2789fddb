/// Timing helpers for the bench commands (CLI layer: real clocks are fine here).
struct Measurement {
    let name: String
    let iterations: Int
    let seconds: Double

    var perOperationMicroseconds: Double { seconds / Double(iterations) * 1e6 }
    var operationsPerSecond: Double { Double(iterations) / seconds }
}

enum Bench {
    /// Runs `body` `iterations` times after a short warm-up and returns the wall time.
    static func measure(_ name: String, iterations: Int, warmup: Int = 3, _ body: () throws -> Void) rethrows -> Measurement {
        for _ in 0..<warmup { try body() }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations { try body() }
        let elapsed = start.duration(to: clock.now)
        return Measurement(name: name, iterations: iterations, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let d = start.duration(to: clock.now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// "n/a" for a value that is not finite (e.g. a ratio to a reference that measured 0).
    static func format(_ value: Double, decimals: Int = 1) -> String {
        guard value.isFinite else { return "n/a" }
        let scale = pow10(decimals)
        let rounded = (value * scale).rounded() / scale
        return decimals == 0 ? String(Int64(rounded)) : String(rounded)
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    static func row(_ columns: [String], widths: [Int]) -> String {
        zip(columns, widths).map { c, w in c.count >= w ? c : c + String(repeating: " ", count: w - c.count) }.joined(separator: "  ")
    }
}

/// SplitMix64, for reproducible benchmark inputs.
struct BenchRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(n)
        while out.count < n {
            var w = next()
            for _ in 0..<min(8, n - out.count) { out.append(UInt8(truncatingIfNeeded: w)); w >>= 8 }
        }
        return out
    }
}
