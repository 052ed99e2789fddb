import NIOCore
import RelayRuntime

/// Whether a new connection may be attempted now, after consecutive failures.
///
/// While the wait is running, callers get the last connect error (with the
/// time to the next attempt) immediately instead of each paying a connect
/// timeout; the first call after the wait tries again, so the client
/// recovers on its own once the server is back.
struct ReconnectBackoff {
    let policy: ReconnectBackoffPolicy
    private(set) var failures = 0
    private(set) var retryAt: NIODeadline?
    private(set) var lastError: RedisError?

    init(policy: ReconnectBackoffPolicy) { self.policy = policy }

    /// Records a failed attempt and returns the wait before the next one.
    @discardableResult
    mutating func failed(_ error: RedisError, now: NIODeadline) -> Duration {
        failures += 1
        let delay = policy.delay(afterFailures: failures)
        retryAt = now + TimeAmount(delay)
        lastError = error
        return delay
    }

    mutating func succeeded() {
        failures = 0
        retryAt = nil
        lastError = nil
    }

    /// The error to fail with while waiting; nil when an attempt is allowed.
    func gate(now: NIODeadline) -> RedisError? {
        guard let retryAt, now < retryAt, let lastError else { return nil }
        let ms = (retryAt - now).nanoseconds / 1_000_000
        return lastError.appending(" (next connect attempt in \(ms) ms)")
    }
}
