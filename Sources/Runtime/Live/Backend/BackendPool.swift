import NIOConcurrencyHelpers
import RelayRuntime

/// Where one endpoint of a pool is reached, parsed at startup.
enum EndpointTarget: Sendable, Hashable {
    /// HTTP-family (`http`/`https`) or WebSocket (`ws`/`wss`).
    case url(BackendURL)
    case grpc(GRPCBackendTarget)
}

/// One endpoint of a pool.
struct PoolEndpoint: Sendable {
    let index: Int
    let name: String
    let url: String
    let target: EndpointTarget
}

/// The endpoints behind one (service, transport): their parsed targets, the
/// circuits that decide which may be used, and the telemetry of every
/// verdict. Safe to share between concurrent requests.
final class BackendPool: Sendable {
    let serviceID: String
    let transport: BackendTransport
    let settings: BackendPoolSettings
    let endpoints: [PoolEndpoint]
    /// Extra attempts after the first (0–3).
    let maxRetries: Int
    private let circuits: NIOLockedValueBox<EndpointCircuits>
    private let clock: BackendClock
    private let telemetry: any TelemetryPort

    init(serviceID: String, transport: BackendTransport, settings: BackendPoolSettings, clock: @escaping BackendClock,
         telemetry: any TelemetryPort) throws(LiveBackendConfigurationError) {
        guard !settings.endpoints.isEmpty else { throw .emptyPool(service: serviceID, transport: transport.configKey) }
        guard (0...3).contains(settings.maxRetries) else {
            throw .invalidSetting(service: serviceID, transport: transport.configKey, "max_retries is \(settings.maxRetries); use 0 to 3")
        }
        var endpoints: [PoolEndpoint] = []
        for (index, endpoint) in settings.endpoints.enumerated() {
            let target: EndpointTarget
            switch transport {
            case .grpc: target = .grpc(try GRPCBackendTarget(parsing: endpoint.url))
            case .websocket: target = .url(try BackendURL(parsing: endpoint.url, allowedSchemes: ["ws", "wss"]))
            case .jsonRPC, .rest, .cometBFT: target = .url(try BackendURL(parsing: endpoint.url, allowedSchemes: ["http", "https"]))
            }
            endpoints.append(PoolEndpoint(index: index, name: endpoint.name, url: endpoint.url, target: target))
        }
        self.serviceID = serviceID
        self.transport = transport
        self.settings = settings
        self.endpoints = endpoints
        maxRetries = settings.maxRetries
        circuits = NIOLockedValueBox(EndpointCircuits(
            count: endpoints.count, unhealthyThreshold: settings.unhealthyThreshold, recoveryTimeout: settings.recoveryTimeout))
        self.clock = clock
        self.telemetry = telemetry
        for endpoint in endpoints { telemetry.gauge(RelayerMetrics.backendEndpointHealthy, labels(endpoint), value: 1) }
    }

    func labels(_ endpoint: PoolEndpoint) -> TelemetryLabels {
        [("service", serviceID), ("transport", transport.configKey), ("endpoint", endpoint.name)]
    }

    /// The endpoint for the next attempt, or nil when every endpoint not in
    /// `excluded` is open (and not ready for a trial).
    func pick(excluding excluded: Set<Int>) -> (PoolEndpoint, EndpointCircuits.Pick)? {
        let now = clock()
        guard let pick = circuits.withLockedValue({ $0.pick(settings.loadBalancing, excluding: excluded, now: now) }) else { return nil }
        let endpoint = endpoints[pick.index]
        if pick.isTrial { report(.halfOpen, endpoint) }
        return (endpoint, pick)
    }

    func succeeded(_ pick: EndpointCircuits.Pick) {
        let transition = circuits.withLockedValue { $0.succeeded(pick) }
        if let transition { report(transition, endpoints[pick.index]) }
    }

    func failed(_ pick: EndpointCircuits.Pick) {
        let now = clock()
        let transition = circuits.withLockedValue { $0.failed(pick, now: now) }
        if let transition { report(transition, endpoints[pick.index]) }
    }

    func released(_ pick: EndpointCircuits.Pick) {
        circuits.withLockedValue { $0.released(pick) }
    }

    func probed(_ index: Int, passed: Bool) {
        let now = clock()
        let check = settings.healthCheck
        let transition = circuits.withLockedValue {
            $0.probed(index, passed: passed, healthyThreshold: check.healthyThreshold, unhealthyThreshold: check.unhealthyThreshold, now: now)
        }
        telemetry.count(RelayerMetrics.backendHealthProbes, labels(endpoints[index]) + [("result", passed ? "pass" : "fail")])
        if let transition { report(transition, endpoints[index]) }
    }

    var health: [BackendPoolHealth] {
        let circuits = circuits.withLockedValue { $0.circuits }
        return endpoints.map { endpoint in
            let circuit = circuits[endpoint.index]
            return BackendPoolHealth(
                serviceID: serviceID, transport: transport, endpoint: endpoint.name, url: endpoint.url, healthy: circuit.isClosed,
                consecutiveFailures: circuit.consecutiveFailures, consecutiveProbeFailures: circuit.probeFailures)
        }
    }

    private func report(_ transition: CircuitTransition, _ endpoint: PoolEndpoint) {
        let labels = labels(endpoint)
        telemetry.count(RelayerMetrics.backendBreakerTransitions, labels + [("to", transition.rawValue)])
        telemetry.gauge(RelayerMetrics.backendEndpointHealthy, labels, value: transition == .closed ? 1 : 0)
        let fields = labels + [("url", endpoint.url)]
        switch transition {
        case .open: telemetry.event("backend", "endpoint_unhealthy", level: .warning, fields)
        case .halfOpen: telemetry.event("backend", "endpoint_trial", level: .info, fields)
        case .closed: telemetry.event("backend", "endpoint_healthy", level: .info, fields)
        }
    }
}
