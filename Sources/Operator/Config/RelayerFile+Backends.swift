import RelayRuntime
import RelayRuntimeLive
import Yams

/// `services.<id>.backends`: one pool of endpoints per transport.
extension RelayerFileReader {
    static let backendKeys = BackendTransport.allCases.sorted { $0.configKey < $1.configKey }.map(\.configKey)

    /// Backend names people write for the five transports.
    static let backendHints: [String: String] = [
        "ws": "websocket", "wss": "websocket", "websockets": "websocket", "web_socket": "websocket",
        "json_rpc": "jsonrpc", "json-rpc": "jsonrpc", "json": "jsonrpc", "rpc": "jsonrpc", "http": "jsonrpc", "https": "jsonrpc",
        "comet_bft": "cometbft", "comet-bft": "cometbft", "comet": "cometbft", "tendermint": "cometbft",
        "grpcs": "grpc", "grpc_web": "grpc", "grpc-web": "grpc",
        "restful": "rest", "http_rest": "rest",
    ]

    static let poolKeys = [
        "url", "urls", "base_path", "load_balancing", "headers", "authentication", "health_check", "max_retries", "recovery_timeout_seconds",
    ]

    func readBackends(_ section: YAMLMapping?, path: String) -> [BackendTransport: BackendPoolSettings] {
        guard let section else { return [:] }
        var pools: [BackendTransport: BackendPoolSettings] = [:]
        for key in section.keys {
            guard let transport = BackendTransport.allCases.first(where: { $0.configKey == key }) else {
                section.error(key, KeySuggestion.unknownKeyMessage(key, known: Self.backendKeys, hints: Self.backendHints))
                continue
            }
            let poolPath = section.childPath(key)
            guard let map = YAMLMapping.read(section.value(ofEntry: key), path: poolPath, diagnostics: diagnostics) else {
                if !diagnostics.hasError(at: poolPath) { diagnostics.error(poolPath, "needs url (one endpoint) or urls (several)") }
                continue
            }
            pools[transport] = readPool(map, transport: transport)
        }
        return pools
    }

    /// One pool. Returned even when parts of it are wrong (the problems are
    /// recorded), so later checks such as `default_backend` see the transport.
    func readPool(_ map: YAMLMapping, transport: BackendTransport) -> BackendPoolSettings {
        var endpoints: [BackendEndpoint] = []
        let hasURL = map.isPresent("url")
        let hasURLs = map.isPresent("urls")
        if hasURL && hasURLs { diagnostics.error(map.path, "url and urls are mutually exclusive: keep url for one endpoint or urls for several") }
        if !hasURL && !hasURLs { diagnostics.error(map.path, "needs url (one endpoint) or urls (several)") }
        if let url = map.nonEmptyString("url"), let endpoint = endpoint(url, name: nil, transport: transport, path: map.childPath("url")) {
            endpoints.append(endpoint)
        }
        if let items = map.list("urls") {
            if items.isEmpty { map.error("urls", "the list is empty; add at least one endpoint URL") }
            var seenURLs: Set<String> = []
            var seenNames: Set<String> = []
            for item in items {
                guard let endpoint = listedEndpoint(item.node, path: item.path, transport: transport) else { continue }
                if !seenURLs.insert(Self.normalizedEndpoint(endpoint.url)).inserted {
                    diagnostics.error(item.path, "\(endpoint.url) is listed twice in this pool")
                } else if !seenNames.insert(endpoint.name).inserted {
                    diagnostics.error(item.path, "the name \"\(endpoint.name)\" is used twice in this pool; names label metrics and must differ")
                } else {
                    endpoints.append(endpoint)
                }
            }
        }
        var basePath: String?
        if let text = map.string("base_path"), !text.trimmingSpaces.isEmpty {
            if text.hasPrefix("/") { basePath = text } else { map.error("base_path", "must start with \"/\" (e.g. /v1), got \"\(text)\"") }
        }
        var loadBalancing: BackendLoadBalancing?
        switch map.choice("load_balancing", ["round_robin", "first_healthy", "auto"]) {
        case "round_robin": loadBalancing = .roundRobin
        case "first_healthy": loadBalancing = .firstHealthy
        default: loadBalancing = nil
        }
        let headers = (map.stringPairs("headers") ?? []).map { Header($0.0, $0.1) }
        let authentication = readAuthentication(map.mapping("authentication"))
        let maxRetries = map.int("max_retries", in: 0...3) ?? RelayerDefaults.maxRetries
        var recovery = map.int("recovery_timeout_seconds", in: 0...Int.max) ?? RelayerDefaults.recoveryTimeoutSeconds
        if recovery == 0 { recovery = RelayerDefaults.recoveryTimeoutSeconds }
        let (healthCheck, breakerThreshold) = readHealthCheck(map.mapping("health_check"), basePath: basePath)
        map.finish()
        return BackendPoolSettings(
            endpoints: endpoints, basePath: basePath, loadBalancing: loadBalancing, headers: headers, authentication: authentication,
            healthCheck: healthCheck, maxRetries: maxRetries, unhealthyThreshold: breakerThreshold, recoveryTimeout: .seconds(recovery)
        )
    }

