import RelayRuntime

/// A `host:port` a server binds.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`:8080` binds every interface, as Go does).
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// What the relayer's servers listen on and the limits that keep slow or
/// hostile clients from exhausting them.
public struct RelayerServerOptions: Sendable {
    /// HTTP/1.1: relays (JSON-RPC, REST, CometBFT, streaming), WebSocket upgrades, `/health`, `/ready`.
    public var http: ServerAddress
    /// HTTP/2 cleartext with prior knowledge: the same relay routes as `http` (nil: off).
    public var h2c: ServerAddress?
    /// gRPC over h2c: `/pocket.service.RelayService/SendRelay` (nil: off).
    public var grpc: ServerAddress?
    /// Prometheus `/metrics` (nil: off).
    public var metrics: ServerAddress?
    /// `/health` and `/ready` alone, for orchestrators (nil: off; they are on `http` too).
    public var health: ServerAddress?
    /// Connections open at once per listener; further ones are closed at accept.
    public var maxConnections: Int
    /// A connection with no traffic for this long is closed.
    public var idleTimeout: Duration
    /// A request body must arrive within this long of its first byte (slow-trickle clients get 408).
    public var bodyReadTimeout: Duration

    public init(
        http: ServerAddress, h2c: ServerAddress? = nil, grpc: ServerAddress? = nil, metrics: ServerAddress? = nil, health: ServerAddress? = nil,
        maxConnections: Int = 10_000, idleTimeout: Duration = .seconds(120), bodyReadTimeout: Duration = .seconds(30)
    ) {
        self.http = http
        self.h2c = h2c
        self.grpc = grpc
        self.metrics = metrics
        self.health = health
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.bodyReadTimeout = bodyReadTimeout
    }
}
