import Logging

/// Where the demo backend listens and how it names itself.
public struct DemoBackendConfiguration: Sendable {
    /// HTTP listener (JSON-RPC, REST, CometBFT status, WebSocket, SSE/NDJSON, `/stats`); port 0 binds a free port.
    public var httpHost: String
    public var httpPort: Int
    /// gRPC listener (`demo.DemoService`, plaintext HTTP/2); an IPv4 address. nil: no gRPC listener.
    public var grpcHost: String?
    public var grpcPort: Int
    /// Carried by every answer (`backend_id` in JSON, `X-Backend-Id` header, gRPC field), so a caller
    /// behind a relayer can tell which backend of a pool answered.
    public var backendID: String
    /// `node_info.network` of the CometBFT status (the chain id a CometBFT client checks).
    public var network: String
    /// The first height handed out; every height read (eth_blockNumber, status, gRPC) takes the next one.
    public var startHeight: Int64
    /// Level of the servers' own logs (Hummingbird reports a cancelled server and dropped connections as errors).
    public var logLevel: Logger.Level

    public init(httpHost: String = "127.0.0.1", httpPort: Int = 8545, grpcHost: String? = "127.0.0.1", grpcPort: Int = 50051,
                backendID: String = "demo-backend", network: String = "pocket-demo", startHeight: Int64 = 1,
                logLevel: Logger.Level = .critical) {
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.grpcHost = grpcHost
        self.grpcPort = grpcPort
        self.backendID = backendID
        self.network = network
        self.startHeight = startHeight
        self.logLevel = logLevel
    }

    /// Both listeners on 127.0.0.1 with free ports: what tests and in-process tools want.
    public static func loopback(backendID: String = "demo-backend") -> DemoBackendConfiguration {
        DemoBackendConfiguration(httpPort: 0, grpcPort: 0, backendID: backendID)
    }
}

/// The addresses the backend actually bound (ports resolved when configured as 0).
public struct DemoBackendEndpoints: Sendable, Equatable, CustomStringConvertible {
    public let httpHost: String
    public let httpPort: Int
    /// nil when the gRPC listener is disabled.
    public let grpcHost: String?
    public let grpcPort: Int?

    /// `http://host:port` of the HTTP listener.
    public var httpURL: String { "http://\(Self.hostForURL(httpHost)):\(httpPort)" }
    /// `ws://host:port/ws`, the WebSocket endpoint.
    public var webSocketURL: String { "ws://\(Self.hostForURL(httpHost)):\(httpPort)/ws" }

    /// The CLI's ready line: `http=HOST:PORT grpc=HOST:PORT` (`grpc=off` without gRPC).
    public var description: String {
        let grpc = grpcHost.flatMap { host in grpcPort.map { "\(host):\($0)" } } ?? "off"
        return "http=\(httpHost):\(httpPort) grpc=\(grpc)"
    }

    private static func hostForURL(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}

/// Why the demo backend could not start or report its addresses.
public enum DemoBackendError: Error, Sendable, CustomStringConvertible {
    /// A listener failed to bind or stopped with an error.
    case listenerFailed(listener: String, address: String, reason: String)
    /// `run()` ended (cancelled or shut down) before the listener was up.
    case stoppedBeforeListening(listener: String)
    /// `run()` was called a second time; a server runs once.
    case alreadyRunning

    public var description: String {
        switch self {
        case let .listenerFailed(listener, address, reason):
            "the demo backend's \(listener) listener on \(address) failed: \(reason); pick a free port (0 picks one) or stop what holds it"
        case let .stoppedBeforeListening(listener):
            "the demo backend stopped before its \(listener) listener was up"
        case .alreadyRunning:
            "this DemoBackendServer is already running (or has run); create a new one to serve again"
        }
    }
}
