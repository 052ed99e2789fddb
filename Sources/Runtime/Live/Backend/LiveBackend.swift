import AsyncHTTPClient
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime

/// The production `BackendPort`: the operator's backends reached over HTTP
/// (JSON-RPC, REST, CometBFT; SSE/NDJSON answers streamed line by line),
/// WebSocket and gRPC (h2c), one pool of endpoints per (service, transport).
///
/// Every pool balances (`round_robin` or `first_healthy`), keeps a passive
/// circuit breaker per endpoint (network errors and 5xx open it, timeouts and
/// cancellations never do; after `recoveryTimeout` one trial request may pass)
/// and retries a network error or a 5xx once per alternate endpoint, up to
/// `maxRetries`, inside the service's `requestTimeout`. A pool whose every
/// endpoint is open answers `unavailable` at once, without I/O; the core
/// refunds the relay. A 5xx that survives the retries is returned as the
/// answer (the core refunds it and does not mine it).
///
/// Lifecycle: `init` validates the configuration and sets up the clients
/// (nothing is dialled); `start()` launches the active health checks of the
/// pools that enable them; `shutdown()` stops them, closes open WebSocket
/// bridges, the gRPC clients and the HTTP client. Call `shutdown()` exactly
/// once, after the relayer stopped forwarding.
public final class LiveBackend: BackendPort {
    public let configuration: LiveBackendConfiguration
    let telemetry: any TelemetryPort
    let clock: BackendClock
    let httpClient: HTTPClient
    let pools: [PoolKey: BackendPool]
    let grpcClients: [PoolKey: [GRPCClient<HTTP2ClientTransport.Posix>]]
    let background = BackgroundTasks()

    struct PoolKey: Hashable, Sendable {
        let serviceID: String
        let transport: BackendTransport
    }

