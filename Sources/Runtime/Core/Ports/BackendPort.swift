/// The transport family a relay is forwarded over, mirroring the chain's
/// `RPCType` numbering (1 gRPC, 2 WebSocket, 3 JSON-RPC, 4 REST, 5 CometBFT).
public enum BackendTransport: Int, Sendable, Hashable, CaseIterable {
    case grpc = 1
    case websocket = 2
    case jsonRPC = 3
    case rest = 4
    case cometBFT = 5

    /// The backend key used in configuration (`jsonrpc`, `websocket`, …).
    public var configKey: String {
        switch self {
        case .grpc: return "grpc"
        case .websocket: return "websocket"
        case .jsonRPC: return "jsonrpc"
        case .rest: return "rest"
        case .cometBFT: return "cometbft"
        }
    }
}

/// An HTTP header; a list keeps duplicates and order.
public struct Header: Sendable, Hashable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request the relayer forwards to the operator's backend for a service.
public struct BackendRequest: Sendable, Hashable {
    public let serviceID: String
    public let transport: BackendTransport
    public let method: String
    /// Path and query as the client sent them (merged with the backend base path by the adapter).
    public let path: String
    public let headers: [Header]
    public let body: [UInt8]

    public init(serviceID: String, transport: BackendTransport, method: String, path: String, headers: [Header], body: [UInt8]) {
        self.serviceID = serviceID
        self.transport = transport
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// The backend's answer: a complete body, or a stream of chunks for
/// SSE/NDJSON responses that the relayer signs batch by batch.
public enum BackendResponse: Sendable {
    case complete(status: Int, headers: [Header], body: [UInt8])
    case stream(status: Int, headers: [Header], chunks: BackendStream<[UInt8]>)

    public var status: Int {
        switch self {
        case .complete(let s, _, _), .stream(let s, _, _): return s
        }
    }
}

/// One WebSocket message in either direction.
public enum DuplexMessage: Sendable, Hashable {
    case text(String)
    case binary([UInt8])

    public var bytes: [UInt8] {
        switch self {
        case .text(let s): return Array(s.utf8)
        case .binary(let b): return b
        }
    }
}

/// A WebSocket connection to the backend: every inbound message is signed and
/// mined as its own relay by the relayer.
public protocol BackendDuplex: Sendable {
    func send(_ message: DuplexMessage) async throws(BackendError)
    var inbound: BackendStream<DuplexMessage> { get }
    func close() async
}

/// Why the backend could not answer. Each maps to a clear client reply and
/// to a metering refund (the relay was not served).
public enum BackendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No backend is configured for this service and transport.
    case notConfigured(service: String, transport: String)
    /// Every endpoint is unhealthy (circuit open) or refused the connection.
    case unavailable(service: String, reason: String)
    /// The backend did not answer within the service's deadline.
    case timeout(service: String, afterMilliseconds: Int64)
    /// The connection failed mid-request.
    case transport(service: String, reason: String)
    /// The response exceeded the configured size limit.
    case responseTooLarge(service: String, limit: Int)

    public var description: String {
        switch self {
        case .notConfigured(let s, let t): return "no \(t) backend configured for service \(s)"
        case .unavailable(let s, let r): return "backend for service \(s) unavailable: \(r)"
        case .timeout(let s, let ms): return "backend for service \(s) timed out after \(ms) ms"
        case .transport(let s, let r): return "backend for service \(s) failed: \(r)"
        case .responseTooLarge(let s, let l): return "backend response for service \(s) exceeds \(l) bytes"
        }
    }
}

/// The operator's backends. Production adapters speak HTTP, SSE/NDJSON,
/// WebSocket and gRPC; the simulator provides backends with latency and
/// error profiles.
public protocol BackendPort: Sendable {
    func forward(_ request: BackendRequest) async throws(BackendError) -> BackendResponse
    func openDuplex(serviceID: String, path: String, headers: [Header]) async throws(BackendError) -> any BackendDuplex
}
