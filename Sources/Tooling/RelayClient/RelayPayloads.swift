import Foundation
import PocketProtocol

/// What the relay asks the backend, before it is wrapped and signed.
public struct RelayPayloadOptions: Sendable, Equatable {
    public var transport: RelayTransport
    /// Overrides the body (JSON-RPC, CometBFT call, REST body, WebSocket message, gRPC request message bytes as UTF-8).
    public var body: String?
    /// REST path (default `/`) or stream path (default `/stream/sse`).
    public var path: String?
    /// Stream only: ask the backend for this many batches (`batches=N` on the path's query).
    public var batches: Int?
    /// gRPC only: the inner call's method path.
    public var grpcMethod: String

    public init(transport: RelayTransport, body: String? = nil, path: String? = nil, batches: Int? = nil,
                grpcMethod: String = RelayPayloads.defaultGRPCMethod) {
        self.transport = transport
        self.body = body
        self.path = path
        self.batches = batches
        self.grpcMethod = grpcMethod
    }
}

/// The payload bytes each transport carries (the `payload` of the signed
/// RelayRequest): a serialized POKTHTTPRequest for the HTTP-style ones and
/// gRPC, the raw message for WebSocket.
public enum RelayPayloads {
    public static let defaultJSONRPCBody = #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#
    public static let defaultCometBFTBody = #"{"jsonrpc":"2.0","id":1,"method":"status","params":[]}"#
    public static let defaultRESTPath = "/"
    public static let defaultStreamPath = "/stream/sse"
    public static let defaultGRPCMethod = "/demo.DemoService/GetBlockHeight"

    /// The payload for `options`.
    public static func payload(_ options: RelayPayloadOptions) throws(RelayClientError) -> Bytes {
        switch options.transport {
        case .jsonrpc:
            return try httpRequest(method: "POST", url: "/", headers: [("Content-Type", "application/json")],
                                   body: Array((options.body ?? defaultJSONRPCBody).utf8))
        case .cometbft:
            return try httpRequest(method: "POST", url: "/", headers: [("Content-Type", "application/json")],
                                   body: Array((options.body ?? defaultCometBFTBody).utf8))
        case .rest:
            let path = options.path ?? defaultRESTPath
            if let body = options.body {
                return try httpRequest(method: "POST", url: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
            }
            return try httpRequest(method: "GET", url: path, headers: [], body: [])
        case .stream:
            var path = options.path ?? defaultStreamPath
            if let batches = options.batches {
                path += (path.contains("?") ? "&" : "?") + "batches=\(batches)"
            }
            if let body = options.body {
                return try httpRequest(method: "POST", url: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
            }
            return try httpRequest(method: "GET", url: path, headers: [], body: [])
        case .websocket:
            return Array((options.body ?? defaultJSONRPCBody).utf8)
        case .grpc:
            let message = Array((options.body ?? "").utf8)
            return try httpRequest(method: "POST", url: options.grpcMethod,
                                   headers: [("Content-Type", "application/grpc"), ("Te", "trailers")], body: grpcFrame(message))
        }
    }

    /// A serialized POKTHTTPRequest (deterministic: header map sorted by key).
    public static func httpRequest(method: String, url: String, headers: [(String, String)], body: Bytes) throws(RelayClientError) -> Bytes {
        var request = Sdk_Types_POKTHTTPRequest()
        request.method = method
        request.url = url
        request.header = RelayResponseBuilder.headerMap(headers.map { (name: $0.0, value: $0.1) })
        request.bodyBz = Data(body)
        do {
            return try CanonicalCodec.encode(request)
        } catch {
            throw RelayClientError("cannot encode the POKTHTTPRequest payload: \(error)")
        }
    }

    /// One gRPC length-prefixed message: flag 0 (not compressed), 4-byte big-endian length, the message.
    public static func grpcFrame(_ message: Bytes) -> Bytes {
        let n = UInt32(message.count)
        return [0, UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + message
    }
}
