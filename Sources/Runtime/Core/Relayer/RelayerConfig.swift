/// What one relayer node serves and how strictly. Loaded from YAML by the
/// Live layer or built by a scenario; validated by `validate()`.
public struct RelayerConfig: Sendable {
    /// One service this relayer forwards for.
    public struct Service: Sendable, Hashable {
        public var id: String
        /// The transports the operator has a backend for (anything else is refused before any I/O).
        public var transports: Set<BackendTransport>
        /// Largest accepted `RelayRequest`, in bytes (never above `RelayerConfig.maxRequestBodyBytes`).
        public var maxRequestBodyBytes: Int
        /// How long the backend may take to start answering.
        public var backendDeadline: Duration
        /// Replaces the budget formula with `app stake × factor` (docs/protocol.md#app-stake-metering), as the reference's `service_factors`.
        public var serviceFactor: Double?
        /// Transport of a request without `Rpc-Type` (the service's `default_backend`); nil: `RelayerConfig.defaultTransport`.
        public var defaultTransport: BackendTransport?

        public init(
            id: String, transports: Set<BackendTransport> = [.jsonRPC], maxRequestBodyBytes: Int = RelayerConfig.defaultMaxBodyBytes,
            backendDeadline: Duration = .seconds(30), serviceFactor: Double? = nil, defaultTransport: BackendTransport? = nil
        ) {
            self.id = id
            self.transports = transports
            self.maxRequestBodyBytes = maxRequestBodyBytes
            self.backendDeadline = backendDeadline
            self.serviceFactor = serviceFactor
            self.defaultTransport = defaultTransport
        }
    }

    /// What the meter does when Redis cannot be reached.
    public enum MeterFailurePolicy: String, Sendable, Hashable {
        /// Refuse the relay (503): better not to serve than to serve unmetered. The default.
        case failClosed = "closed"
        /// Serve it unmetered (counted as `relayer_meter_bypassed_total`).
        case failOpen = "open"
    }

    /// App-stake metering (docs/protocol.md#app-stake-metering).
    public struct Meter: Sendable, Hashable {
        public var enabled: Bool
        public var onRedisFailure: MeterFailurePolicy
        /// TTL of a meter key, refreshed by every charge, so keys of old sessions
        /// disappear on their own. Must outlive a session's proof window; nil keeps keys forever.
        public var keyTTL: Duration?

        public init(enabled: Bool = true, onRedisFailure: MeterFailurePolicy = .failClosed, keyTTL: Duration? = .seconds(86_400)) {
            self.enabled = enabled
            self.onRedisFailure = onRedisFailure
            self.keyTTL = keyTTL
        }
    }

    /// Cheap checks of the request's session heights against the current
    /// height, done before any I/O (the reference's `session_height_bounds.go`).
    public struct Plausibility: Sendable, Hashable {
        /// Longest session accepted (end − start + 1).
        public var maxSessionLengthBlocks: Int64
        /// How far a session may start after the relayer's current height (gateways may see blocks first).
        public var maxBlocksAhead: Int64
        /// How far a session may have ended before the current height.
        public var maxBlocksBehind: Int64
        /// Largest ring a request's signature may carry. Real rings are the app
        /// plus at most `max_delegated_gateways` (7 on mainnet); a huge ring
        /// would cost a curve multiplication per member before it is refused.
        public var maxRingSize: Int

        public init(maxSessionLengthBlocks: Int64 = 10_000, maxBlocksAhead: Int64 = 10_000, maxBlocksBehind: Int64 = 10_000, maxRingSize: Int = 64) {
            self.maxSessionLengthBlocks = maxSessionLengthBlocks
            self.maxBlocksAhead = maxBlocksAhead
            self.maxBlocksBehind = maxBlocksBehind
            self.maxRingSize = maxRingSize
        }
    }

