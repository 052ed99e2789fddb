/// Values used when a key is absent. Where the reference relay miner has the
/// key, its default is used so an existing file behaves the same; the keys
/// that are ours are marked.
public enum RelayerDefaults {
    public static let listenAddress = "0.0.0.0:8080"
    /// Ours: the reference serves gRPC on `listen_addr`; we use a separate h2c port.
    public static let grpcListenAddress = "0.0.0.0:8082"
    public static let redisURL = "redis://localhost:6379"
    /// `redis.pool_size: 0` (or absent) means this many connections, as in the reference.
    public static let redisPoolSize = 50
    public static let redisKeyPrefix = "ha"
    public static let defaultRequestTimeoutSeconds = 30
    public static let defaultMaxBodySizeBytes = 10 * 1024 * 1024
    public static let metricsAddress = "0.0.0.0:9090"
    public static let healthAddress = "0.0.0.0:8081"
    public static let pprofAddress = "0.0.0.0:6060"
    /// The reference's meter default: serve unmetered while Redis is unreachable.
    public static let meterFailBehavior = "open"
    public static let meterCacheTTL: Duration = .seconds(2 * 3_600)
    public static let maxRetries = 1
    public static let recoveryTimeoutSeconds = 30
    /// Consecutive failures that open an endpoint's circuit (`health_check.unhealthy_threshold` when set).
    public static let breakerThreshold = 5
    /// Failed probes that mark an endpoint unhealthy when `unhealthy_threshold` is absent.
    public static let probeUnhealthyThreshold = 3
    public static let probeHealthyThreshold = 2
    public static let probeTimeoutSeconds = 5
    public static let responseCompressionMinSizeBytes = 1024
    // http_transport
    public static let maxConnectionsPerHost = 500
    public static let idleConnectionTimeoutSeconds = 90
    public static let dialTimeoutSeconds = 5
    /// `http_transport.max_conns_per_host: 0` means unlimited in the reference; here it becomes this.
    public static let unlimitedConnectionsPerHost = 65_535
    // Ours.
    public static let maxConnections = 10_000
    public static let readHeaderTimeoutSeconds = 10
    public static let idleTimeoutSeconds = 120
    public static let shutdownTimeoutSeconds = 30
    public static let keysReloadIntervalSeconds = 30
}