    /// An item of `urls`: a URL string or `{name, url}`.
    func listedEndpoint(_ node: Node, path: String, transport: BackendTransport) -> BackendEndpoint? {
        if case .scalar(let scalar) = node {
            let text = scalar.string.trimmingSpaces
            guard !text.isEmpty else {
                diagnostics.error(path, "empty URL")
                return nil
            }
            return endpoint(text, name: nil, transport: transport, path: path)
        }
        guard let map = YAMLMapping.read(node, path: path, diagnostics: diagnostics) else {
            if !diagnostics.hasError(at: path) { diagnostics.error(path, "expected a URL or {name, url}") }
            return nil
        }
        let name = map.nonEmptyString("name")
        let url = map.nonEmptyString("url")
        if !map.isPresent("url") { map.error("url", "required: the endpoint's URL") }
        map.finish()
        guard let url else { return nil }
        return endpoint(url, name: name, transport: transport, path: map.childPath("url"))
    }

    func endpoint(_ url: String, name: String?, transport: BackendTransport, path: String) -> BackendEndpoint? {
        switch URLRules.backendURL(url, transport: transport) {
        case .success(let defaultName): return BackendEndpoint(name: name ?? defaultName, url: url)
        case .failure(let problem):
            diagnostics.error(path, problem.message)
            return nil
        }
    }

