import RelayRuntime

/// How one attempt on one endpoint ended.
enum AttemptResult: Sendable {
    /// The endpoint answered. `serverError` marks a 5xx: a breaker failure,
    /// retried on another endpoint while retries remain.
    case answered(BackendResponse, serverError: Bool)
    case failed(AttemptFailure)
}

/// Why an attempt got no answer, and what that says about the endpoint.
struct AttemptFailure: Error, Sendable {
    enum Kind: String, Sendable {
        /// Nothing reached the backend (refused, unreachable, connect timeout, failed handshake): breaker failure, retried.
        case connect
        /// The connection broke mid-request: breaker failure, retried.
        case network
        /// The deadline passed: no verdict, no retry.
        case timeout
        /// The caller went away: no verdict, no retry.
        case cancelled
        /// The answer exceeded the limit: the endpoint works, no retry.
        case tooLarge
        /// The request or answer cannot be used (bad gRPC framing, corrupt gzip): no verdict, no retry.
        case invalid
    }

    let kind: Kind
    let reason: String

    /// The `reason` label of `RelayerMetrics.backendErrors`.
    var metricReason: String {
        switch kind {
        case .connect, .network: return "network"
        case .timeout: return "timeout"
        case .cancelled: return "cancelled"
        case .tooLarge: return "too_large"
        case .invalid: return "invalid"
        }
    }
}

extension BackendResponse {
    /// The same answer with one more header (`Backend-Retries`).
    func adding(_ header: Header) -> BackendResponse {
        switch self {
        case .complete(let status, let headers, let body): return .complete(status: status, headers: headers + [header], body: body)
        case .stream(let status, let headers, let chunks): return .stream(status: status, headers: headers + [header], chunks: chunks)
        }
    }
}

extension LiveBackend {
    typealias Attempt = @Sendable (PoolEndpoint, ContinuousClock.Instant) async -> AttemptResult

    /// Runs `attempt` on the pool's endpoints until one answers: a network
    /// error or a 5xx moves on to an endpoint this request has not tried, up
    /// to `maxRetries` times; everything happens before `requestTimeout`.
    func withRetries(pool: BackendPool, service: ServiceBackendSettings, _ attempt: @escaping Attempt) async throws(BackendError) -> BackendResponse {
        let timeout = service.requestTimeout
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let serviceID = service.serviceID
        return try await Self.withDeadline(deadline, onExpiry: .timeout(service: serviceID, afterMilliseconds: timeout.milliseconds)) {
            () async throws(BackendError) -> BackendResponse in
            try await self.attempts(pool: pool, service: service, deadline: deadline, attempt)
        }
    }

    private func attempts(
        pool: BackendPool, service: ServiceBackendSettings, deadline: ContinuousClock.Instant, _ attempt: Attempt
    ) async throws(BackendError) -> BackendResponse {
        let serviceID = service.serviceID
        var tried = Set<Int>()
        var lastServerError: BackendResponse?
        var lastFailure: (AttemptFailure, PoolEndpoint)?
        while tried.count <= pool.maxRetries {
            guard let picked = pool.pick(excluding: tried) else {
                if tried.isEmpty {
                    telemetry.count(RelayerMetrics.backendFastFails, [("service", serviceID), ("transport", pool.transport.configKey)])
                    throw .unavailable(
                        service: serviceID,
                        reason: "every \(pool.transport.configKey) endpoint (\(pool.endpoints.count)) is unhealthy; retried after its recovery timeout")
                }
                break
            }
            let (endpoint, pick) = picked
            let labels = pool.labels(endpoint)
            if !tried.isEmpty { telemetry.count(RelayerMetrics.backendRetries, labels) }
            tried.insert(endpoint.index)
            telemetry.count(RelayerMetrics.backendRequests, labels)
            let started = ContinuousClock.now
            let result = await attempt(endpoint, deadline)
            telemetry.observe(RelayerMetrics.backendLatency, labels, value: started.duration(to: .now).fractionalSeconds)
            switch result {
            case .answered(let response, serverError: false):
                pool.succeeded(pick)
                return tried.count > 1 ? response.adding(Header("Backend-Retries", String(tried.count - 1))) : response
            case .answered(let response, serverError: true):
                pool.failed(pick)
                telemetry.count(RelayerMetrics.backendErrors, labels + [("reason", "status_5xx")])
                lastServerError = response
                lastFailure = nil
            case .failed(let failure):
                telemetry.count(RelayerMetrics.backendErrors, labels + [("reason", failure.metricReason)])
                switch failure.kind {
                case .connect, .network:
                    pool.failed(pick)
                    lastFailure = (failure, endpoint)
                    lastServerError = nil
                case .tooLarge:
                    pool.succeeded(pick)
                    throw .responseTooLarge(service: serviceID, limit: service.maxResponseBodyBytes)
                case .timeout, .cancelled, .invalid:
                    pool.released(pick)
                    throw Self.error(failure, endpoint: endpoint, service: service)
                }
            }
        }
        if let lastServerError { return lastServerError }
        if let lastFailure { throw Self.error(lastFailure.0, endpoint: lastFailure.1, service: service) }
        throw .unavailable(service: serviceID, reason: "no \(pool.transport.configKey) endpoint could be tried")
    }

    /// The `BackendError` the core sees for a failure that ended the request.
    static func error(_ failure: AttemptFailure, endpoint: PoolEndpoint, service: ServiceBackendSettings) -> BackendError {
        let context = "endpoint \(endpoint.name) (\(endpoint.url)): \(failure.reason)"
        switch failure.kind {
        // A refused connection is a failed request (502, as the Go relayer answers), not "no healthy
        // endpoint": `.unavailable` (503) is kept for pools whose every circuit is open.
        case .connect, .network, .invalid, .cancelled: return .transport(service: service.serviceID, reason: context)
        case .timeout: return .timeout(service: service.serviceID, afterMilliseconds: service.requestTimeout.milliseconds)
        case .tooLarge: return .responseTooLarge(service: service.serviceID, limit: service.maxResponseBodyBytes)
        }
    }

    private enum Race<Value: Sendable>: Sendable {
        case finished(Result<Value, BackendError>)
        case expired
        case timerCancelled
    }

    /// `operation`, or `onExpiry` if it has not finished by `deadline` (it is
    /// then cancelled, which cancels its backend I/O).
    static func withDeadline<Value: Sendable>(
        _ deadline: ContinuousClock.Instant, onExpiry: BackendError,
        _ operation: @escaping @Sendable () async throws(BackendError) -> Value
    ) async throws(BackendError) -> Value {
        let outcome: Race<Value> = await withTaskGroup(of: Race<Value>.self) { group in
            group.addTask {
                do throws(BackendError) { return .finished(.success(try await operation())) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return .timerCancelled }
                return .expired
            }
            var first: Race<Value> = .timerCancelled
            while let next = await group.next() {
                if case .timerCancelled = next { continue }
                first = next
                break
            }
            group.cancelAll()
            return first
        }
        switch outcome {
        case .finished(let result): return try result.get()
        case .expired, .timerCancelled: throw onExpiry
        }
    }
}

extension Duration {
    var fractionalSeconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }
}
