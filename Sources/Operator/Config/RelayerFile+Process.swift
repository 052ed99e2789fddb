import RelayRuntime
import RelayRuntimeLive

/// The process-level sections: listeners, Redis, the chain node, keys.
extension RelayerFileReader {
    /// `listen_addr`, our `grpc_listen_addr` / `h2c_listen_addr` (empty disables) and our `server:` limits.
    func readServer(_ top: YAMLMapping) -> ServerSettings {
        let listen = listenAddress(top, "listen_addr", default: RelayerDefaults.listenAddress) ?? Self.fixed(RelayerDefaults.listenAddress)
        let grpc = optionalListenAddress(top, "grpc_listen_addr", default: RelayerDefaults.grpcListenAddress)
        let h2c = optionalListenAddress(top, "h2c_listen_addr", default: nil)
        let section = top.mapping("server")
        let limits = ServerLimits(
            maxConnections: section?.int("max_connections", in: 1...Int.max) ?? RelayerDefaults.maxConnections,
            readHeaderTimeout: .seconds(section?.int("read_header_timeout_seconds", in: 1...Int.max) ?? RelayerDefaults.readHeaderTimeoutSeconds),
            idleTimeout: .seconds(section?.int("idle_timeout_seconds", in: 1...Int.max) ?? RelayerDefaults.idleTimeoutSeconds),
            shutdownGracePeriod: .seconds(section?.int("shutdown_timeout_seconds", in: 1...Int.max) ?? RelayerDefaults.shutdownTimeoutSeconds)
        )
        section?.finish()
        return ServerSettings(listenAddress: listen, grpcListenAddress: grpc, h2cListenAddress: h2c, limits: limits)
    }

    /// `redis:`; returns the client configuration and the key prefix (`namespace.base_prefix`).
    func readRedis(_ section: YAMLMapping?, path: String, override: String?) -> (LiveRedisConfiguration, String) {
        let fileURL = section?.string("url")
        var url = RedisURL(host: "localhost")
        let (text, urlPath) = override.map { ($0, "--redis-url") } ?? (fileURL ?? RelayerDefaults.redisURL, KeyPath.child(path, "url"))
        switch URLRules.redisURL(text.trimmingSpaces) {
        case .success(let parsed): url = parsed
        case .failure(let problem): diagnostics.error(urlPath, problem.message)
        }
        var poolSize = section?.int("pool_size", in: 0...Int.max) ?? 0
        if poolSize == 0 { poolSize = RelayerDefaults.redisPoolSize }
        // Tuning knobs of the reference's client pool, checked and otherwise without effect.
        _ = section?.int("min_idle_conns", in: 0...Int.max)
        _ = section?.int("pool_timeout_seconds", in: 0...Int.max)
        _ = section?.int("conn_max_idle_time_seconds", in: 0...Int.max)
        let prefix = readNamespace(section?.mapping("namespace"))
        section?.finish()
        return (LiveRedisConfiguration(url: url, maxConnections: poolSize), prefix)
    }

    /// `redis.namespace`: only `base_prefix` changes our keys; the reference's
    /// other prefixes name parts of its own key layout, so changing them is flagged.
    func readNamespace(_ section: YAMLMapping?) -> String {
        var prefix = RelayerDefaults.redisKeyPrefix
        if let base = section?.nonEmptyString("base_prefix") {
            if base.contains(where: { $0 == "{" || $0 == "}" || $0 == " " || $0 == "\t" }) {
                section?.error("base_prefix", "must not contain spaces or braces (braces are Redis Cluster hash tags)")
            } else {
                prefix = base
            }
        }
        let fixed = [
            ("cache_prefix", "cache"), ("events_prefix", "events"), ("streams_prefix", "relays"), ("miner_prefix", "miner"),
            ("supplier_prefix", "supplier"), ("meter_prefix", "meter"), ("params_prefix", "params"), ("consumer_group_prefix", "miners"),
        ]
        for (key, standard) in fixed {
            if let value = section?.string(key), value != standard {
                section?.warn(key, "ignored: our key layout is fixed under base_prefix (\"\(prefix)\"); only base_prefix can be changed")
            }
        }
        section?.finish()
        return prefix
    }

