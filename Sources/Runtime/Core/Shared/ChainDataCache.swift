import PocketProtocol

extension ChainDataCache {
    /// The accept set of an application's ring at one session end (docs/protocol.md#ring-membership).
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

/// Chain data cached in-process, shared by the relayer (so its hot path
/// does not query the chain per relay) and the miner (one cache per replica,
/// shared by its supplier workers):
///
/// | data | key | lifetime |
/// |---|---|---|
/// | shared params at a height | height | immutable |
/// | session | (app, service, session start) | immutable |
/// | CUPR, difficulty target | (service, session start) | immutable |
/// | block hash (proof seeds) | height | immutable |
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
    private let blockHashes: ChainCacheStore<Int64, Bytes>

    /// - Parameters:
    ///   - capacity: entries per cache; the oldest (by fetch height, then key) are evicted first.
    ///   - liveMaxAgeBlocks: live state is re-read once it is this many blocks old.
    init(chain: any ChainReader, capacity: Int = 4_096, liveMaxAgeBlocks: Int64 = 1) {
        self.chain = chain
        let c = capacity
        let live = liveMaxAgeBlocks
        params = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        sessions = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        cupr = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        difficulty = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        accounts = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
        applications = ChainCacheStore(capacity: c, maxAgeBlocks: live)
        rings = ChainCacheStore(capacity: c, maxAgeBlocks: live)
        suppliersPerSession = ChainCacheStore(capacity: 1, maxAgeBlocks: live)
        blockHashes = ChainCacheStore(capacity: c, maxAgeBlocks: nil)
    }

    /// The relayer's cache settings.
    init(chain: any ChainReader, config: RelayerConfig.Cache) {
        self.init(chain: chain, capacity: config.capacity, liveMaxAgeBlocks: config.liveMaxAgeBlocks)
    }

    /// (hits, misses) summed over every cache, for tests and metrics.
    var statistics: (hits: Int64, misses: Int64) {
        let h = params.hits + sessions.hits + cupr.hits + difficulty.hits + accounts.hits + applications.hits + rings.hits
            + suppliersPerSession.hits + blockHashes.hits
        let m = params.misses + sessions.misses + cupr.misses + difficulty.misses + accounts.misses + applications.misses + rings.misses
            + suppliersPerSession.misses + blockHashes.misses
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

    /// The hash of the committed block at `height` (the proof seed is the hash of `ProofWindowOpen − 1`).
    func blockHash(atHeight height: Int64, current: Int64) async throws(ChainError) -> Bytes {
        let chain = self.chain
        return try await load(blockHashes, height, current: current) { () async throws(ChainError) -> Bytes in
            try await chain.block(at: height).hash
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
    /// `sessionEnd` (docs/protocol.md#ring-membership): the target end is computed with the live
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

