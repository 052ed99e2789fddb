import Foundation
import RelayRuntime

/// A clock that moves only when told: the contract's chains produce their
/// blocks at instants fixed by the test (so both runs build byte-identical
/// blocks), and the live client's cache ages on the same timeline.
/// Wall and monotonic time are one line here.
final class ManualClock: ClockPort, @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: Int64

    /// 2026-01-01T00:00:00Z, like the simulator.
    init(start: RuntimeInstant = RuntimeInstant(unixNanoseconds: 1_767_225_600_000_000_000)) {
        nanoseconds = start.unixNanoseconds
    }

    var now: RuntimeInstant { lock.withLock { RuntimeInstant(unixNanoseconds: nanoseconds) } }
    var monotonicNow: MonotonicInstant { lock.withLock { MonotonicInstant(nanoseconds: nanoseconds) } }

    func advance(by duration: Duration) {
        lock.withLock { nanoseconds += duration.nanoseconds }
    }

    /// Nobody waits on this clock in these tests; a sleep jumps to its deadline.
    func sleep(until deadline: MonotonicInstant) async throws {
        try Task.checkCancellation()
        lock.withLock { nanoseconds = max(nanoseconds, deadline.nanoseconds) }
    }
}
