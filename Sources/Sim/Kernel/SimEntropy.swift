import Foundation
import PocketProtocol
import RelayRuntime

/// Seeded randomness split per component: the stream for a name depends only
/// on (seed, name), so adding a component or drawing more numbers in one
/// component never changes what another component sees.
public final class SimEntropy: EntropyPort, @unchecked Sendable {
    public let seed: UInt64
    private let lock = NSLock()
    private var streams: [String: EntropyStream] = [:]

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The same stream object for the same name, so all users of one name advance it together.
    public func stream(for component: String) -> EntropyStream {
        lock.lock()
        defer { lock.unlock() }
        if let existing = streams[component] { return existing }
        let created = EntropyStream(Xoshiro256StarStar(seed: seed, component: component))
        streams[component] = created
        return created
    }
}

/// xoshiro256** (Blackman & Vigna): fast, 256-bit state, good statistical
/// quality; seeded from SHA-256 of (seed, component name).
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64, component: String) {
        var material = [UInt8]()
        withUnsafeBytes(of: seed.littleEndian) { material.append(contentsOf: $0) }
        material.append(0x2f)
        material.append(contentsOf: Array(component.utf8))
        let digest = Hash.sha256(material)
        func word(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for b in digest[(i * 8)..<(i * 8 + 8)] { v = (v << 8) | UInt64(b) }
            return v
        }
        s = (word(0), word(1), word(2), word(3))
        if s.0 | s.1 | s.2 | s.3 == 0 { s.0 = 0x9E37_79B9_7F4A_7C15 }
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
