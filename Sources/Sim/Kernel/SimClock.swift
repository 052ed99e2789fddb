import RelayRuntime

/// Virtual time for simulated code. It is both the runtime's `ClockPort` and a
/// Swift `Clock`, so code written against either waits on the simulator's
/// timeline: a sleep costs no wall time, and time moves only when every
/// simulated task is waiting.
public struct SimClock: Clock, ClockPort {
    public typealias Instant = RuntimeInstant
    public typealias Duration = Swift.Duration

    let executor: SimExecutor

    init(executor: SimExecutor) {
        self.executor = executor
    }

    public var now: RuntimeInstant {
        if !executor.isOnSimulatorThread {
            executor.recordViolation("the simulated clock was read from a thread other than the simulator's")
        }
        return executor.now
    }

    /// The virtual timeline never steps, so it is its own monotonic clock
    /// (same nanoseconds as `now`); per-node wall-clock steps live in the nodes' clocks.
    public var monotonicNow: MonotonicInstant { MonotonicInstant(nanoseconds: now.unixNanoseconds) }

    public func sleep(until deadline: MonotonicInstant) async throws {
        try await sleep(until: RuntimeInstant(unixNanoseconds: deadline.nanoseconds))
    }

    public var minimumResolution: Swift.Duration { .nanoseconds(1) }

    public func sleep(until deadline: RuntimeInstant, tolerance: Swift.Duration?) async throws {
        try await sleep(until: deadline)
    }

    public func sleep(until deadline: RuntimeInstant) async throws {
        try Task.checkCancellation()
        if deadline <= now {
            await Task.yield()
            try Task.checkCancellation()
            return
        }
        let slot = TimerSlot()
        executor.schedule(at: deadline, slot)
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                slot.install(continuation)
            }
        } onCancel: {
            slot.cancel()
        }
    }
}
