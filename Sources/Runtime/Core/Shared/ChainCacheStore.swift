import PocketProtocol

/// One bounded cache of chain answers with single-flight loading: while one
/// caller queries the chain for a key, later callers for that key wait for
/// the same answer instead of querying again. Entries remember the height at
/// which they were fetched; live entries expire after `maxAgeBlocks`, and a
/// "no" from the chain (`notFound`) is remembered for the current block only.
/// Eviction removes the oldest entries by (fetch height, key), so it never
/// depends on hashing order.
final class ChainCacheStore<Key: Hashable & Comparable & Sendable, Value: Sendable> {
    struct Entry {
        let result: Result<Value, ChainError>
        let fetchedAt: Int64
    }

    private var entries: [Key: Entry] = [:]
    private var waiting: [Key: [CheckedContinuation<Result<Value, ChainError>, Never>]] = [:]
    let capacity: Int
    /// nil: valid forever (answers about a committed height never change).
    let maxAgeBlocks: Int64?
    private(set) var hits: Int64 = 0
    private(set) var misses: Int64 = 0

    init(capacity: Int, maxAgeBlocks: Int64?) {
        self.capacity = max(capacity, 1)
        self.maxAgeBlocks = maxAgeBlocks
    }

    var count: Int { entries.count }

    func fresh(_ key: Key, at height: Int64) -> Entry? {
        guard let entry = entries[key] else { return nil }
        let age = height - entry.fetchedAt
        if case .failure = entry.result { return age < 1 ? entry : nil }
        if let maxAgeBlocks, age >= maxAgeBlocks { return nil }
        return entry
    }

    func fetchedAt(_ key: Key) -> Int64? { entries[key]?.fetchedAt }

    func invalidate(_ key: Key) { entries[key] = nil }

    func isLoading(_ key: Key) -> Bool { waiting[key] != nil }

    func beginLoading(_ key: Key) { waiting[key] = [] }

    func wait(_ key: Key, _ continuation: CheckedContinuation<Result<Value, ChainError>, Never>) {
        waiting[key, default: []].append(continuation)
    }

    func noteHit() { hits += 1 }
    func noteMiss() { misses += 1 }

    /// Stores a success or a `notFound`, wakes the waiters in arrival order.
    func finishLoading(_ key: Key, _ result: Result<Value, ChainError>, at height: Int64) {
        switch result {
        case .success: entries[key] = Entry(result: result, fetchedAt: height)
        case .failure(let error):
            if case .notFound = error { entries[key] = Entry(result: result, fetchedAt: height) }
        }
        let waiters = waiting.removeValue(forKey: key) ?? []
        for waiter in waiters { waiter.resume(returning: result) }
        evictIfNeeded()
    }

    private func evictIfNeeded() {
        guard entries.count > capacity else { return }
        // Drop down to 90% in one pass, oldest fetches first, ties by key.
        let target = capacity - capacity / 10
        let victims = entries.map { ($0.value.fetchedAt, $0.key) }.sorted { $0 < $1 }.prefix(entries.count - target)
        for (_, key) in victims { entries[key] = nil }
    }
}

