import PocketProtocol
import RelayRuntime

/// One cache per query kind, each with its policy rule: at-height answers
/// under `atHeight`, live ones under `live` (see `ChainQueryCachePolicy`
/// for why, and for what is never cached).
struct LiveChainCaches: Sendable {
    struct SessionKey: Hashable, Sendable {
        let application: String
        let serviceID: String
        let height: Int64
    }

    struct ServiceHeightKey: Hashable, Sendable {
        let serviceID: String
        let height: Int64
    }

    /// The key of a query without arguments (module params).
    struct Only: Hashable, Sendable {}

    let sharedParams: ChainQueryCache<Int64, SharedParams>
    let sessions: ChainQueryCache<SessionKey, Pocket_Session_Session>
    let computeUnitsPerRelay: ChainQueryCache<ServiceHeightKey, UInt64>
    let relayDifficulty: ChainQueryCache<ServiceHeightKey, [UInt8]>
    let numSuppliersPerSession: ChainQueryCache<Only, UInt64>
    let proofParams: ChainQueryCache<Only, ProofParams>
    let applications: ChainQueryCache<String, Pocket_Application_Application>
    let accounts: ChainQueryCache<String, ChainAccount>
    let suppliers: ChainQueryCache<String, Pocket_Shared_Supplier>
    let services: ChainQueryCache<String, Pocket_Shared_Service>

    init(policy: ChainQueryCachePolicy, clock: any ClockPort) {
        func atHeight<K, V>(_ name: String) -> ChainQueryCache<K, V> {
            ChainQueryCache(name: name, rule: policy.atHeight, notFoundMaxAge: policy.notFoundMaxAge, clock: clock)
        }
        func live<K, V>(_ name: String) -> ChainQueryCache<K, V> {
            ChainQueryCache(name: name, rule: policy.live, notFoundMaxAge: policy.notFoundMaxAge, clock: clock)
        }
        sharedParams = atHeight("shared_params_at_height")
        sessions = atHeight("session")
        computeUnitsPerRelay = atHeight("compute_units_per_relay_at_height")
        relayDifficulty = atHeight("relay_difficulty_at_height")
        numSuppliersPerSession = live("num_suppliers_per_session")
        proofParams = live("proof_params")
        applications = live("application")
        accounts = live("account")
        suppliers = live("supplier")
        services = live("service")
    }

    func statistics() async -> [ChainQueryCacheStatistics] {
        [
            await sharedParams.statistics(), await sessions.statistics(),
            await computeUnitsPerRelay.statistics(), await relayDifficulty.statistics(),
            await numSuppliersPerSession.statistics(), await proofParams.statistics(),
            await applications.statistics(), await accounts.statistics(),
            await suppliers.statistics(), await services.statistics(),
        ]
    }

    func removeAll() async {
        await sharedParams.removeAll()
        await sessions.removeAll()
        await computeUnitsPerRelay.removeAll()
        await relayDifficulty.removeAll()
        await numSuppliersPerSession.removeAll()
        await proofParams.removeAll()
        await applications.removeAll()
        await accounts.removeAll()
        await suppliers.removeAll()
        await services.removeAll()
    }
}
