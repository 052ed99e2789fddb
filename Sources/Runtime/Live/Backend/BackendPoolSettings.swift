import RelayRuntime

/// One backend endpoint of a pool. `name` labels metrics and logs (defaults to the URL's host:port).
public struct BackendEndpoint: Sendable, Hashable {
    public var name: String
    /// `http(s)://` for HTTP-family pools, `ws(s)://` for WebSocket pools, `host:port` or `http://host:port` for gRPC (h2c).
    public var url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// How a pool picks the endpoint for a request.
public enum BackendLoadBalancing: String, Sendable, Hashable, CaseIterable {
    /// Rotate across healthy endpoints (the default when a pool has two or more).
    case roundRobin = "round_robin"
    /// Always the first healthy endpoint in configuration order (primary/fallback).
    case firstHealthy = "first_healthy"
}

/// Credentials added to every backend request of a pool.
public enum BackendAuthentication: Sendable, Hashable {
    /// `Authorization: Basic base64(username:password)`.
    case basic(username: String, password: String)
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// `Authorization: <token>` as given.
    case plain(String)
}

/// An active probe of every endpoint of a pool. Probes mark endpoints
/// healthy/unhealthy through the same state the passive breaker uses.
public struct BackendHealthCheck: Sendable, Hashable {
    public var enabled: Bool
    /// Path probed on each endpoint (joined to the endpoint URL).
    public var path: String
    public var interval: Duration
    public var timeout: Duration
    /// Consecutive failed probes that mark an endpoint unhealthy.
    public var unhealthyThreshold: Int
    /// Consecutive good probes that mark it healthy again.
    public var healthyThreshold: Int
    public var method: String
    public var requestBody: String?
    public var contentType: String?
    /// A probe passes only if the body contains this text (when set).
    public var expectedBody: String?
    /// A probe passes only with this status (when set; otherwise any 2xx).
    public var expectedStatus: Int?
    /// Headers sent only with probes.
    public var headers: [Header]

    public init(
        enabled: Bool = false, path: String = "/", interval: Duration = .seconds(10), timeout: Duration = .seconds(5),
        unhealthyThreshold: Int = 3, healthyThreshold: Int = 2, method: String = "GET", requestBody: String? = nil,
        contentType: String? = nil, expectedBody: String? = nil, expectedStatus: Int? = nil, headers: [Header] = []
    ) {
        self.enabled = enabled
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.unhealthyThreshold = unhealthyThreshold
        self.healthyThreshold = healthyThreshold
        self.method = method
        self.requestBody = requestBody
        self.contentType = contentType
        self.expectedBody = expectedBody
        self.expectedStatus = expectedStatus
        self.headers = headers
    }
}

/// The endpoints behind one (service, transport) and how to use them.
public struct BackendPoolSettings: Sendable, Hashable {
    public var endpoints: [BackendEndpoint]
    /// Prefix merged in front of the relay's path (`/v1` + `/eth` → `/v1/eth`).
    public var basePath: String?
    public var loadBalancing: BackendLoadBalancing
    /// Added to every request (after the relay's own headers, replacing same-named ones).
    public var headers: [Header]
    public var authentication: BackendAuthentication?
    public var healthCheck: BackendHealthCheck
    /// Extra attempts on another endpoint after a network error or 5xx (0–3), within the request deadline.
    public var maxRetries: Int
    /// Consecutive network errors / 5xx that open an endpoint's circuit (timeouts never count).
    public var unhealthyThreshold: Int
    /// How long an open circuit stays open before one request may try the endpoint again.
    public var recoveryTimeout: Duration

    public init(
        endpoints: [BackendEndpoint], basePath: String? = nil, loadBalancing: BackendLoadBalancing? = nil, headers: [Header] = [],
        authentication: BackendAuthentication? = nil, healthCheck: BackendHealthCheck = BackendHealthCheck(), maxRetries: Int = 1,
        unhealthyThreshold: Int = 5, recoveryTimeout: Duration = .seconds(30)
    ) {
        self.endpoints = endpoints
        self.basePath = basePath
        self.loadBalancing = loadBalancing ?? (endpoints.count >= 2 ? .roundRobin : .firstHealthy)
        self.headers = headers
        self.authentication = authentication
        self.healthCheck = healthCheck
        self.maxRetries = maxRetries
        self.unhealthyThreshold = unhealthyThreshold
        self.recoveryTimeout = recoveryTimeout
    }
}

/// Every backend of one service.
public struct ServiceBackendSettings: Sendable, Hashable {
    public var serviceID: String
    public var pools: [BackendTransport: BackendPoolSettings]
    /// Deadline of a whole backend request, retries included (the service's timeout profile).
    public var requestTimeout: Duration
    /// Largest backend response accepted (larger ⇒ `responseTooLarge`, a 502).
    public var maxResponseBodyBytes: Int

    public init(
        serviceID: String, pools: [BackendTransport: BackendPoolSettings], requestTimeout: Duration = .seconds(30),
        maxResponseBodyBytes: Int = 10 * 1024 * 1024
    ) {
        self.serviceID = serviceID
        self.pools = pools
        self.requestTimeout = requestTimeout
        self.maxResponseBodyBytes = maxResponseBodyBytes
    }
}

/// Connection settings shared by all HTTP backends (the reference's `http_transport`).
public struct BackendConnectionSettings: Sendable, Hashable {
    public var maxConnectionsPerHost: Int
    public var idleTimeout: Duration
    public var connectTimeout: Duration

    public init(maxConnectionsPerHost: Int = 500, idleTimeout: Duration = .seconds(90), connectTimeout: Duration = .seconds(5)) {
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
    }
}

/// Everything the live backend adapter needs: the operator's backends by service.
public struct LiveBackendConfiguration: Sendable, Hashable {
    public var services: [String: ServiceBackendSettings]
    public var connections: BackendConnectionSettings
    /// Longest single line of an SSE/NDJSON answer (longer ⇒ the stream fails with `responseTooLarge`).
    public var maxStreamLineBytes: Int = 256 * 1024
    /// Largest WebSocket message accepted from a backend (and frame sent to it).
    public var maxWebSocketMessageBytes: Int = 15 * 1024 * 1024

    public init(services: [ServiceBackendSettings], connections: BackendConnectionSettings = BackendConnectionSettings()) {
        var byID: [String: ServiceBackendSettings] = [:]
        for s in services { byID[s.serviceID] = s }
        self.services = byID
        self.connections = connections
    }
}
