import Foundation
import RelayRuntime

/// One deterministic simulation: an executor, its virtual clock, seeded
/// entropy and the event trace. A run is a pure function of (body, seed,
/// code): the same inputs give the same trace hash, byte for byte.
public final class SimKernel: SimulationMonitor, @unchecked Sendable {
    /// 2026-01-01T00:00:00Z: every run starts here, whatever the wall clock says.
    public static let epoch = RuntimeInstant(unixNanoseconds: 1_767_225_600_000_000_000)

    public let seed: UInt64
    public let executor: SimExecutor
    public let clock: SimClock
    public let entropy: SimEntropy
    public let trace: SimTrace
    /// Jobs allowed to run at one virtual instant before the run is declared a livelock.
    public var livelockLimit: UInt64 = 50_000_000

    public init(seed: UInt64, start: RuntimeInstant = SimKernel.epoch) {
        self.seed = seed
        executor = SimExecutor(start: start)
        clock = SimClock(executor: executor)
        entropy = SimEntropy(seed: seed)
        trace = SimTrace(origin: start)
    }

    /// Records an event in the trace at the current virtual time.
    public func record(_ component: String, _ event: String, _ fields: TelemetryLabels = []) {
        trace.record(at: executor.now, component: component, event: event, fields: fields)
    }

    /// Virtual time now (also readable after a run, from any thread).
    public var now: RuntimeInstant { executor.now }

    /// Jobs executed so far (a cost measure for benchmarks).
    public var jobsRun: UInt64 { executor.jobsRun }

    public func reportViolation(_ description: String) {
        executor.recordViolation(description)
    }

    /// Runs `body` on the simulator executor, on the calling thread, until it
    /// returns. Blocks the caller; from async code use `runDetached`.
    public func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws(SimulationError) -> T {
        let box = ResultBox<T>()
        executor.bindToCurrentThread()
        defer { executor.unbindThread() }
        let monitor: any SimulationMonitor = self
        let task = Task(executorPreference: executor) {
            do {
                let value = try await SimulationContext.$monitor.withValue(monitor) { try await body() }
                box.set(.value(value))
            } catch {
                box.set(.failure(String(describing: error)))
            }
        }
        do {
            try executor.drive(livelockLimit: livelockLimit) { box.isSet }
        } catch {
            task.cancel()
            executor.drainAfterRun(limit: 1_000_000)
            throw error
        }
        executor.drainAfterRun(limit: 1_000_000)
        let violations = executor.recordedViolations
        if !violations.isEmpty { throw .determinismViolation(violations) }
        switch box.value! {
        case .value(let v): return v
        case .failure(let message): throw .bodyFailed(message)
        }
    }

    /// Runs the simulation on a dedicated thread and awaits its result, so an
    /// async caller (a test, the CLI) does not block a concurrency-pool thread.
    public func runDetached<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws(SimulationError) -> T {
        let result: Result<T, SimulationError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(SimulationError) -> T in try self.run(body) })
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        return try result.get()
    }
}

/// Holds the body's outcome until the driving loop reads it.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    enum Outcome {
        case value(T)
        case failure(String)
    }

    private var stored: Outcome?

    func set(_ r: Outcome) {
        lock.lock()
        stored = r
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stored != nil
    }

    var value: Outcome? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