    /// Checks every pool (URLs parse for their transport, retries 0–3, at
    /// least one endpoint) and builds the clients. `clock` is the breakers'
    /// monotonic time (recovery timeouts); tests pass one they move by hand.
    public init(
        configuration: LiveBackendConfiguration, telemetry: any TelemetryPort,
        clock: @escaping BackendClock = { SystemClock().monotonicNow }
    ) throws(LiveBackendConfigurationError) {
        self.configuration = configuration
        self.telemetry = telemetry
        self.clock = clock
        var pools: [PoolKey: BackendPool] = [:]
        var grpcClients: [PoolKey: [GRPCClient<HTTP2ClientTransport.Posix>]] = [:]
        for (serviceID, service) in configuration.services {
            for (transport, settings) in service.pools {
                let key = PoolKey(serviceID: serviceID, transport: transport)
                let pool = try BackendPool(serviceID: serviceID, transport: transport, settings: settings, clock: clock, telemetry: telemetry)
                pools[key] = pool
                if transport == .grpc { grpcClients[key] = try Self.makeGRPCClients(pool) }
            }
        }
        self.pools = pools
        self.grpcClients = grpcClients
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.httpConfiguration(configuration.connections))
        for clients in grpcClients.values {
            for client in clients {
                background.add(.connections, Task { try? await client.runConnections() })
            }
        }
    }

    /// HTTP/1.1 (HTTP/2 where TLS negotiates it), redirects never followed
    /// (a backend's redirect is its answer), a refused connection reported at
    /// once instead of retried until the deadline, no transparent
    /// decompression (we ask for identity and inflate gzip ourselves, bounded).
    static func httpConfiguration(_ connections: BackendConnectionSettings) -> HTTPClient.Configuration {
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(connections.connectTimeout)),
            connectionPool: .init(
                idleTimeout: TimeAmount(connections.idleTimeout),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections.maxConnectionsPerHost)),
            decompression: .disabled
        )
        http.connectionPool.retryConnectionEstablishment = false
        return http
    }

    /// Starts the active health checks of every pool that enables them
    /// (one task per pool). Idempotent.
    public func start() {
        guard background.markStarted() else { return }
        for pool in pools.values where pool.settings.healthCheck.enabled {
            let checker = BackendHealthChecker(pool: pool, backend: self)
            background.add(.healthChecks, Task { await checker.run() })
        }
    }

    /// Stops the health checks, closes open WebSocket bridges, lets in-flight
    /// gRPC calls finish and shuts the clients down.
    public func shutdown() async {
        for task in background.take(.healthChecks) { task.cancel() }
        for task in background.take(.duplexes) { task.cancel() }
        for clients in grpcClients.values { for client in clients { client.beginGracefulShutdown() } }
        for task in background.take(.connections) { await task.value }
        try? await httpClient.shutdown()
    }

    /// Every endpoint's state, for readiness (`/ready/{service}`) and metrics.
    public func health() -> [BackendPoolHealth] {
        pools.values
            .sorted { ($0.serviceID, $0.transport.rawValue) < ($1.serviceID, $1.transport.rawValue) }
            .flatMap(\.health)
    }

    /// Whether a request for (service, transport) could be sent now.
    public func isAvailable(serviceID: String, transport: BackendTransport) -> Bool {
        health().contains { $0.serviceID == serviceID && $0.transport == transport && $0.healthy }
    }

    public func forward(_ request: BackendRequest) async throws(BackendError) -> BackendResponse {
        let (pool, service) = try lookup(request.serviceID, request.transport)
        switch request.transport {
        case .grpc:
            return try await withRetries(pool: pool, service: service) { endpoint, deadline in
                await self.grpcAttempt(request, pool: pool, endpoint: endpoint, service: service, deadline: deadline)
            }
        case .websocket:
            throw .transport(service: request.serviceID, reason: "a WebSocket relay is bridged with openDuplex, not forwarded as one request")
        case .jsonRPC, .rest, .cometBFT:
            return try await withRetries(pool: pool, service: service) { endpoint, deadline in
                await self.httpAttempt(request, pool: pool, endpoint: endpoint, service: service, deadline: deadline)
            }
        }
    }

    func lookup(_ serviceID: String, _ transport: BackendTransport) throws(BackendError) -> (BackendPool, ServiceBackendSettings) {
        guard let service = configuration.services[serviceID], let pool = pools[PoolKey(serviceID: serviceID, transport: transport)] else {
            throw .notConfigured(service: serviceID, transport: transport.configKey)
        }
        return (pool, service)
    }
}

/// The adapter's own tasks, by kind, so `shutdown()` can stop each kind its own way.
final class BackgroundTasks: Sendable {
    enum Kind: Sendable { case healthChecks, connections, duplexes }

    private struct State {
        var started = false
        var nextID: UInt64 = 0
        var tasks: [Kind: [UInt64: Task<Void, Never>]] = [:]
        /// Tasks that ended before they were registered.
        var ended: Set<UInt64> = []
    }

    private let state = NIOLockedValueBox(State())

    /// True the first time only.
    func markStarted() -> Bool {
        state.withLockedValue { s in
            defer { s.started = true }
            return !s.started
        }
    }

    /// An id for a task about to be created (so the task can remove itself).
    func reserveID() -> UInt64 {
        state.withLockedValue { s in
            s.nextID += 1
            return s.nextID
        }
    }

    func add(_ kind: Kind, _ task: Task<Void, Never>) {
        add(kind, reserveID(), task)
    }

    func add(_ kind: Kind, _ id: UInt64, _ task: Task<Void, Never>) {
        state.withLockedValue { s in
            if s.ended.remove(id) != nil { return }
            s.tasks[kind, default: [:]][id] = task
        }
    }

    func remove(_ kind: Kind, _ id: UInt64) {
        state.withLockedValue { s in
            if s.tasks[kind]?.removeValue(forKey: id) == nil { s.ended.insert(id) }
        }
    }

    func take(_ kind: Kind) -> [Task<Void, Never>] {
        state.withLockedValue { s in
            defer { s.tasks[kind] = [:] }
            return Array((s.tasks[kind] ?? [:]).values)
        }
    }
}
