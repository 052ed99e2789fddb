/// What the live backend adapter reports about the operator's backends: per
/// endpoint, so a dashboard shows which node of a pool is failing, not only
/// that a service is. Labels: `service`, `transport` (the configuration key,
/// `jsonrpc`, `websocket`, …) and `endpoint` (the endpoint's configured name).
///
/// Kept apart from `RelayerMetrics.all`: an exporter registers
/// `RelayerMetrics.all + RelayerMetrics.backend`.
extension RelayerMetrics {
    public static let backendRequests = MetricDescriptor(
        "ha_relayer_backend_requests_total", .counter, help: "Attempts sent to a backend endpoint (retries count again).",
        labels: ["service", "transport", "endpoint"])
    public static let backendErrors = MetricDescriptor(
        "ha_relayer_backend_errors_total", .counter,
        help: "Backend attempts that failed, by reason (network, timeout, status_5xx, too_large, invalid, cancelled).",
        labels: ["service", "transport", "endpoint", "reason"])
    public static let backendRetries = MetricDescriptor(
        "ha_relayer_backend_retries_total", .counter, help: "Attempts made on an alternate endpoint after a network error or a 5xx.",
        labels: ["service", "transport", "endpoint"])
    public static let backendLatency = MetricDescriptor(
        "ha_relayer_backend_latency_seconds", .histogram, help: "Time from sending an attempt to its response head.",
        labels: ["service", "transport", "endpoint"])
    public static let backendBreakerTransitions = MetricDescriptor(
        "ha_relayer_backend_breaker_transitions_total", .counter,
        help: "Circuit-breaker state changes of an endpoint (to: open, half_open, closed).",
        labels: ["service", "transport", "endpoint", "to"])
    public static let backendEndpointHealthy = MetricDescriptor(
        "ha_relayer_backend_endpoint_healthy", .gauge, help: "1 while an endpoint's circuit is closed, 0 while open or half-open.",
        labels: ["service", "transport", "endpoint"])
    public static let backendFastFails = MetricDescriptor(
        "ha_relayer_backend_fast_fails_total", .counter, help: "Requests refused without I/O because every endpoint of the pool was open.",
        labels: ["service", "transport"])
    public static let backendHealthProbes = MetricDescriptor(
        "ha_relayer_backend_health_probes_total", .counter, help: "Active health probes, by result (pass, fail).",
        labels: ["service", "transport", "endpoint", "result"])

    /// Every backend descriptor, for exporters that register up front.
    public static let backend: [MetricDescriptor] = [
        backendRequests, backendErrors, backendRetries, backendLatency, backendBreakerTransitions, backendEndpointHealthy,
        backendFastFails, backendHealthProbes,
    ]
}
