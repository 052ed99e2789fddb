import GRPCNIOTransportHTTP2

/// Everything `LiveChainQueries` needs, with the reference's defaults
/// (spec reference-relay-miner §1.4: keepalive 60 s / 10 s, reconnect
/// backoff 1–30 s, 90 s live caches).
public struct LiveChainQueriesConfiguration: Sendable {
    /// The node's gRPC port.
    public var endpoint: GRPCEndpoint
    public var security: GRPCChainSecurity
    /// Deadline of every call, from send to answer. A stalled node then
    /// costs a relay or a miner step this long at most, and comes back as
    /// `ChainError.timeout`.
    public var callTimeout: Duration
    /// HTTP/2 pings on an idle connection, so a silently dead node (a
    /// dropped NAT entry, a half-open socket) is noticed before a call waits
    /// on it. nil: no pings.
    public var keepalive: HTTP2ClientTransport.Config.Keepalive?
    /// Delay between attempts to re-establish the connection: the transport
    /// reconnects on its own, starting at `initial` and growing to `max`.
    /// Meanwhile calls fail fast as `unavailable` rather than queue.
    public var reconnectBackoff: HTTP2ClientTransport.Config.Backoff
    /// Largest answer accepted (a page of claims, a transaction lookup).
    public var maxResponseBytes: Int
    /// Claims per AllClaims page when following pagination.
    public var claimsPageLimit: UInt64
    public var cache: ChainQueryCachePolicy

    public init(
        endpoint: GRPCEndpoint,
        security: GRPCChainSecurity = .plaintext,
        callTimeout: Duration = .seconds(10),
        keepalive: HTTP2ClientTransport.Config.Keepalive? = .init(time: .seconds(60), timeout: .seconds(10), allowWithoutCalls: true),
        reconnectBackoff: HTTP2ClientTransport.Config.Backoff = .init(initial: .seconds(1), max: .seconds(30), multiplier: 1.6, jitter: 0.2),
        maxResponseBytes: Int = 16 << 20,
        claimsPageLimit: UInt64 = 100,
        cache: ChainQueryCachePolicy = .default
    ) {
        self.endpoint = endpoint
        self.security = security
        self.callTimeout = callTimeout
        self.keepalive = keepalive
        self.reconnectBackoff = reconnectBackoff
        self.maxResponseBytes = maxResponseBytes
        self.claimsPageLimit = max(1, claimsPageLimit)
        self.cache = cache
    }

    /// Parses `host:port` and keeps the other defaults.
    public init(endpoint: String, security: GRPCChainSecurity = .plaintext) throws(GRPCEndpointError) {
        self.init(endpoint: try GRPCEndpoint(parsing: endpoint), security: security)
    }

    /// The NIO transport's settings: keepalive and backoff as above; idle
    /// connections are kept (a relayer is never idle for long, and a
    /// reconnect on the first relay after a quiet spell costs a round trip).
    var transportConfig: HTTP2ClientTransport.Posix.Config {
        .defaults { config in
            config.backoff = reconnectBackoff
            config.connection.keepalive = keepalive
            config.connection.maxIdleTime = nil
        }
    }
}
