import RelayRuntime

/// Where and how the live chain client talks to a node's CometBFT RPC.
public struct CometBFTConfiguration: Sendable, Hashable {
    /// The node's RPC base URL (`http://host:26657`; `tcp://` as in a CometBFT
    /// config file is read as `http://`). The WebSocket is `<base>/websocket`.
    public var rpcURL: String
    /// Deadline of one HTTP request (connect included): a node that does not
    /// answer in time is reported as `.timeout`, so the caller can retry.
    public var requestTimeout: Duration
    /// Waits between reconnect attempts of a block subscription.
    public var reconnectBackoff: ReconnectBackoffPolicy
    /// Blocks a slow subscriber may fall behind before the oldest are dropped
    /// (the port is at-most-once: the runtime acts on the latest block).
    public var subscriptionBufferSize: Int
    /// Largest response body accepted; a block is small, so this only guards
    /// against a misconfigured endpoint streaming something else.
    public var maxResponseBytes: Int
    /// Interval of WebSocket pings, which detect a dead connection that never
    /// closed (a node that vanished without a FIN) so the subscription reconnects.
    public var pingInterval: Duration

    public init(
        rpcURL: String, requestTimeout: Duration = .seconds(5),
        reconnectBackoff: ReconnectBackoffPolicy = ReconnectBackoffPolicy(initial: .milliseconds(100), maximum: .seconds(5)),
        subscriptionBufferSize: Int = 16, maxResponseBytes: Int = 8 << 20, pingInterval: Duration = .seconds(15)
    ) {
        self.rpcURL = rpcURL
        self.requestTimeout = requestTimeout
        self.reconnectBackoff = reconnectBackoff
        self.subscriptionBufferSize = max(1, subscriptionBufferSize)
        self.maxResponseBytes = maxResponseBytes
        self.pingInterval = pingInterval
    }

    /// `rpcURL` without a trailing slash, `tcp://` turned into `http://`.
    var httpBase: String {
        var base = rpcURL
        if base.hasPrefix("tcp://") { base = "http://" + base.dropFirst("tcp://".count) }
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// The node's event WebSocket (`ws://…/websocket`, `wss://` for https).
    var webSocketURL: String {
        let base = httpBase
        if base.hasPrefix("https://") { return "wss://" + base.dropFirst("https://".count) + "/websocket" }
        if base.hasPrefix("http://") { return "ws://" + base.dropFirst("http://".count) + "/websocket" }
        return base + "/websocket"
    }
}
