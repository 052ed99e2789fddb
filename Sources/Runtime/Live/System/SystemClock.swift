import Foundation
import RelayRuntime

/// The production clock: CLOCK_REALTIME for stamps, CLOCK_MONOTONIC for intervals and waits.
/// Reading it from simulated code is reported to the simulator, which fails
/// the run: a wall-clock read would make a replay diverge silently.
public struct SystemClock: ClockPort {
    public init() {}

    public var now: RuntimeInstant {
        SimulationContext.reportIfSimulated("SystemClock.now read the wall clock inside a simulation")
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return RuntimeInstant(unixNanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    public var monotonicNow: MonotonicInstant {
        SimulationContext.reportIfSimulated("SystemClock.monotonicNow read the host clock inside a simulation")
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    public func sleep(until deadline: MonotonicInstant) async throws {
        SimulationContext.reportIfSimulated("SystemClock.sleep waited on the host clock inside a simulation")
        let remaining = monotonicNow.duration(to: deadline)
        if remaining > .zero {
            try await Task.sleep(for: remaining)
        } else {
            try Task.checkCancellation()
        }
    }
}
