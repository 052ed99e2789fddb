/// How a relay travels to the relayer, and so what its payload is and which
/// backend the relayer routes it to (header `Rpc-Type`, the chain's `RPCType`).
public enum RelayTransport: String, Sendable, CaseIterable, Codable {
    /// HTTP POST, payload a POKTHTTPRequest carrying a JSON-RPC body (Rpc-Type 3).
    case jsonrpc
    /// HTTP POST, payload a POKTHTTPRequest for a REST path (Rpc-Type 4).
    case rest
    /// HTTP POST, payload a POKTHTTPRequest carrying a CometBFT JSON-RPC call (Rpc-Type 5).
    case cometbft
    /// Binary frames on a WebSocket, payload the raw backend message.
    case websocket
    /// HTTP POST to a streaming backend path; the answer is a sequence of signed batches (Rpc-Type 4).
    case stream
    /// The relayer's gRPC service `pocket.service.RelayService/SendRelay`, payload a POKTHTTPRequest for the inner gRPC call.
    case grpc

    /// The `Rpc-Type` value (`pocket.shared.RPCType`): GRPC 1, WEBSOCKET 2, JSON_RPC 3, REST 4, COMET_BFT 5.
    public var rpcType: Int {
        switch self {
        case .grpc: return 1
        case .websocket: return 2
        case .jsonrpc: return 3
        case .rest, .stream: return 4
        case .cometbft: return 5
        }
    }

    /// Whether the answer is one signed RelayResponse per request over HTTP.
    public var isUnaryHTTP: Bool {
        switch self {
        case .jsonrpc, .rest, .cometbft: return true
        case .websocket, .stream, .grpc: return false
        }
    }

    /// Whether the backend's answer is JSON-RPC (so an `error` member is a failure).
    var speaksJSONRPC: Bool {
        switch self {
        case .jsonrpc, .cometbft, .websocket: return true
        case .rest, .stream, .grpc: return false
        }
    }
}
