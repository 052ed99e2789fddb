import NIOConcurrencyHelpers
import RelayRuntime

/// The system clock, except while a journal is replayed: then `now` reads
/// the time recorded for the block being rebuilt, so the fake chain stamps
/// each replayed block (and checks each replayed transaction's timeout)
/// exactly as it did the first time, and the block hashes come out the same.
final class StandInClock: ClockPort, Sendable {
    private let system: any ClockPort
    private let pinned = NIOLockedValueBox<RuntimeInstant?>(nil)

    init(system: any ClockPort) { self.system = system }

    var now: RuntimeInstant { pinned.withLockedValue { $0 } ?? system.now }
    var monotonicNow: MonotonicInstant { system.monotonicNow }

    func sleep(until deadline: MonotonicInstant) async throws {
        try await system.sleep(until: deadline)
    }

    /// `now` reads `instant` until `unpin()`.
    func pin(_ instant: RuntimeInstant) { pinned.withLockedValue { $0 = instant } }
    func unpin() { pinned.withLockedValue { $0 = nil } }
}
