import Foundation
import RelayRuntime
import SimKernel

/// A node's view of time: the simulator's clock plus a skew the fault
/// timeline can set, so "the miner's clock runs 3 s fast" is a scenario line.
/// Waits are converted back to the shared timeline, so a skewed node still
/// sleeps for the durations it asks for.
final class NodeClock: ClockPort, @unchecked Sendable {
    private let base: SimClock
    private let lock = NSLock()
    private var skew: Duration = .zero

    init(base: SimClock) { self.base = base }

    func setSkew(_ d: Duration) { lock.withLock { skew = d } }

    private var currentSkew: Duration { lock.withLock { skew } }

    var now: RuntimeInstant { base.now.advanced(by: currentSkew) }

    func sleep(until deadline: RuntimeInstant) async throws {
        try await base.sleep(until: deadline.advanced(by: .zero - currentSkew))
    }
}
