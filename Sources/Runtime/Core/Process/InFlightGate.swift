/// Counts work a process has accepted and lets shutdown wait for it: once
/// `close()` is called nothing new enters, and `drained()` returns when the
/// last accepted piece of work has left. Lock-based, no tasks of its own, so
/// it behaves the same under the simulator's single thread.
final class InFlightGate: @unchecked Sendable {
    private let lock = Locked()
    private var active = 0
    private var closed = false
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    /// Admits one piece of work; false once the gate is closed.
    func enter() -> Bool {
        lock.withLock {
            guard !closed else { return false }
            active += 1
            return true
        }
    }

    func leave() {
        let ready: [CheckedContinuation<Void, Never>] = lock.withLock {
            active -= 1
            guard active == 0, closed else { return [] }
            defer { waiters = [:] }
            return waiters.keys.sorted().map { waiters[$0]! }
        }
        for waiter in ready { waiter.resume() }
    }

    func close() { lock.withLock { closed = true } }

    var isClosed: Bool { lock.withLock { closed } }

    var inFlight: Int { lock.withLock { active } }

    /// Returns once the gate is closed and empty, or when the waiting task is
    /// cancelled (a crashed process must not keep its host waiting).
    func drained() async {
        let id: Int = lock.withLock {
            defer { nextWaiter += 1 }
            return nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if (closed && active == 0) || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
