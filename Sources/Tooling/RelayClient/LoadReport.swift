/// The outcome of a load test, printed as a table or (with --output-json)
/// as one JSON object with these keys (stable; docs/relay-client.md):
///
/// `transport`, `service`, `total`, `succeeded`, `failed`,
/// `success_rate_percent` (0–100), `duration_seconds` (the timed part only:
/// sending and verifying, not signing ahead), `throughput_rps` (total /
/// duration), `latency_ms` (`count`, `min_ms`, `mean_ms`, `p50_ms`, `p95_ms`,
/// `p99_ms`, `max_ms`, over the succeeded relays), `errors` (failure count by
/// reason: `http_<status>:<reason>` for relayer refusals, the client's own
/// reason otherwise), `concurrency`, `rps_limit` (0: unlimited),
/// `presigned` (requests signed before the timed part), `signing_seconds`,
/// `sessions` (session ids used, in order), `session_rollovers`, `resigned`
/// (requests signed again after a rollover).
public struct LoadReport: Codable, Sendable, Equatable {
    public var transport: String
    public var service: String
    public var total: Int
    public var succeeded: Int
    public var failed: Int
    public var successRatePercent: Double
    public var durationSeconds: Double
    public var throughputRPS: Double
    public var latencyMs: LatencySummary
    public var errors: [String: Int]
    public var concurrency: Int
    public var rpsLimit: Int
    public var presigned: Int
    public var signingSeconds: Double
    public var sessions: [String]
    public var sessionRollovers: Int
    public var resigned: Int

    public init(transport: String, service: String, total: Int, succeeded: Int, failed: Int, successRatePercent: Double,
                durationSeconds: Double, throughputRPS: Double, latencyMs: LatencySummary, errors: [String: Int], concurrency: Int,
                rpsLimit: Int, presigned: Int, signingSeconds: Double, sessions: [String], sessionRollovers: Int, resigned: Int) {
        self.transport = transport
        self.service = service
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
        self.successRatePercent = successRatePercent
        self.durationSeconds = durationSeconds
        self.throughputRPS = throughputRPS
        self.latencyMs = latencyMs
        self.errors = errors
        self.concurrency = concurrency
        self.rpsLimit = rpsLimit
        self.presigned = presigned
        self.signingSeconds = signingSeconds
        self.sessions = sessions
        self.sessionRollovers = sessionRollovers
        self.resigned = resigned
    }

    enum CodingKeys: String, CodingKey {
        case transport, service, total, succeeded, failed
        case successRatePercent = "success_rate_percent"
        case durationSeconds = "duration_seconds"
        case throughputRPS = "throughput_rps"
        case latencyMs = "latency_ms"
        case errors, concurrency
        case rpsLimit = "rps_limit"
        case presigned
        case signingSeconds = "signing_seconds"
        case sessions
        case sessionRollovers = "session_rollovers"
        case resigned
    }

    /// Every relay succeeded.
    public var allSucceeded: Bool { failed == 0 && succeeded == total }
}
