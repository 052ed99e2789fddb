import RelayRuntime

/// Monotonic time for the circuit breakers (recovery timeouts). Production
/// passes the system's monotonic clock; tests pass a clock they move by hand,
/// so recovery is driven without sleeping.
public typealias BackendClock = @Sendable () -> MonotonicInstant

/// One endpoint's state as readiness checks and dashboards see it. `healthy`
/// is false while its circuit is open or half-open (awaiting a trial).
public struct BackendPoolHealth: Sendable, Hashable {
    public let serviceID: String
    public let transport: BackendTransport
    /// The endpoint's configured name.
    public let endpoint: String
    public let url: String
    public let healthy: Bool
    /// Failed requests in a row (network errors and 5xx; reset by any success).
    public let consecutiveFailures: Int
    /// Failed active probes in a row (0 when health checks are off).
    public let consecutiveProbeFailures: Int

    public init(serviceID: String, transport: BackendTransport, endpoint: String, url: String, healthy: Bool,
                consecutiveFailures: Int, consecutiveProbeFailures: Int) {
        self.serviceID = serviceID
        self.transport = transport
        self.endpoint = endpoint
        self.url = url
        self.healthy = healthy
        self.consecutiveFailures = consecutiveFailures
        self.consecutiveProbeFailures = consecutiveProbeFailures
    }
}
