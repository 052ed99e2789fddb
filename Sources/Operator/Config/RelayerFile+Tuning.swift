import RelayRuntimeLive

/// `http_transport`, `timeout_profiles`, `pool_profiles`: the reference's
/// connection tuning. What maps onto our backend adapter is used; the rest is
/// checked and has no effect (docs/operator-config.md says which).
extension RelayerFileReader {
    func readHTTPTransport(_ map: YAMLMapping?) -> BackendConnectionSettings {
        guard let map else { return BackendConnectionSettings() }
        var maxPerHost = map.int("max_conns_per_host", in: 0...Int.max) ?? RelayerDefaults.maxConnectionsPerHost
        if maxPerHost == 0 { maxPerHost = RelayerDefaults.unlimitedConnectionsPerHost }
        let idle = map.int("idle_conn_timeout_seconds", in: 1...Int.max) ?? RelayerDefaults.idleConnectionTimeoutSeconds
        let dial = map.int("dial_timeout_seconds", in: 1...Int.max) ?? RelayerDefaults.dialTimeoutSeconds
        _ = map.int("max_idle_conns", in: 1...Int.max)
        _ = map.int("max_idle_conns_per_host", in: 1...Int.max)
        _ = map.int("tls_handshake_timeout_seconds", in: 1...Int.max)
        _ = map.int("response_header_timeout_seconds", in: 1...Int.max)
        _ = map.int("expect_continue_timeout_seconds", in: 0...Int.max)
        _ = map.int("tcp_keep_alive_seconds", in: 0...Int.max)
        _ = map.bool("disable_compression")
        map.finish()
        return BackendConnectionSettings(maxConnectionsPerHost: maxPerHost, idleTimeout: .seconds(idle), connectTimeout: .seconds(dial))
    }

    /// Profile name → request timeout in seconds (0: `default_request_timeout_seconds`).
    /// `fast` (30 s) and `streaming` (600 s) always exist; the file may redefine them and add more.
    func readTimeoutProfiles(_ map: YAMLMapping?) -> [String: Int] {
        var profiles = ["fast": 30, "streaming": 600]
        guard let map else { return profiles }
        for name in map.keys {
            let path = map.childPath(name)
            let profile = YAMLMapping.read(map.value(ofEntry: name), path: path, diagnostics: diagnostics)
            _ = profile?.string("name")
            let request = profile?.int("request_timeout_seconds", in: 0...Int.max) ?? 0
            _ = profile?.int("response_header_timeout_seconds", in: 0...Int.max)
            _ = profile?.int("dial_timeout_seconds", in: 0...Int.max)
            _ = profile?.int("tls_handshake_timeout_seconds", in: 0...Int.max)
            profile?.finish()
            profiles[name] = request
        }
        return profiles
    }

    /// Profile names (`low`, `medium`, `high` always exist). Checked, so a
    /// service cannot name a missing one; connection limits stay global here.
    func readPoolProfiles(_ map: YAMLMapping?) -> [String] {
        var names: Set<String> = ["low", "medium", "high"]
        guard let map else { return names.sorted() }
        for name in map.keys {
            let profile = YAMLMapping.read(map.value(ofEntry: name), path: map.childPath(name), diagnostics: diagnostics)
            _ = profile?.string("name")
            _ = profile?.int("max_conns_per_host", in: 0...Int.max)
            _ = profile?.int("max_idle_conns_per_host", in: 0...Int.max)
            _ = profile?.int("idle_conn_timeout_seconds", in: 0...Int.max)
            profile?.finish()
            names.insert(name)
        }
        return names.sorted()
    }
}
