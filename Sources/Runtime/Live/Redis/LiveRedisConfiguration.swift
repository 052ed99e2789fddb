import NIOCore
import NIOPosix

/// Everything `LiveRedisClient` needs to know, with production defaults.
///
/// Timeouts are explicit because the runtime must tell "Redis is slow or
/// gone" (retry, count a relay as unpublished) from a server answer; the
/// defaults keep a hung Redis from holding a relay for more than a couple of
/// seconds.
public struct LiveRedisConfiguration: Sendable {
    /// Where to connect, credentials and database.
    public var url: RedisURL
    /// Multiplexed connections for ordinary commands. Commands from concurrent
    /// callers share them (replies are matched in order per connection).
    public var maxConnections: Int
    /// Connections for server-side blocking commands (XREADGROUP BLOCK) kept
    /// open between calls; more are opened on demand and closed after use.
    public var maxIdleDedicatedConnections: Int
    /// Deadline for one command or one pipeline, from write to last reply.
    public var commandTimeout: Duration
    /// TCP connect deadline for a new connection.
    public var connectTimeout: Duration
    /// Added to a blocking command's BLOCK time to form its reply deadline.
    public var blockingReplyMargin: Duration
    /// Delay before reconnecting after a failed connect, doubling up to `maximum`.
    public var reconnectBackoff: ReconnectBackoffPolicy
    /// `CLIENT SETNAME` on every connection, so operators can spot ours in CLIENT LIST.
    public var clientName: String?
    /// Pub/sub messages buffered per subscription before the oldest are dropped (at-most-once).
    public var subscriptionBufferSize: Int
    /// The event loops that run the sockets.
    public var eventLoopGroup: any EventLoopGroup

    public init(
        url: RedisURL,
        maxConnections: Int = 4,
        maxIdleDedicatedConnections: Int = 2,
        commandTimeout: Duration = .seconds(2),
        connectTimeout: Duration = .seconds(2),
        blockingReplyMargin: Duration = .seconds(2),
        reconnectBackoff: ReconnectBackoffPolicy = ReconnectBackoffPolicy(),
        clientName: String? = "pocket-relay-miner",
        subscriptionBufferSize: Int = 10_000,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.url = url
        self.maxConnections = max(1, maxConnections)
        self.maxIdleDedicatedConnections = max(0, maxIdleDedicatedConnections)
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
        self.blockingReplyMargin = blockingReplyMargin
        self.reconnectBackoff = reconnectBackoff
        self.clientName = clientName
        self.subscriptionBufferSize = max(1, subscriptionBufferSize)
        self.eventLoopGroup = eventLoopGroup
    }

    /// Parses `url` (see `RedisURL`) and keeps the other defaults.
    public init(url: String, maxConnections: Int = 4) throws(RedisURLError) {
        self.init(url: try RedisURL(parsing: url), maxConnections: maxConnections)
    }

    var endpoint: String { url.endpoint }
}

/// Bounded exponential backoff between reconnect attempts. Without it a
/// dead server would be hammered by one connect per command; with it commands
/// fail fast (`unavailable`) until the next attempt is due.
public struct ReconnectBackoffPolicy: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The wait after the `failures`-th consecutive failure (1-based).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var d = initial
        for _ in 1..<failures {
            d = d * 2
            if d >= maximum { return maximum }
        }
        return min(d, maximum)
    }
}
