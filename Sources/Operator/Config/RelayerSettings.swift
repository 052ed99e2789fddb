import RelayRuntime
import RelayRuntimeLive

/// Everything a relayer process needs, read from the operator's relayer
/// YAML: the core's `RelayerConfig` plus the settings of each live adapter
/// and server. Built only by `RelayerConfigFile`, which has already checked
/// every value, so a process can start from it without re-validating.
public struct RelayerSettings: Sendable {
    /// Services, meter, Redis key prefix: what the relayer pipeline enforces.
    public var relayer: RelayerConfig
    /// The operator's backends by service and transport.
    public var backends: LiveBackendConfiguration
    /// Where the relayer's Redis is.
    public var redis: LiveRedisConfiguration
    /// The chain node to query.
    public var chain: ChainEndpoints
    /// Listeners and connection limits of the relay servers.
    public var server: ServerSettings
    /// The Prometheus `/metrics` listener.
    public var metrics: EndpointToggle
    /// The `/health` and `/ready` listener.
    public var health: EndpointToggle
    /// Parsed for compatibility only: this relayer has no pprof server.
    public var pprof: EndpointToggle
    public var logging: LoggingSettings
    /// Where the supplier keys are (paths already resolved against the config file's directory).
    public var keys: KeysSource
    /// Time between re-reads of the key files; `.zero`: only on SIGHUP.
    public var keysReloadInterval: Duration
    public var responseCompression: ResponseCompression
    /// The transport assumed for a service's request that names none (`default_backend`).
    /// A service missing here has no default: its requests must name a transport.
    public var defaultBackends: [String: BackendTransport]
    public var cacheWarmup: CacheWarmupSettings
    /// Things the file asks for that this relayer does differently; the file still loads.
    public var warnings: [ConfigProblem]
}

/// The supplier key locations (`keys.keys_file`, `keys.keys_dir`).
public typealias KeysSource = SupplierKeysSource

/// The chain node the relayer queries.
public struct ChainEndpoints: Sendable, Hashable {
    /// `host:port` of the node's gRPC port (`query_node_grpc_url`, any scheme stripped).
    public var grpcURL: String { grpcEndpoint.description }
    /// The node's CometBFT RPC base URL (`query_node_rpc_url`).
    public var rpcURL: String
    /// Plaintext gRPC (h2c) instead of TLS (`grpc_insecure`).
    public var grpcInsecure: Bool
    /// When set, the node must report this chain id (`pocket_node.chain_id`).
    public var chainID: String?
    /// The node's gRPC address (what `LiveChainQueries` connects to).
    public var grpcEndpoint: GRPCEndpoint

    public init(grpcEndpoint: GRPCEndpoint, rpcURL: String, grpcInsecure: Bool, chainID: String?) {
        self.grpcEndpoint = grpcEndpoint
        self.rpcURL = rpcURL
        self.grpcInsecure = grpcInsecure
        self.chainID = chainID
    }
}

/// Where the relay servers listen.
public struct ServerSettings: Sendable, Hashable {
    /// HTTP/1.1 relays, WebSocket upgrades and gRPC-Web (`listen_addr`).
    public var listenAddress: ListenAddress
    /// Native gRPC relays on their own h2c port (`grpc_listen_addr`); nil: off.
    public var grpcListenAddress: ListenAddress?
    /// HTTP/2 cleartext relays on their own port (`h2c_listen_addr`); nil: off.
    public var h2cListenAddress: ListenAddress?
    public var limits: ServerLimits

    public init(listenAddress: ListenAddress, grpcListenAddress: ListenAddress?, h2cListenAddress: ListenAddress?, limits: ServerLimits) {
        self.listenAddress = listenAddress
        self.grpcListenAddress = grpcListenAddress
        self.h2cListenAddress = h2cListenAddress
        self.limits = limits
    }
}

/// Limits that keep a flood of clients from exhausting the process (`server:`).
public struct ServerLimits: Sendable, Hashable {
    /// Open client connections across all relay listeners; more are refused.
    public var maxConnections: Int
    /// Time a client has to send its request head (slowloris guard).
    public var readHeaderTimeout: Duration
    /// An idle keep-alive connection is closed after this.
    public var idleTimeout: Duration
    /// How long a stop waits for admitted relays to finish before giving up.
    public var shutdownGracePeriod: Duration

    public init(maxConnections: Int, readHeaderTimeout: Duration, idleTimeout: Duration, shutdownGracePeriod: Duration) {
        self.maxConnections = maxConnections
        self.readHeaderTimeout = readHeaderTimeout
        self.idleTimeout = idleTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}

/// A side server that can be switched off.
public struct EndpointToggle: Sendable, Hashable {
    public var enabled: Bool
    public var address: ListenAddress

    public init(enabled: Bool, address: ListenAddress) {
        self.enabled = enabled
        self.address = address
    }
}

/// How much the process logs, and in which form.
public struct LoggingSettings: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case debug, info, warn, error

        /// The lowest telemetry event level written to the log.
        public var eventLevel: EventLevel {
            switch self {
            case .debug: return .debug
            case .info: return .info
            case .warn: return .warning
            case .error: return .error
            }
        }
    }

    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// One JSON object per line (for log shippers).
        case json
        /// `key=value` text for people.
        case text
    }

    public var level: Level
    public var format: Format

    public init(level: Level, format: Format) {
        self.level = level
        self.format = format
    }
}

/// Gzip of signed relay responses for clients that accept it.
public struct ResponseCompression: Sendable, Hashable {
    public var enabled: Bool
    /// Smaller responses are sent as they are (gzip would not pay for itself).
    public var minSizeBytes: Int

    public init(enabled: Bool, minSizeBytes: Int) {
        self.enabled = enabled
        self.minSizeBytes = minSizeBytes
    }
}

/// Applications whose chain data may be fetched at startup, before their first relay.
public struct CacheWarmupSettings: Sendable, Hashable {
    public var enabled: Bool
    /// Bech32 application addresses.
    public var knownApplications: [String]
    public var concurrency: Int
    public var timeoutPerApplication: Duration

    public init(enabled: Bool, knownApplications: [String], concurrency: Int, timeoutPerApplication: Duration) {
        self.enabled = enabled
        self.knownApplications = knownApplications
        self.concurrency = concurrency
        self.timeoutPerApplication = timeoutPerApplication
    }
}
