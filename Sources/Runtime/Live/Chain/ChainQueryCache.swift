import RelayRuntime

/// One kind of chain answer (sessions, applications, …) kept by key, with
/// the age and size limits of a `ChainQueryCachePolicy.Rule`.
///
/// * Ages are measured on the injected clock's monotonic time, so a wall
///   clock step can neither expire everything nor keep stale answers, and
///   tests drive expiry with a fake clock.
/// * Bounded: past `capacity` the least recently used entry goes (expired
///   ones first). Use order is a counter, not a hash order, so eviction is
///   the same for the same sequence of calls.
/// * Single flight: concurrent callers of one key share one fetch. If the
///   fetching caller is cancelled the others do not inherit its cancellation:
///   one of them fetches again.
/// * Only answers and notFound are stored; any other error reaches every
///   caller that shared the fetch and is forgotten.
actor ChainQueryCache<Key: Hashable & Sendable, Value: Sendable> {
    typealias Fetch = @Sendable () async throws(ChainError) -> Value

    private enum Answer {
        case value(Value)
        case notFound(String)
    }

    private struct Entry {
        let answer: Answer
        let expiresAt: MonotonicInstant?
        var lastUse: UInt64
    }

    /// What a caller that waited on another's fetch gets.
    private enum Completion: Sendable {
        case done(Result<Value, ChainError>)
        /// The fetching caller was cancelled: fetch again.
        case retry
    }

    nonisolated let name: String
    nonisolated let rule: ChainQueryCachePolicy.Rule
    nonisolated let notFoundMaxAge: Duration
    nonisolated let clock: any ClockPort

    private var entries: [Key: Entry] = [:]
    private var waiters: [Key: [CheckedContinuation<Completion, Never>]] = [:]
    private var useCounter: UInt64 = 0
    private var counts = ChainQueryCacheStatistics(name: "")

    init(name: String, rule: ChainQueryCachePolicy.Rule, notFoundMaxAge: Duration, clock: any ClockPort) {
        self.name = name
        self.rule = rule
        self.notFoundMaxAge = notFoundMaxAge
        self.clock = clock
    }

    /// The cached answer for `key`, or `fetch`'s (shared with concurrent callers of the same key).
    func value(for key: Key, fetch: Fetch) async throws(ChainError) -> Value {
        while true {
            if let answer = freshAnswer(key) {
                counts.hits += 1
                switch answer {
                case .value(let value): return value
                case .notFound(let message): throw .notFound(message)
                }
            }
            if waiters[key] != nil {
                counts.coalesced += 1
                let completion = await withCheckedContinuation { continuation in
                    waiters[key, default: []].append(continuation)
                }
                switch completion {
                case .done(let result): return try result.get()
                case .retry: continue
                }
            }
            return try await fetchAsLeader(key, fetch)
        }
    }

    private func fetchAsLeader(_ key: Key, _ fetch: Fetch) async throws(ChainError) -> Value {
        waiters[key] = []
        counts.fetches += 1
        let result: Result<Value, ChainError>
        do throws(ChainError) {
            result = .success(try await fetch())
        } catch {
            result = .failure(error)
        }
        let waiting = waiters.removeValue(forKey: key) ?? []
        if case .failure = result, Task.isCancelled {
            for continuation in waiting { continuation.resume(returning: .retry) }
        } else {
            store(result, for: key)
            for continuation in waiting { continuation.resume(returning: .done(result)) }
        }
        return try result.get()
    }

    /// Hit and use counts, and the current size.
    func statistics() -> ChainQueryCacheStatistics {
        var snapshot = counts
        snapshot.name = name
        snapshot.entries = entries.count
        return snapshot
    }

    /// The stored keys, least recently used first: the order eviction takes them in.
    func keysByRecency() -> [Key] {
        entries.sorted { $0.value.lastUse < $1.value.lastUse }.map(\.key)
    }

    /// Forgets every stored answer (in-flight fetches still complete and are stored).
    func removeAll() {
        entries.removeAll()
    }

    // MARK: Storage

    private func freshAnswer(_ key: Key) -> Answer? {
        guard let entry = entries[key] else { return nil }
        if let expiresAt = entry.expiresAt, clock.monotonicNow >= expiresAt {
            entries[key] = nil
            return nil
        }
        useCounter += 1
        entries[key]?.lastUse = useCounter
        return entry.answer
    }

    private func store(_ result: Result<Value, ChainError>, for key: Key) {
        let answer: Answer
        let maxAge: Duration?
        switch result {
        case .success(let value):
            answer = .value(value)
            maxAge = rule.maxAge
        case .failure(.notFound(let message)):
            answer = .notFound(message)
            maxAge = notFoundMaxAge
        case .failure:
            return
        }
        if rule.capacity == 0 { return }
        if let maxAge, maxAge <= .zero { return }
        if entries[key] == nil { makeRoom() }
        useCounter += 1
        entries[key] = Entry(answer: answer, expiresAt: maxAge.map { clock.monotonicNow.advanced(by: $0) }, lastUse: useCounter)
    }

    /// Drops expired entries, then the least recently used, until one more fits.
    private func makeRoom() {
        guard entries.count >= rule.capacity else { return }
        let now = clock.monotonicNow
        entries = entries.filter { _, entry in entry.expiresAt.map { now < $0 } ?? true }
        while entries.count >= rule.capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
            counts.evictions += 1
        }
    }
}

/// What one query kind's cache has done, for metrics and tests.
public struct ChainQueryCacheStatistics: Sendable, Hashable {
    /// The query kind (`session`, `application`, …).
    public var name: String
    /// Answers (and remembered notFounds) served without calling the node.
    public var hits = 0
    /// Calls that reached the node.
    public var fetches = 0
    /// Callers that waited for another caller's identical call instead of making their own.
    public var coalesced = 0
    /// Entries dropped to stay within capacity.
    public var evictions = 0
    /// Entries stored now (expired ones included until they are looked up or evicted).
    public var entries = 0

    public init(name: String) {
        self.name = name
    }
}
