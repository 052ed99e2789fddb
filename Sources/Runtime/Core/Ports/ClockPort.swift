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

/// A point on a clock that never jumps: nanoseconds since an arbitrary
/// origin (boot, or the simulation's start). Intervals that must not be
/// shortened or stretched by a wall-clock step (lease expiry, backend
/// deadlines, timeouts, backoff) are measured on it.
public struct MonotonicInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: MonotonicInstant, b: MonotonicInstant) -> Bool { a.nanoseconds < b.nanoseconds }

    public func advanced(by d: Duration) -> MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds &+ d.nanoseconds) }

    public func duration(to other: MonotonicInstant) -> Duration { .nanoseconds(other.nanoseconds &- nanoseconds) }

    public var description: String { "mono=\(nanoseconds)ns" }
}

/// The only way runtime code may read or wait on time. Production backs it
/// with the system clocks; the simulator with a virtual clock that advances
/// only when every simulated task is idle, which is what makes runs replayable.
///
/// Two readings, for two jobs: `now` is wall time, for stamping messages
/// (`published_at_unix_nano`) and comparing with block times; it may step
/// (NTP, an operator). `monotonicNow` never steps, and every wait is on it.
public protocol ClockPort: Sendable {
    var now: RuntimeInstant { get }
    var monotonicNow: MonotonicInstant { get }
    /// Suspends until the monotonic clock reaches `deadline`; throws
    /// `CancellationError` if the task is cancelled.
    func sleep(until deadline: MonotonicInstant) async throws
}

extension ClockPort {
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: monotonicNow.advanced(by: duration))
    }

    /// Waits until the wall clock should read `deadline` (a block due at a
    /// timestamp, a key's expiry on a server's clock): the remaining wall time,
    /// slept on the monotonic clock. A step of the wall clock meanwhile is not
    /// followed, as with any timer armed for a duration.
    public func sleep(untilWallTime deadline: RuntimeInstant) async throws {
        try await sleep(for: now.duration(to: deadline))
    }
}