    /// In-process caches of chain data.
    public struct Cache: Sendable, Hashable {
        /// Live state (applications and their delegations, rings, live params)
        /// is re-read once it is this many blocks old.
        public var liveMaxAgeBlocks: Int64
        /// Entries per cache; the oldest (by fetch height, then key) are evicted first.
        public var capacity: Int

        public init(liveMaxAgeBlocks: Int64 = 1, capacity: Int = 4_096) {
            self.liveMaxAgeBlocks = liveMaxAgeBlocks
            self.capacity = capacity
        }
    }

    public static let defaultMaxBodyBytes = 10 * 1024 * 1024

    /// Services by id.
    public var services: [String: Service]
    /// Bodies above this are refused before decoding, whatever the service.
    public var maxRequestBodyBytes: Int
    /// Transport assumed when the request carries no `Rpc-Type`.
    public var defaultTransport: BackendTransport
    public var meter: Meter
    public var plausibility: Plausibility
    public var cache: Cache
    public var redisKeys: RedisKeys
    /// Component name of this relayer's telemetry events.
    public var component: String

    public init(
        services: [Service], maxRequestBodyBytes: Int = RelayerConfig.defaultMaxBodyBytes, defaultTransport: BackendTransport = .jsonRPC,
        meter: Meter = Meter(), plausibility: Plausibility = Plausibility(), cache: Cache = Cache(),
        redisKeys: RedisKeys = RedisKeys(), component: String = "relayer"
    ) {
        var byID: [String: Service] = [:]
        for service in services { byID[service.id] = service }
        self.services = byID
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.defaultTransport = defaultTransport
        self.meter = meter
        self.plausibility = plausibility
        self.cache = cache
        self.redisKeys = redisKeys
        self.component = component
    }

    /// Problems that make the configuration unusable, sorted by service id.
    public func validate() -> [String] {
        var problems: [String] = []
        if maxRequestBodyBytes <= 0 { problems.append("max_request_body_bytes must be positive, got \(maxRequestBodyBytes)") }
        if services.isEmpty { problems.append("no services configured: the relayer would refuse every relay") }
        for id in services.keys.sorted() {
            let s = services[id]!
            if s.transports.isEmpty { problems.append("service \(id): no transports configured") }
            if s.maxRequestBodyBytes <= 0 { problems.append("service \(id): max_request_body_bytes must be positive") }
            if s.backendDeadline <= .zero { problems.append("service \(id): backend deadline must be positive") }
            if let f = s.serviceFactor, !(f > 0) { problems.append("service \(id): service factor must be positive, got \(f)") }
        }
        if cache.capacity < 16 { problems.append("cache capacity \(cache.capacity) is too small (minimum 16)") }
        if cache.liveMaxAgeBlocks < 1 { problems.append("cache live max age must be at least 1 block") }
        if plausibility.maxSessionLengthBlocks < 1 { problems.append("plausibility: max session length must be at least 1 block") }
        if plausibility.maxRingSize < 2 { problems.append("plausibility: max ring size must be at least 2") }
        return problems
    }
}

extension BackendTransport {
    /// Parses an `Rpc-Type` header: the chain's number (`3`) or a name
    /// (`JSON_RPC`, `jsonrpc`, `websocket`, `rest`, `comet_bft`, `grpc`, case-insensitive).
    public init?(rpcTypeHeader: String) {
        let text = rpcTypeHeader.trimmingASCIISpaces().lowercased()
        if let n = Int(text), let t = BackendTransport(rawValue: n) {
            self = t
            return
        }
        switch text {
        case "grpc": self = .grpc
        case "websocket", "ws": self = .websocket
        case "json_rpc", "jsonrpc", "json-rpc": self = .jsonRPC
        case "rest": self = .rest
        case "comet_bft", "cometbft", "comet-bft": self = .cometBFT
        default: return nil
        }
    }

    /// HTTP-family transports carry a `POKTHTTPRequest` payload; WebSocket carries raw frames.
    public var carriesHTTPPayload: Bool { self != .websocket }
}

extension String {
    fileprivate func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
