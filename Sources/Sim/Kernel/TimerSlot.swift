import Foundation

/// One sleeping task's wake-up: fired by the executor when virtual time
/// reaches the deadline, or cancelled (by task cancellation or at the end of a
/// run). Whichever comes first wins; the other is a no-op.
final class TimerSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: UnsafeContinuation<Void, any Error>?
    private var finished = false

    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    /// Attaches the sleeper. If the slot was already cancelled, the sleeper
    /// is resumed at once with `CancellationError`.
    func install(_ continuation: UnsafeContinuation<Void, any Error>) {
        lock.lock()
        if finished {
            lock.unlock()
            continuation.resume(throwing: CancellationError())
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func fire() {
        take()?.resume()
    }

    func cancel() {
        take()?.resume(throwing: CancellationError())
    }

    private func take() -> UnsafeContinuation<Void, any Error>? {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return nil }
        finished = true
        let c = continuation
        continuation = nil
        return c
    }
}
