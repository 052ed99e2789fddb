import Foundation

/// A small mutual-exclusion helper for state shared by production tasks.
/// Under the simulator everything runs on one thread, so it never contends.
/// NSLock (pthread) rather than `Synchronization.Mutex`, which TSan cannot see
/// (docs/architecture.md#toolchain-notes).
final class Locked: @unchecked Sendable {
    private let lock = NSLock()

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
