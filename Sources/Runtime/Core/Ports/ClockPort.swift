/// A point on the runtime's single timeline: nanoseconds since the Unix epoch.
///
/// One integer timeline serves both purposes the runtime has for time —
/// measuring intervals (lease TTLs, backoff) and stamping messages
/// (`published_at_unix_nano`) — so the simulator can drive both from one
/// virtual clock and replay them exactly.
public struct RuntimeInstant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let unixNanoseconds: Int64

    public init(unixNanoseconds: Int64) { self.unixNanoseconds = unixNanoseconds }

    public static func < (a: RuntimeInstant, b: RuntimeInstant) -> Bool { a.unixNanoseconds < b.unixNanoseconds }

    public func advanced(by d: Duration) -> RuntimeInstant {
        RuntimeInstant(unixNanoseconds: unixNanoseconds &+ d.nanoseconds)
    }

    public func duration(to other: RuntimeInstant) -> Duration {
        .nanoseconds(other.unixNanoseconds &- unixNanoseconds)
    }

    public var unixMilliseconds: Int64 { unixNanoseconds / 1_000_000 }

    public var description: String { "t=\(unixNanoseconds)ns" }
}

extension Duration {
    /// Whole nanoseconds (saturating), the unit the runtime timeline uses.
    public var nanoseconds: Int64 {
        let (seconds, attos) = components
        let (mul, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, o2) = mul.addingReportingOverflow(attos / 1_000_000_000)
        if o1 || o2 { return seconds < 0 ? .min : .max }
        return sum
    }

    public var milliseconds: Int64 { nanoseconds / 1_000_000 }
}

/// The only way runtime code may read or wait on time. Production backs it
/// with the system clock; the simulator with a virtual clock that advances
/// only when every simulated task is idle, which is what makes runs replayable.
public protocol ClockPort: Sendable {
    var now: RuntimeInstant { get }
    /// Suspends until `deadline`; throws `CancellationError` if the task is cancelled.
    func sleep(until deadline: RuntimeInstant) async throws
}

extension ClockPort {
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now.advanced(by: duration))
    }
}