    /// `host:port/path`, lowercased, without a trailing slash: two spellings of one endpoint compare equal.
    static func normalizedEndpoint(_ url: String) -> String {
        var text = url.lowercased()
        if let scheme = text.range(of: "://") { text = String(text[scheme.upperBound...]) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// `authentication`: exactly one of username/password, bearer_token, plain_token.
    func readAuthentication(_ map: YAMLMapping?) -> BackendAuthentication? {
        guard let map else { return nil }
        let username = map.string("username")
        let password = map.string("password")
        let bearer = map.nonEmptyString("bearer_token")
        let plain = map.nonEmptyString("plain_token")
        map.finish()
        let basic = username != nil || password != nil
        let kinds = [basic, bearer != nil, plain != nil].filter { $0 }.count
        if kinds > 1 {
            diagnostics.error(map.path, "set only one of username/password, bearer_token or plain_token")
            return nil
        }
        if basic {
            guard let username, !username.isEmpty else {
                map.error("username", "required with password")
                return nil
            }
            guard let password else {
                map.error("password", "required with username")
                return nil
            }
            return .basic(username: username, password: password)
        }
        if let bearer { return .bearer(bearer) }
        if let plain { return .plain(plain) }
        if !diagnostics.errors.contains(where: { $0.keyPath.hasPrefix(map.path) }) {
            diagnostics.error(map.path, "no credentials: set username and password, bearer_token or plain_token (or remove authentication)")
        }
        return nil
    }

    /// `health_check` of a pool. Returns the probe settings and the passive
    /// breaker's threshold (`unhealthy_threshold` sets both, as in the reference).
    func readHealthCheck(_ map: YAMLMapping?, basePath: String?) -> (BackendHealthCheck, Int) {
        guard let map else { return (BackendHealthCheck(), RelayerDefaults.breakerThreshold) }
        let enabled = map.bool("enabled") ?? false
        var endpoint = map.string("endpoint")?.trimmingSpaces
        if let e = endpoint, !e.isEmpty, !e.hasPrefix("/") {
            map.error("endpoint", "must be a path starting with \"/\" (e.g. /health), got \"\(e)\"")
            endpoint = nil
        }
        if endpoint?.isEmpty == true { endpoint = nil }
        let interval = map.int("interval_seconds", in: 1...Int.max)
        let timeout = map.int("timeout_seconds", in: 1...Int.max) ?? RelayerDefaults.probeTimeoutSeconds
        let unhealthy = map.int("unhealthy_threshold", in: 1...Int.max)
        let healthy = map.int("healthy_threshold", in: 1...Int.max) ?? RelayerDefaults.probeHealthyThreshold
        var method = "GET"
        if let text = map.nonEmptyString("method") {
            if text.allSatisfy({ $0.isASCII && $0.isLetter }) { method = text.uppercased() } else { map.error("method", "\"\(text)\" is not an HTTP method") }
        }
        let body = map.string("request_body")
        var contentType = map.nonEmptyString("content_type")
        if contentType == nil, let first = body?.trimmingSpaces.first, first == "{" || first == "[" { contentType = "application/json" }
        let expectedBody = map.string("expected_body")
        let expectedStatus = readExpectedStatus(map)
        let headers = (map.stringPairs("headers") ?? []).map { Header($0.0, $0.1) }
        if enabled {
            if endpoint == nil && basePath == nil && !map.isPresent("endpoint") {
                map.error("endpoint", "required when the health check is enabled (a path such as /health), unless the backend sets base_path")
            }
            if interval == nil && !map.isPresent("interval_seconds") {
                map.error("interval_seconds", "required when the health check is enabled (seconds between probes)")
            }
        }
        map.finish()
        let check = BackendHealthCheck(
            enabled: enabled, path: Self.probePath(basePath: basePath, endpoint: endpoint), interval: .seconds(interval ?? 10),
            timeout: .seconds(timeout), unhealthyThreshold: unhealthy ?? RelayerDefaults.probeUnhealthyThreshold, healthyThreshold: healthy,
            method: method, requestBody: body, contentType: contentType, expectedBody: expectedBody, expectedStatus: expectedStatus, headers: headers
        )
        return (check, unhealthy ?? RelayerDefaults.breakerThreshold)
    }

    /// `expected_status`: one status, or a list holding one (the reference takes a list).
    func readExpectedStatus(_ map: YAMLMapping) -> Int? {
        guard let node = map.node("expected_status") else { return nil }
        var texts: [(String, String)] = []
        switch node {
        case .scalar(let scalar): texts = [(map.childPath("expected_status"), scalar.string)]
        case .sequence(let sequence):
            texts = sequence.enumerated().map { item in
                guard case .scalar(let scalar) = item.element else { return (KeyPath.item(map.childPath("expected_status"), item.offset), "") }
                return (KeyPath.item(map.childPath("expected_status"), item.offset), scalar.string)
            }
        default:
            map.error("expected_status", "expected an HTTP status such as 200")
            return nil
        }
        var statuses: [Int] = []
        for (path, text) in texts {
            guard let status = YAMLMapping.parseInt(text), (100...599).contains(status) else {
                diagnostics.error(path, "expected an HTTP status from 100 to 599, got \"\(text)\"")
                continue
            }
            statuses.append(status)
        }
        if statuses.count > 1 {
            map.error("expected_status", "only one expected status is supported; list one, or remove the key to accept any 2xx")
            return nil
        }
        return statuses.first
    }

    /// The probed path with the backend's base path in front, unless the
    /// endpoint already starts with it (the same merge relays get).
    static func probePath(basePath: String?, endpoint: String?) -> String {
        guard let basePath, basePath != "/" else { return endpoint ?? "/" }
        guard let endpoint, endpoint != "/" else { return basePath }
        if endpoint == basePath || endpoint.hasPrefix(basePath.hasSuffix("/") ? basePath : basePath + "/") { return endpoint }
        var base = basePath
        while base.hasSuffix("/") { base.removeLast() }
        return base + endpoint
    }
}
