import HTTPTypes
import RelayRuntime

extension LiveBackend {
    /// Dials the service's WebSocket pool: the endpoint is chosen and judged
    /// like an HTTP one (breaker, `first_healthy`/`round_robin`, a failed dial
    /// retried on an alternate endpoint up to `maxRetries`), all within the
    /// service's `requestTimeout`. A pool whose every endpoint is open, or a
    /// dial that fails everywhere, is `unavailable`.
    public func openDuplex(serviceID: String, path: String, headers: [Header]) async throws(BackendError) -> any BackendDuplex {
        let (pool, service) = try lookup(serviceID, .websocket)
        let timeout = service.requestTimeout
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var tried = Set<Int>()
        var lastFailure: (AttemptFailure, PoolEndpoint)?
        while tried.count <= pool.maxRetries {
            guard let picked = pool.pick(excluding: tried) else {
                if tried.isEmpty {
                    telemetry.count(RelayerMetrics.backendFastFails, [("service", serviceID), ("transport", pool.transport.configKey)])
                    throw .unavailable(service: serviceID, reason: "every websocket endpoint (\(pool.endpoints.count)) is unhealthy")
                }
                break
            }
            let (endpoint, pick) = picked
            guard case .url(let url) = endpoint.target else { break }
            let labels = pool.labels(endpoint)
            if !tried.isEmpty { telemetry.count(RelayerMetrics.backendRetries, labels) }
            tried.insert(endpoint.index)
            telemetry.count(RelayerMetrics.backendRequests, labels)
            let outgoing = BackendHeaderRules.outgoing(headers, pool: pool.settings, dropping: BackendHeaderRules.webSocketHandshakeHeaders)
            let fields = Self.httpFields(outgoing.filter { $0.name.lowercased() != "accept-encoding" })
            let started = ContinuousClock.now
            let dialed = await LiveBackendDuplex.dial(
                url: url.resolving(basePath: pool.settings.basePath, request: path), headers: fields, serviceID: serviceID,
                endpoint: endpoint.name, maxMessageBytes: configuration.maxWebSocketMessageBytes, deadline: deadline,
                background: background)
            telemetry.observe(RelayerMetrics.backendLatency, labels, value: started.duration(to: .now).fractionalSeconds)
            switch dialed {
            case .success(let duplex):
                pool.succeeded(pick)
                return duplex
            case .failure(let failure):
                telemetry.count(RelayerMetrics.backendErrors, labels + [("reason", failure.metricReason)])
                switch failure.kind {
                case .connect, .network:
                    pool.failed(pick)
                    lastFailure = (failure, endpoint)
                case .timeout, .cancelled, .invalid, .tooLarge:
                    pool.released(pick)
                    if failure.kind == .timeout { throw .timeout(service: serviceID, afterMilliseconds: timeout.milliseconds) }
                    throw Self.error(failure, endpoint: endpoint, service: service)
                }
            }
        }
        guard let lastFailure else {
            throw .unavailable(service: serviceID, reason: "no websocket endpoint could be dialled")
        }
        let (failure, endpoint) = lastFailure
        throw .unavailable(service: serviceID, reason: "endpoint \(endpoint.name) (\(endpoint.url)): \(failure.reason)")
    }

    static func httpFields(_ headers: [Header]) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        return fields
    }
}
