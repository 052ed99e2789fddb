import Foundation
import RelayRuntime
@testable import RelayRuntimeLive
import Testing

/// `ChainQueryCache` on a manual clock: ages, bounds and eviction order,
/// what is (not) remembered, and single flight.
@Suite(.timeLimit(.minutes(1)))
struct ChainQueryCacheTests {
    /// Counts fetches per key and answers "value-<key>-<n>" for the n-th.
    final class Source: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        var failure: ChainError?

        func fetch(_ key: String) throws(ChainError) -> String {
            lock.lock()
            defer { lock.unlock() }
            counts[key, default: 0] += 1
            if let failure { throw failure }
            return "value-\(key)-\(counts[key]!)"
        }

        func count(_ key: String) -> Int { lock.withLock { counts[key] ?? 0 } }
    }

    static func cache(maxAge: Duration? = nil, capacity: Int = 8, notFoundMaxAge: Duration = .seconds(2),
                      clock: ManualClock) -> ChainQueryCache<String, String> {
        ChainQueryCache(name: "test", rule: .init(maxAge: maxAge, capacity: capacity), notFoundMaxAge: notFoundMaxAge, clock: clock)
    }

    func get(_ cache: ChainQueryCache<String, String>, _ source: Source, _ key: String) async throws(ChainError) -> String {
        try await cache.value(for: key) { () async throws(ChainError) -> String in try source.fetch(key) }
    }

    @Test func atHeightAnswersStayUntilEvictedLeastRecentlyUsedFirst() async throws {
        let clock = ManualClock()
        let cache = Self.cache(capacity: 3, clock: clock)
        let source = Source()
        for key in ["a", "b", "c"] { #expect(try await get(cache, source, key) == "value-\(key)-1") }
        clock.advance(by: .seconds(86_400))
        // A day later "a" is still served; touching it makes "b" the least recently used.
        #expect(try await get(cache, source, "a") == "value-a-1")
        #expect(try await get(cache, source, "d") == "value-d-1")
        #expect(try await get(cache, source, "b") == "value-b-2", "b was evicted, so fetched again")
        // Storing b again evicted c (least recently used now), not a or d.
        #expect(try await get(cache, source, "a") == "value-a-1")
        #expect(try await get(cache, source, "d") == "value-d-1")
        #expect(try await get(cache, source, "c") == "value-c-2")
        let stats = await cache.statistics()
        #expect(stats.fetches == 6 && stats.evictions == 3 && stats.entries == 3 && stats.hits == 3, "\(stats)")
    }

    /// Use order is a counter, so the same calls always leave the same entries.
    @Test func evictionFollowsUseOrderExactly() async throws {
        let clock = ManualClock()
        let cache = Self.cache(capacity: 4, clock: clock)
        let source = Source()
        for key in ["k1", "k2", "k3", "k4", "k2", "k5", "k1", "k6", "k3", "k7"] { _ = try await get(cache, source, key) }
        // k5 evicts k1; k1 evicts k3; k6 evicts k4; k3 evicts k2 (used at 5th call); k7 evicts k5.
        #expect(await cache.keysByRecency() == ["k1", "k6", "k3", "k7"])
        #expect(await cache.statistics().evictions == 5)
    }

    @Test func liveAnswersExpireAfterTheirMaxAge() async throws {
        let clock = ManualClock()
        let cache = Self.cache(maxAge: .seconds(90), clock: clock)
        let source = Source()
        #expect(try await get(cache, source, "app") == "value-app-1")
        clock.advance(by: .seconds(89))
        #expect(try await get(cache, source, "app") == "value-app-1")
        clock.advance(by: .seconds(1))
        #expect(try await get(cache, source, "app") == "value-app-2")
    }

    @Test func notFoundIsRememberedBrieflyAndOtherErrorsNotAtAll() async throws {
        let clock = ManualClock()
        let cache = Self.cache(maxAge: .seconds(90), clock: clock)
        let source = Source()
        source.failure = .notFound("application x")
        for _ in 0..<3 {
            do throws(ChainError) { _ = try await get(cache, source, "x") } catch { #expect(error == .notFound("application x")) }
        }
        #expect(source.count("x") == 1)
        clock.advance(by: .seconds(2))
        source.failure = nil
        #expect(try await get(cache, source, "x") == "value-x-2")

        source.failure = .unavailable("down")
        for _ in 0..<3 {
            do throws(ChainError) { _ = try await get(cache, source, "y") } catch { #expect(error == .unavailable("down")) }
        }
        #expect(source.count("y") == 3, "an unavailable node is asked again every time")
        source.failure = .timeout("slow")
        do throws(ChainError) { _ = try await get(cache, source, "y") } catch { #expect(error.isTransient) }
        source.failure = nil
        #expect(try await get(cache, source, "y") == "value-y-5")
    }

    @Test func aDisabledPolicyStoresNothing() async throws {
        let clock = ManualClock()
        let policy = ChainQueryCachePolicy.disabled
        let cache = ChainQueryCache<String, String>(name: "off", rule: policy.live, notFoundMaxAge: policy.notFoundMaxAge, clock: clock)
        let source = Source()
        for n in 1...3 { #expect(try await get(cache, source, "k") == "value-k-\(n)") }
        source.failure = .notFound("k")
        for _ in 0..<2 { _ = try? await get(cache, source, "k") }
        let entries = await cache.statistics().entries
        #expect(source.count("k") == 5 && entries == 0)
    }

    /// Callers of one key while its fetch is running wait for that fetch.
    @Test func concurrentIdenticalQueriesShareOneFetch() async throws {
        let clock = ManualClock()
        let cache = Self.cache(clock: clock)
        let gate = Gate()
        let fetches = Source()
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await cache.value(for: "session") { () async throws(ChainError) -> String in
                        await gate.wait()
                        return try fetches.fetch("session")
                    }
                }
            }
            try await eventually { await cache.statistics().coalesced == 4 }
            await gate.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: "value-session-1", count: 5))
        let stats = await cache.statistics()
        #expect(stats.fetches == 1 && stats.coalesced == 4 && fetches.count("session") == 1)
    }

    /// The fetching caller's cancellation is its own: a waiting caller fetches again.
    @Test func aCancelledFetcherDoesNotFailTheCallersWaitingOnIt() async throws {
        let clock = ManualClock()
        let cache = Self.cache(clock: clock)
        let source = Source()
        let leader = Task {
            try await cache.value(for: "k") { () async throws(ChainError) -> String in
                do { try await Task.sleep(for: .seconds(30)) } catch { throw .unavailable("cancelled") }
                return try source.fetch("k")
            }
        }
        try await eventually { await cache.statistics().fetches == 1 }
        let follower = Task { try await cache.value(for: "k") { () async throws(ChainError) -> String in try source.fetch("k") } }
        try await eventually { await cache.statistics().coalesced == 1 }
        leader.cancel()
        await #expect(throws: ChainError.unavailable("cancelled")) { try await leader.value }
        #expect(try await follower.value == "value-k-1")
        #expect(await cache.statistics().fetches == 2)
    }
}

/// Opens once; waiters before and after pass.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}

/// Polls `condition` for up to 10 s of wall time.
func eventually(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<1_000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure("condition not met in time")
}
