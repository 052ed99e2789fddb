import Foundation
import RelayRuntime
import SimKernel

/// A node's view of time: the simulator's clock plus a wall-clock offset the
/// fault timeline can set (`clock_skew`: the host's clock runs ahead or
/// behind) or change by a jump (`clock_step`: NTP or an operator steps it).
/// Only wall time moves: the monotonic reading and every wait follow the
/// shared timeline, as a real host's CLOCK_MONOTONIC does when its
/// CLOCK_REALTIME is stepped.
final class NodeClock: ClockPort, @unchecked Sendable {
    private let base: SimClock
    private let lock = NSLock()
    private var offset: Duration = .zero

    init(base: SimClock) { self.base = base }

    /// Sets the wall-clock offset from the shared timeline.
    func setSkew(_ d: Duration) { lock.withLock { offset = d } }

    /// Jumps the wall clock by `d` (forward or back) from where it is now.
    func step(by d: Duration) { lock.withLock { offset += d } }

    private var currentOffset: Duration { lock.withLock { offset } }

    var now: RuntimeInstant { base.now.advanced(by: currentOffset) }

    var monotonicNow: MonotonicInstant { base.monotonicNow }

    func sleep(until deadline: MonotonicInstant) async throws {
        try await base.sleep(until: deadline)
    }
}
