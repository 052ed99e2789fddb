import PocketProtocol
import RelayRuntime
import RelayRuntimeLive

/// A service as read from the file, before it is split into the core's and the backend adapter's settings.
struct ParsedService {
    let id: String
    let pools: [BackendTransport: BackendPoolSettings]
    let maxBodyBytes: Int
    let deadline: Duration
    let defaultBackend: BackendTransport?
}

/// File-wide defaults every service starts from.
struct ServiceDefaults {
    let requestTimeoutSeconds: Int
    let maxBodyBytes: Int
}

/// `services:` and the top-level defaults they inherit.
extension RelayerFileReader {
    static let validationModes = ["eager", "optimistic"]
    static let optimisticWarning =
        "optimistic is served as eager: this relayer validates every relay before serving it and never serves an unvalidated relay"

    func readServiceDefaults(_ top: YAMLMapping) -> ServiceDefaults {
        if top.choice("default_validation_mode", Self.validationModes) == "optimistic" {
            top.warn("default_validation_mode", Self.optimisticWarning)
        }
        // The reference documents this key but never reads it; grace periods come from the chain's params.
        _ = top.int("grace_period_extra_blocks", in: 0...Int.max)
        return ServiceDefaults(
            requestTimeoutSeconds: top.int("default_request_timeout_seconds", in: 1...Int.max) ?? RelayerDefaults.defaultRequestTimeoutSeconds,
            maxBodyBytes: top.int("default_max_body_size_bytes", in: 1...Int.max) ?? RelayerDefaults.defaultMaxBodySizeBytes
        )
    }

    func readServices(
        _ section: YAMLMapping?, path: String, defaults: ServiceDefaults, timeoutProfiles: [String: Int], poolProfiles: [String]
    ) -> [ParsedService] {
        guard let section, !section.isEmpty else {
            if !diagnostics.hasError(at: path) {
                diagnostics.error(path, "no services configured: add at least one service id with its backends (the relayer would refuse every relay)")
            }
            return []
        }
        var services: [ParsedService] = []
        for id in section.keys {
            let servicePath = section.childPath(id)
            if !ServiceIDRule.isValid(id) {
                diagnostics.error(servicePath, "\"\(id)\" is not a valid service id: 1 to \(ServiceIDRule.maxLength) characters of letters, digits, '_' or '-'")
            }
            guard let map = YAMLMapping.read(section.value(ofEntry: id), path: servicePath, diagnostics: diagnostics) else {
                if !diagnostics.hasError(at: servicePath) { diagnostics.error(servicePath, "needs its backends (e.g. backends: {jsonrpc: {url: http://…}})") }
                continue
            }
            if let service = readService(map, id: id, defaults: defaults, timeoutProfiles: timeoutProfiles, poolProfiles: poolProfiles) {
                services.append(service)
            }
        }
        return services
    }

    func readService(
        _ map: YAMLMapping, id: String, defaults: ServiceDefaults, timeoutProfiles: [String: Int], poolProfiles: [String]
    ) -> ParsedService? {
        if map.choice("validation_mode", Self.validationModes) == "optimistic" {
            map.warn("validation_mode", Self.optimisticWarning)
        }
        let profileName = map.nonEmptyString("timeout_profile") ?? "fast"
        var requestTimeout = defaults.requestTimeoutSeconds
        if let profileTimeout = timeoutProfiles[profileName] {
            if profileTimeout > 0 { requestTimeout = profileTimeout }
        } else {
            map.error("timeout_profile", "unknown timeout profile \"\(profileName)\" (defined: \(timeoutProfiles.keys.sorted().joined(separator: ", ")))")
        }
        if let pool = map.nonEmptyString("pool_profile"), !poolProfiles.contains(pool) {
            map.error("pool_profile", "unknown pool profile \"\(pool)\" (defined: \(poolProfiles.sorted().joined(separator: ", ")))")
        }
        let maxBody = map.int("max_body_size_bytes", in: 1...Int.max) ?? defaults.maxBodyBytes
        let defaultBackendText = map.string("default_backend")
        let backendsPath = map.childPath("backends")
        let pools = readBackends(map.mapping("backends"), path: backendsPath)
        if pools.isEmpty && !diagnostics.errors.contains(where: { $0.keyPath.hasPrefix(backendsPath) }) {
            diagnostics.error(backendsPath, "required: at least one backend (jsonrpc, rest, websocket, grpc or cometbft) with its url")
        }
        let defaultBackend = resolveDefaultBackend(defaultBackendText, pools: pools, map: map)
        map.finish()
        return ParsedService(
            id: id, pools: pools, maxBodyBytes: maxBody, deadline: .seconds(requestTimeout), defaultBackend: defaultBackend
        )
    }

    /// `default_backend` must name a configured backend. Absent: JSON-RPC if
    /// configured, else the service's only backend, else none.
    func resolveDefaultBackend(_ text: String?, pools: [BackendTransport: BackendPoolSettings], map: YAMLMapping) -> BackendTransport? {
        guard let text else {
            if pools[.jsonRPC] != nil { return .jsonRPC }
            return pools.count == 1 ? pools.keys.first : nil
        }
        let key = text.trimmingSpaces
        guard let transport = BackendTransport.allCases.first(where: { $0.configKey == key }) else {
            let hint = KeySuggestion.suggest(key, known: Self.backendKeys, hints: Self.backendHints).map { " (did you mean \"\($0)\"?)" } ?? ""
            map.error("default_backend", "\"\(key)\" is not a backend type\(hint); use one of: \(Self.backendKeys.joined(separator: ", "))")
            return nil
        }
        guard pools[transport] != nil else {
            let configured = BackendTransport.allCases.filter { pools[$0] != nil }.map(\.configKey)
            map.error(
                "default_backend",
                "\"\(key)\" has no backend in this service; add backends.\(key) or choose one of: \(configured.joined(separator: ", "))"
            )
            return nil
        }
        return transport
    }
}
