import Foundation
import RelayRuntime
import RelayRuntimeLive

/// One pass over a relayer file: each section reader records its problems in
/// `diagnostics` and returns a value (defaults where the file is wrong), so
/// every section is checked even after an earlier one failed. The caller
/// throws if anything was recorded as an error.
struct RelayerFileReader {
    let diagnostics: Diagnostics
    let baseDirectory: String?

    func read(_ top: YAMLMapping, redisURLOverride: String?) -> RelayerSettings {
        let server = readServer(top)
        let (redis, keyPrefix) = readRedis(top.mapping("redis"), path: top.childPath("redis"), override: redisURLOverride)
        let chain = readPocketNode(top.mapping("pocket_node"), path: top.childPath("pocket_node"))
        let (keys, keysReloadInterval) = readKeys(top.mapping("keys"), path: top.childPath("keys"))
        let serviceDefaults = readServiceDefaults(top)
        let connections = readHTTPTransport(top.mapping("http_transport"))
        let timeoutProfiles = readTimeoutProfiles(top.mapping("timeout_profiles"))
        let poolProfiles = readPoolProfiles(top.mapping("pool_profiles"))
        let services = readServices(
            top.mapping("services"), path: top.childPath("services"), defaults: serviceDefaults,
            timeoutProfiles: timeoutProfiles, poolProfiles: poolProfiles
        )
        let metrics = readToggle(top.mapping("metrics"), defaultEnabled: true, defaultAddress: RelayerDefaults.metricsAddress)
        let health = readToggle(top.mapping("health_check"), defaultEnabled: true, defaultAddress: RelayerDefaults.healthAddress)
        let pprof = readPprof(top.mapping("pprof"))
        let cacheWarmup = readCacheWarmup(top.mapping("cache_warmup"))
        let logging = readLogging(top.mapping("logging"))
        let meter = readRelayMeter(top.mapping("relay_meter"), keyPrefix: keyPrefix)
        let compression = readResponseCompression(top.mapping("response_compression"))
        readSimulation(top.mapping("simulation"))
        top.finish(hints: Self.topLevelHints)
        checkListeners(server: server, metrics: metrics, health: health)

        let largestBody = services.map(\.maxBodyBytes).reduce(serviceDefaults.maxBodyBytes, max)
        let relayer = RelayerConfig(
            services: services.map {
                RelayerConfig.Service(
                    id: $0.id, transports: Set($0.pools.keys), maxRequestBodyBytes: $0.maxBodyBytes, backendDeadline: $0.deadline,
                    defaultTransport: $0.defaultBackend)
            },
            maxRequestBodyBytes: largestBody,
            defaultTransport: Self.sharedDefaultTransport(services),
            meter: meter,
            redisKeys: RedisKeys(prefix: keyPrefix)
        )
        if diagnostics.errors.isEmpty {
            for problem in relayer.validate() { diagnostics.error("services", problem) }
        }
        let backends = LiveBackendConfiguration(
            services: services.map {
                ServiceBackendSettings(serviceID: $0.id, pools: $0.pools, requestTimeout: $0.deadline, maxResponseBodyBytes: largestBody)
            },
            connections: connections
        )
        var defaultBackends: [String: BackendTransport] = [:]
        for service in services { defaultBackends[service.id] = service.defaultBackend }
        return RelayerSettings(
            relayer: relayer, backends: backends, redis: redis, chain: chain, server: server, metrics: metrics, health: health,
            pprof: pprof, logging: logging, keys: keys, keysReloadInterval: keysReloadInterval, responseCompression: compression,
            defaultBackends: defaultBackends, cacheWarmup: cacheWarmup, warnings: []
        )
    }

    /// The core has one default transport for every service: the one all
    /// services agree on, else JSON-RPC (`defaultBackends` keeps each service's own).
    static func sharedDefaultTransport(_ services: [ParsedService]) -> BackendTransport {
        let defaults = Set(services.compactMap(\.defaultBackend))
        if defaults.count == 1, services.allSatisfy({ $0.defaultBackend != nil }) { return defaults.first! }
        return .jsonRPC
    }

    /// Misspellings worth a direct hint (edit distance finds most others).
    static let topLevelHints: [String: String] = [
        "listen_address": "listen_addr", "grpc_listen_address": "grpc_listen_addr", "h2c_listen_address": "h2c_listen_addr",
        "pocket": "pocket_node", "node": "pocket_node", "service": "services", "meter": "relay_meter",
        "healthcheck": "health_check", "health": "health_check", "log": "logging",
    ]

    /// A key path resolved against the config file's directory.
    func resolve(_ path: String) -> String {
        guard let baseDirectory, !path.hasPrefix("/"), !path.hasPrefix("~") else { return path }
        return (baseDirectory as NSString).appendingPathComponent(path)
    }

    /// Reads `key` of `map` as a listen address (`host:port`).
    func listenAddress(_ map: YAMLMapping?, _ key: String, default defaultText: String?) -> ListenAddress? {
        guard let text = map?.string(key) ?? defaultText else { return nil }
        return parseListenAddress(text, path: map?.childPath(key) ?? key)
    }

    /// A listener that is on by default (or off when `defaultText` is nil)
    /// and switched off by an empty value (`""` or nothing after the colon).
    func optionalListenAddress(_ map: YAMLMapping, _ key: String, default defaultText: String?) -> ListenAddress? {
        guard map.isPresent(key) else { return defaultText.flatMap { parseListenAddress($0, path: map.childPath(key)) } }
        guard let text = map.string(key), !text.trimmingSpaces.isEmpty else { return nil }
        return parseListenAddress(text, path: map.childPath(key))
    }

    func parseListenAddress(_ text: String, path: String) -> ListenAddress? {
        do {
            return try ListenAddress(parsing: text)
        } catch {
            diagnostics.error(path, error.description)
            return nil
        }
    }

    /// `ListenAddress` for a default that is known to parse.
    static func fixed(_ text: String) -> ListenAddress { try! ListenAddress(parsing: text) }
}
