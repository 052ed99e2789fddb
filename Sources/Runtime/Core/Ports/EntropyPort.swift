/// The only source of randomness for runtime code.
///
/// Components ask for their own stream by name (`stream(for:)`), so that adding
/// a component or changing how much randomness one component draws never
/// shifts another component's stream: a seed then reproduces each
/// component's choices independently.
public protocol EntropyPort: Sendable {
    /// An independent generator for the named component.
    func stream(for component: String) -> EntropyStream
}

/// A per-component random stream. A reference type so that one stream can be
/// shared by the tasks of one component and advance consistently.
public final class EntropyStream: @unchecked Sendable, RandomNumberGenerator {
    private let lock = Locked()
    private var source: any RandomNumberGenerator

    public init(_ source: any RandomNumberGenerator) { self.source = source }

    public func next() -> UInt64 {
        lock.withLock { source.next() }
    }

    /// `count` random bytes, e.g. for ring-signature nonces.
    public func bytes(_ count: Int) -> [UInt8] {
        lock.withLock {
            var out = [UInt8]()
            out.reserveCapacity(count)
            while out.count < count {
                var word = source.next()
                for _ in 0..<min(8, count - out.count) {
                    out.append(UInt8(truncatingIfNeeded: word))
                    word >>= 8
                }
            }
            return out
        }
    }
}
