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

extension ChainDataCache {
    /// The accept set of an application's ring at one session end (spec §2.4).
    struct Ring: Sendable {
        /// Sorted ring addresses (app + gateways, or the placeholder).
        let addresses: [String]
        let publicKeys: Set<PublicKey>
    }

    struct RingKey: Hashable, Comparable, Sendable {
        let application: String
        let sessionEnd: Int64
        static func < (a: Self, b: Self) -> Bool { (a.sessionEnd, a.application) < (b.sessionEnd, b.application) }
    }

    struct SessionKey: Hashable, Comparable, Sendable {
        let application: String
        let serviceID: String
        let sessionStart: Int64
        static func < (a: Self, b: Self) -> Bool {
            (a.sessionStart, a.serviceID, a.application) < (b.sessionStart, b.serviceID, b.application)
        }
    }

    struct ServiceHeightKey: Hashable, Comparable, Sendable {
        let serviceID: String
        let height: Int64
        static func < (a: Self, b: Self) -> Bool { (a.height, a.serviceID) < (b.height, b.serviceID) }
    }

    struct SingletonKey: Hashable, Comparable, Sendable {
        static func < (a: Self, b: Self) -> Bool { false }
    }
}

/// The relayer's view of chain data, cached so the hot path does not query
/// the chain per relay:
///
/// | data | key | lifetime |
/// |---|---|---|
/// | shared params at a height | height | immutable |
/// | session | (app, service, session start) | immutable |
/// | CUPR, difficulty target | (service, session start) | immutable |
/// | account public keys | address | immutable once set |
/// | application (stake, delegations) | address | live: `liveMaxAgeBlocks` |
/// | ring accept set | (app, session end) | live, refreshed once per block on a foreign member |
/// | num suppliers per session | — | live |
///
/// Every cache is bounded and evicts oldest-first by fetch height.
actor ChainDataCache {
    private let chain: any ChainReader
    private let params: ChainCacheStore<Int64, SharedParams>
    private let sessions: ChainCacheStore<ChainDataCache.SessionKey, Pocket_Session_Session>
    private let cupr: ChainCacheStore<ChainDataCache.ServiceHeightKey, UInt64>
    private let difficulty: ChainCacheStore<ChainDataCache.ServiceHeightKey, [UInt8]>
    private let accounts: ChainCacheStore<String, PublicKey>
    private let applications: ChainCacheStore<String, Pocket_Application_Application>
    private let rings: ChainCacheStore<ChainDataCache.RingKey, ChainDataCache.Ring>
    private let suppliersPerSession: ChainCacheStore<ChainDataCache.SingletonKey, UInt64>

    init(chain: any ChainReader, config: RelayerConfig.Cache) {
        self.chain = chain
        let c = config.capacity
        let live = config.liveMaxAgeBlocks
        params = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        sessions = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        cupr = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        difficulty = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        accounts = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        applications = ChainCacheStore(capacity: c, maxAgeBlocks: live)
        rings = ChainCacheStore(capacity: c, maxAgeBlocks: live)
        suppliersPerSession = ChainCacheStore(capacity: 1, maxAgeBlocks: live)
    }

    /// (hits, misses) summed over every cache, for tests and metrics.
    var statistics: (hits: Int64, misses: Int64) {
        let h = params.hits + sessions.hits + cupr.hits + difficulty.hits + accounts.hits + applications.hits + rings.hits + suppliersPerSession.hits
        let m = params.misses + sessions.misses + cupr.misses + difficulty.misses + accounts.misses + applications.misses + rings.misses + suppliersPerSession.misses
        return (h, m)
    }

    private func load<K, V>(
        _ store: ChainCacheStore<K, V>, _ key: K, current: Int64,
        _ fetch: () async throws(ChainError) -> V
    ) async throws(ChainError) -> V {
        if let entry = store.fresh(key, at: current) {
            store.noteHit()
            return try entry.result.get()
        }
        if store.isLoading(key) {
            store.noteHit()
            let result = await withCheckedContinuation { store.wait(key, $0) }
            return try result.get()
        }
        store.noteMiss()
        store.beginLoading(key)
        let result: Result<V, ChainError>
        do { result = .success(try await fetch()) } catch { result = .failure(error) }
        store.finishLoading(key, result, at: current)
        return try result.get()
    }

    func sharedParams(atHeight height: Int64, current: Int64) async throws(ChainError) -> SharedParams {
        let chain = self.chain
        return try await load(params, height, current: current) { () async throws(ChainError) -> SharedParams in
            try await chain.sharedParams(atHeight: height)
        }
    }

    /// The chain's session containing `height` for (app, service), keyed by
    /// its start so one query serves the whole session.
    func session(application: String, serviceID: String, height: Int64, current: Int64) async throws(ChainError) -> Pocket_Session_Session {
        let paramsAtHeight = try await sharedParams(atHeight: height, current: current)
        let start = SessionGrid(paramsAtHeight).sessionStart(height)
        let key = ChainDataCache.SessionKey(application: application, serviceID: serviceID, sessionStart: start)
        let chain = self.chain
        return try await load(sessions, key, current: current) { () async throws(ChainError) -> Pocket_Session_Session in
            try await chain.session(application: application, serviceID: serviceID, height: height)
        }
    }

    func computeUnitsPerRelay(serviceID: String, sessionStart: Int64, current: Int64) async throws(ChainError) -> UInt64 {
        let chain = self.chain
        return try await load(cupr, ChainDataCache.ServiceHeightKey(serviceID: serviceID, height: sessionStart), current: current) { () async throws(ChainError) -> UInt64 in
            try await chain.computeUnitsPerRelay(serviceID: serviceID, atHeight: sessionStart)
        }
    }

    func difficultyTarget(serviceID: String, sessionStart: Int64, current: Int64) async throws(ChainError) -> [UInt8] {
        let chain = self.chain
        return try await load(difficulty, ChainDataCache.ServiceHeightKey(serviceID: serviceID, height: sessionStart), current: current) { () async throws(ChainError) -> [UInt8] in
            let target = try await chain.relayDifficultyTarget(serviceID: serviceID, atHeight: sessionStart)
            guard target.count == 32 else { throw .invalidResponse("difficulty target of \(serviceID) at \(sessionStart) has \(target.count) bytes, want 32") }
            return target
        }
    }

    func application(_ address: String, current: Int64) async throws(ChainError) -> Pocket_Application_Application {
        let chain = self.chain
        return try await load(applications, address, current: current) { () async throws(ChainError) -> Pocket_Application_Application in
            try await chain.application(address: address)
        }
    }

    func numSuppliersPerSession(current: Int64) async throws(ChainError) -> UInt64 {
        let chain = self.chain
        return try await load(suppliersPerSession, ChainDataCache.SingletonKey(), current: current) { () async throws(ChainError) -> UInt64 in
            try await chain.numSuppliersPerSession()
        }
    }

    private func publicKey(_ address: String, current: Int64) async throws(ChainError) -> PublicKey {
        if address == RingMembership.placeholderAddress { return RingMembership.placeholderPublicKey }
        let chain = self.chain
        return try await load(accounts, address, current: current) { () async throws(ChainError) -> PublicKey in
            let account = try await chain.account(address: address)
            guard let key = account.publicKey else {
                throw .notFound("account \(address) has no public key on chain (it never signed a transaction)")
            }
            return key
        }
    }

    /// The application's ring accept set for a request whose session ends at
    /// `sessionEnd` (spec §2.4): the target end is computed with the live
    /// shared params (those at the current height), the members are the app,
    /// its delegated gateways and the gateways of pending undelegations at or
    /// after that end, or the placeholder.
    ///
    /// `refresh`: re-read the app and ring if the cached ring was fetched at an
    /// earlier block (a new delegation may have appeared). At most one refresh
    /// per (app, session end) per block, so foreign-member requests cannot
    /// flood the chain.
    func ring(application: String, sessionEnd: Int64, current: Int64, refresh: Bool = false) async throws(ChainError) -> ChainDataCache.Ring {
        let key = ChainDataCache.RingKey(application: application, sessionEnd: sessionEnd)
        if refresh, let at = rings.fetchedAt(key), at < current, !rings.isLoading(key) {
            rings.invalidate(key)
            if let appAt = applications.fetchedAt(application), appAt < current { applications.invalidate(application) }
        }
        return try await load(rings, key, current: current) { () async throws(ChainError) -> ChainDataCache.Ring in
            try await self.buildRing(application: application, sessionEnd: sessionEnd, current: current)
        }
    }

    private func buildRing(application: String, sessionEnd: Int64, current: Int64) async throws(ChainError) -> ChainDataCache.Ring {
        let app = try await self.application(application, current: current)
        let live = try await sharedParams(atHeight: current, current: current)
        let targetEnd = SessionGrid(live).sessionEnd(sessionEnd)
        var pending: [UInt64: [String]] = [:]
        for height in app.pendingUndelegations.keys.sorted() { pending[height] = app.pendingUndelegations[height]!.gatewayAddresses }
        let addresses = RingMembership.expectedAddresses(
            application: application, delegatedGateways: app.delegateeGatewayAddresses,
            pendingUndelegations: pending, sessionEndHeight: targetEnd
        )
        var keys = Set<PublicKey>()
        for address in addresses { keys.insert(try await publicKey(address, current: current)) }
        return ChainDataCache.Ring(addresses: addresses, publicKeys: keys)
    }
}
