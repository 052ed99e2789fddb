/// A reproduction of Go's `math/rand` (v1) source. The chain draws the
/// probabilistic proof requirement from it, so a miner that wants to know
/// whether its claim needs a proof must produce the identical stream.
public struct GoRandSource: Sendable {
    private static let length = 607
    private static let tapDistance = 273
    private static let int32Max: Int64 = (1 << 31) - 1

    private var vec = [Int64](repeating: 0, count: 607)
    private var tap = 0
    private var feed = 607 - 273

    public init(seed: Int64) {
        var s = seed % Self.int32Max
        if s < 0 { s += Self.int32Max }
        if s == 0 { s = 89_482_311 }
        var x = Int32(s)
        for i in -20..<Self.length {
            x = Self.seedStep(x)
            if i >= 0 {
                var u = Int64(x) << 40
                x = Self.seedStep(x)
                u ^= Int64(x) << 20
                x = Self.seedStep(x)
                u ^= Int64(x)
                u ^= Self.cooked[i]
                vec[i] = u
            }
        }
    }

    /// x·48271 mod (2^31−1) without overflow (Schrage's method).
    private static func seedStep(_ x: Int32) -> Int32 {
        let hi = x / 44_488
        let lo = x % 44_488
        var r = 48_271 &* lo &- 3_399 &* hi
        if r < 0 { r &+= Int32(int32Max) }
        return r
    }

    public mutating func uint64() -> UInt64 {
        tap -= 1
        if tap < 0 { tap += Self.length }
        feed -= 1
        if feed < 0 { feed += Self.length }
        let x = vec[feed] &+ vec[tap]
        vec[feed] = x
        return UInt64(bitPattern: x)
    }

    public mutating func int63() -> Int64 {
        Int64(bitPattern: uint64() & ((1 << 63) - 1))
    }

    /// Go's `Rand.Float64`: Int63 / 2^63, redrawn in the (rare) case it rounds to 1.
    public mutating func float64() -> Double {
        while true {
            let f = Double(int63()) / 9_223_372_036_854_775_808.0
            if f < 1 { return f }
        }
    }
}

/// Go's `encoding/binary.Varint`: zig-zag varint from the start of `bytes`.
/// Returns (value, bytes read); overflow gives (0, −(bytes read)) like Go,
/// and an unterminated input gives (0, 0).
public func goVarint(_ bytes: Bytes) -> (value: Int64, bytesRead: Int) {
    var ux: UInt64 = 0
    var shift: UInt64 = 0
    for (i, b) in bytes.enumerated() {
        if i == 10 { return (0, -(i + 1)) }
        if b < 0x80 {
            if i == 9 && b > 1 { return (0, -(i + 1)) }
            ux |= UInt64(b) << shift
            let value = Int64(bitPattern: ux >> 1) ^ -Int64(bitPattern: ux & 1)
            return (value, i + 1)
        }
        ux |= UInt64(b & 0x7f) << shift
        shift += 7
    }
    return (0, 0)
}

/// The chain's `SeededFloat64`: seed Go math/rand with Varint(sha256(parts…))
/// and take its first Float64.
public func seededFloat64(_ parts: Bytes...) -> Double {
    var source = GoRandSource(seed: goVarint(Hash.sha256(parts.flatMap { $0 })).value)
    return source.float64()
}