    /// `pocket_node:`: both URLs are required.
    func readPocketNode(_ section: YAMLMapping?, path: String) -> ChainEndpoints {
        var endpoint = GRPCEndpoint(host: "localhost", port: 9090)
        var rpcURL = "http://localhost:26657"
        if section == nil && !diagnostics.hasError(at: path) { diagnostics.error(path, "required: the chain node's query_node_rpc_url and query_node_grpc_url") }
        if let section {
            if let grpc = section.nonEmptyString("query_node_grpc_url") {
                switch URLRules.chainGRPC(grpc) {
                case .success(let parsed): endpoint = parsed
                case .failure(let problem): section.error("query_node_grpc_url", problem.message)
                }
            } else if !section.has("query_node_grpc_url") {
                section.error("query_node_grpc_url", "required: the node's gRPC address, host:port (e.g. localhost:9090)")
            }
            if let rpc = section.nonEmptyString("query_node_rpc_url") {
                if let problem = URLRules.chainRPCURL(rpc) { section.error("query_node_rpc_url", problem.message) } else { rpcURL = rpc }
            } else if !section.has("query_node_rpc_url") {
                section.error("query_node_rpc_url", "required: the node's CometBFT RPC URL (e.g. http://localhost:26657)")
            }
        }
        let insecure = section?.bool("grpc_insecure") ?? false
        let chainID = section?.nonEmptyString("chain_id")
        // The miner's query deadline, accepted so one pocket_node block can serve both files.
        _ = section?.int("query_timeout_seconds", in: 1...Int.max)
        section?.finish()
        return ChainEndpoints(grpcEndpoint: endpoint, rpcURL: rpcURL, grpcInsecure: insecure, chainID: chainID)
    }

    /// `keys:`: a keys file and/or a keys directory; the keyring is refused.
    func readKeys(_ section: YAMLMapping?, path: String) -> (KeysSource, Duration) {
        guard let section else {
            if !diagnostics.hasError(at: path) { diagnostics.error(path, "required: set keys.keys_file (a supplier-keys.yaml) or keys.keys_dir") }
            return (KeysSource(), .seconds(RelayerDefaults.keysReloadIntervalSeconds))
        }
        let file = section.nonEmptyString("keys_file").map(resolve)
        let directory = section.nonEmptyString("keys_dir").map(resolve)
        if section.has("keyring") {
            section.error("keyring", "keyring is not supported; export the key to a keys file (keys.keys_file) or a keys directory (keys.keys_dir)")
        }
        let interval = section.int("reload_interval_seconds", in: 0...Int.max) ?? RelayerDefaults.keysReloadIntervalSeconds
        if !section.isPresent("keys_file") && !section.isPresent("keys_dir") && !section.isPresent("keyring") {
            diagnostics.error(path, "no key source: set keys_file (a supplier-keys.yaml) or keys_dir")
        }
        section.finish()
        return (KeysSource(keysFile: file, keysDirectory: directory), .seconds(interval))
    }

    /// Listeners must not share a port: the second bind would fail at startup.
    func checkListeners(server: ServerSettings, metrics: EndpointToggle, health: EndpointToggle) {
        var listeners: [(String, ListenAddress)] = [("listen_addr", server.listenAddress)]
        if let grpc = server.grpcListenAddress { listeners.append(("grpc_listen_addr", grpc)) }
        if let h2c = server.h2cListenAddress { listeners.append(("h2c_listen_addr", h2c)) }
        if metrics.enabled { listeners.append(("metrics.addr", metrics.address)) }
        if health.enabled { listeners.append(("health_check.addr", health.address)) }
        for (i, later) in listeners.enumerated() {
            for earlier in listeners[..<i] where later.1.collides(with: earlier.1) {
                diagnostics.error(
                    later.0,
                    "\(later.1) uses the same port as \(earlier.0) (\(earlier.1)); give each server its own port"
                        + (later.0 == "grpc_listen_addr" ? " (or set grpc_listen_addr to \"\" to turn the gRPC port off)" : "")
                )
            }
        }
    }
}
