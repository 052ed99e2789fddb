import DequeModule
import Foundation
import HeapModule
import RelayRuntime

/// The simulator's only executor: one thread, jobs in FIFO order, and a
/// virtual clock that jumps to the next timer only when no job is ready.
///
/// Every simulated task runs with this executor as its task-executor
/// preference (and default actors then run on it too), so the interleaving of
/// all runtime code is a function of the program alone. Jobs enqueued from any
/// other thread are recorded as determinism violations: they mean some code
/// escaped to the real world (a real socket, a thread, the global pool).
public final class SimExecutor: TaskExecutor, SerialExecutor, @unchecked Sendable {
    private let lock = NSLock()
    private var ready = Deque<UnownedJob>()
    private var timers = Heap<PendingTimer>()
    private var timerSequence: UInt64 = 0
    private var nowNanoseconds: Int64
    private var ownerThread: pthread_t?
    private var violations: [String] = []
    private(set) var jobsRun: UInt64 = 0

    init(start: RuntimeInstant) {
        nowNanoseconds = start.unixNanoseconds
    }

    // MARK: Executor conformance

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        lock.lock()
        if let owner = ownerThread, pthread_equal(owner, pthread_self()) == 0 {
            violations.append("a job was enqueued from a thread other than the simulator's (code awaited something outside the simulation)")
        }
        ready.append(unowned)
        lock.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    // MARK: Virtual time

    var now: RuntimeInstant {
        lock.lock()
        defer { lock.unlock() }
        return RuntimeInstant(unixNanoseconds: nowNanoseconds)
    }

    /// Whether the caller runs on the simulator's thread (always true for simulated code).
    var isOnSimulatorThread: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let owner = ownerThread else { return true }
        return pthread_equal(owner, pthread_self()) != 0
    }

    func recordViolation(_ description: String) {
        lock.lock()
        violations.append(description)
        lock.unlock()
    }

    var recordedViolations: [String] {
        lock.lock()
        defer { lock.unlock() }
        return violations
    }

    /// Registers a timer; `fire` runs on the simulator thread when virtual time reaches `deadline`.
    func schedule(at deadline: RuntimeInstant, _ slot: TimerSlot) {
        lock.lock()
        timerSequence += 1
        timers.insert(PendingTimer(deadline: deadline.unixNanoseconds, sequence: timerSequence, slot: slot))
        lock.unlock()
    }

    var pendingTimerCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return timers.count
    }

    // MARK: Driving

    /// Runs jobs until `isDone()` holds with no job ready, advancing virtual time
    /// to the next live timer whenever the ready queue is empty.
    func drive(livelockLimit: UInt64, isDone: () -> Bool) throws(SimulationError) {
        var sinceAdvance: UInt64 = 0
        while true {
            if let job = nextReadyJob() {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
                jobsRun += 1
                sinceAdvance += 1
                if sinceAdvance > livelockLimit {
                    throw .livelock(at: now, jobsWithoutAdvance: sinceAdvance)
                }
                let found = recordedViolations
                if !found.isEmpty { throw .determinismViolation(found) }
                continue
            }
            if isDone() { return }
            guard let timer = nextLiveTimer() else {
                // Before declaring a deadlock, give a job from another thread a
                // moment to arrive: that is a determinism violation, and saying
                // so is more useful than "deadlock".
                if awaitStrayJob() { continue }
                throw .deadlock(at: now, jobsRun: jobsRun)
            }
            lock.lock()
            if timer.deadline > nowNanoseconds { nowNanoseconds = timer.deadline }
            lock.unlock()
            sinceAdvance = 0
            timer.slot.fire()
        }
    }

    /// Cancels every pending timer and runs what that wakes, so sleeping tasks
    /// unwind instead of being abandoned mid-await.
    func drainAfterRun(limit: UInt64) {
        var budget = limit
        while budget > 0 {
            if let job = nextReadyJob() {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
                budget -= 1
                continue
            }
            guard let timer = nextLiveTimer() else { return }
            timer.slot.cancel()
        }
    }

    func bindToCurrentThread() {
        lock.lock()
        ownerThread = pthread_self()
        lock.unlock()
    }

    func unbindThread() {
        lock.lock()
        ownerThread = nil
        lock.unlock()
    }

    /// Waits up to ~5 s of wall time for a job enqueued from outside (a loaded
    /// machine can be slow to schedule the foreign thread: 2 s was seen to be
    /// too short on 2 cores under parallel builds); only on the deadlock path,
    /// so a healthy run never waits.
    private func awaitStrayJob() -> Bool {
        for _ in 0..<5000 {
            lock.lock()
            let arrived = !ready.isEmpty
            lock.unlock()
            if arrived { return true }
            usleep(1000)
        }
        return false
    }

    private func nextReadyJob() -> UnownedJob? {
        lock.lock()
        defer { lock.unlock() }
        return ready.popFirst()
    }

    private func nextLiveTimer() -> PendingTimer? {
        lock.lock()
        defer { lock.unlock() }
        while let timer = timers.popMin() {
            if !timer.slot.isFinished { return timer }
        }
        return nil
    }
}

/// A timer in the executor's heap, ordered by deadline then by creation order,
/// so simultaneous timers fire in the order they were set.
struct PendingTimer: Comparable {
    let deadline: Int64
    let sequence: UInt64
    let slot: TimerSlot

    static func < (a: PendingTimer, b: PendingTimer) -> Bool {
        (a.deadline, a.sequence) < (b.deadline, b.sequence)
    }

    static func == (a: PendingTimer, b: PendingTimer) -> Bool {
        a.deadline == b.deadline && a.sequence == b.sequence
    }
}
