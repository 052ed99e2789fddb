/// What `GET /stats` reports: requests served, by route and by JSON-RPC
/// method, and the faults that requests asked for. Tests and round-robin
/// checks read it to see which backend of a pool was used, and how often.
public struct DemoBackendStats: Sendable, Equatable {
    public let backendID: String
    /// Every counted request (all routes; `/stats` itself is not counted).
    public let total: Int
    /// By route: `jsonrpc`, `jsonrpc_batch`, `rest`, `status`, `health`, `sse`, `ndjson`,
    /// `websocket` (connections), `websocket_message` (frames received),
    /// `grpc_get_block_height`, `grpc_stream_blocks`.
    public let routes: [String: Int]
    /// JSON-RPC methods answered, over HTTP (each batch element) and WebSocket.
    public let methods: [String: Int]
    /// Faults applied by request: `status`, `delay`, `gzip`, `close`, `size`, `rpc_error`.
    public let injected: [String: Int]

    public init(backendID: String, total: Int, routes: [String: Int], methods: [String: Int], injected: [String: Int]) {
        self.backendID = backendID
        self.total = total
        self.routes = routes
        self.methods = methods
        self.injected = injected
    }

    /// Served requests of one route (0 if none).
    public func count(route: String) -> Int { routes[route] ?? 0 }

    var json: DemoJSON {
        func counters(_ values: [String: Int]) -> DemoJSON {
            .object(values.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
        }
        return .object([
            ("backend_id", .string(backendID)), ("total", .int(total)),
            ("routes", counters(routes)), ("methods", counters(methods)), ("injected", counters(injected)),
        ])
    }

    /// Reads the JSON of `GET /stats` back (for clients in other processes).
    public init?(json: DemoJSON) {
        func counters(_ value: DemoJSON?) -> [String: Int]? {
            guard case .object(let members)? = value else { return nil }
            var out: [String: Int] = [:]
            for member in members {
                guard let count = member.value.integerValue else { return nil }
                out[member.key] = count
            }
            return out
        }
        guard let backendID = json["backend_id"]?.stringValue, let total = json["total"]?.integerValue,
              let routes = counters(json["routes"]), let methods = counters(json["methods"]), let injected = counters(json["injected"])
        else { return nil }
        self.init(backendID: backendID, total: total, routes: routes, methods: methods, injected: injected)
    }
}

/// Route names counted in `DemoBackendStats.routes`.
enum DemoRoute: String, Sendable {
    case jsonrpc, jsonrpcBatch = "jsonrpc_batch", rest, status, health, sse, ndjson
    case websocket, websocketMessage = "websocket_message"
    case grpcGetBlockHeight = "grpc_get_block_height", grpcStreamBlocks = "grpc_stream_blocks"
}

/// The backend's mutable state: the height counter and the counters behind `/stats`.
actor DemoBackendState {
    let backendID: String
    private var height: Int64
    private var total = 0
    private var routes: [String: Int] = [:]
    private var methods: [String: Int] = [:]
    private var injected: [String: Int] = [:]

    init(backendID: String, startHeight: Int64) {
        self.backendID = backendID
        height = startHeight - 1
    }

    /// The next height: strictly greater than every height handed out before.
    func nextHeight() -> Int64 {
        height += 1
        return height
    }

    func count(_ route: DemoRoute) {
        total += 1
        routes[route.rawValue, default: 0] += 1
    }

    func count(method: String) {
        methods[method, default: 0] += 1
    }

    func count(injected fault: String) {
        injected[fault, default: 0] += 1
    }

    func snapshot() -> DemoBackendStats {
        DemoBackendStats(backendID: backendID, total: total, routes: routes, methods: methods, injected: injected)
    }
}
