/// Why one relay did not count as a success. `reason` is a stable
/// snake_case word (the key of the load report's error breakdown, so scripts
/// can match on it); `detail` is the human sentence.
///
/// A relayer that refuses a request answers a non-200 status with a JSON body
/// `{"error": "...", "reason": "..."}`: its own `reason` is kept and the
/// status is recorded, so the breakdown tells "429 relay_limit_reached" from
/// "403 ring_signature_invalid".
public struct RelayFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public let detail: String
    /// The relayer's HTTP status when it refused the request (non-200), else nil.
    public let httpStatus: Int?

    public init(_ reason: String, _ detail: String, httpStatus: Int? = nil) {
        self.reason = reason
        self.detail = detail
        self.httpStatus = httpStatus
    }

    /// The error breakdown's key: `http_<status>:<reason>` for relayer refusals, `reason` otherwise.
    public var breakdownKey: String {
        httpStatus.map { "http_\($0):\(reason)" } ?? reason
    }

    public var description: String {
        if let httpStatus { return "HTTP \(httpStatus) \(reason): \(detail)" }
        return "\(reason): \(detail)"
    }
}

/// The reasons the client itself assigns (the relayer's own reasons pass through unchanged).
extension RelayFailure {
    public enum Reason {
        /// No answer within --timeout.
        public static let timeout = "timeout"
        /// The relayer could not be reached (refused, reset, DNS).
        public static let connectionFailed = "connection_failed"
        /// Any other transport-level failure while sending or reading.
        public static let transportError = "transport_error"
        /// A non-200 answer without a JSON `reason`.
        public static let unexpectedStatus = "unexpected_status"
        /// The answer is not a decodable RelayResponse.
        public static let malformedResponse = "malformed_response"
        /// An unsigned RelayResponse carrying a RelayMinerError (the reference's error reply, a refused WebSocket frame).
        public static let relayMinerError = "relay_miner_error"
        public static let missingPayloadHash = "missing_payload_hash"
        /// payload_hash is not sha256(payload).
        public static let payloadHashMismatch = "payload_hash_mismatch"
        public static let missingSupplierSignature = "missing_supplier_signature"
        /// The supplier signature does not verify with the supplier's on-chain public key.
        public static let badSupplierSignature = "bad_supplier_signature"
        /// The response's session header is not the request's.
        public static let sessionHeaderMismatch = "session_header_mismatch"
        /// A receipt was requested (--request-receipt) and none came back.
        public static let missingReceipt = "missing_receipt"
        /// The receipt does not verify (wrong version, malformed, or not the supplier's signature over this exchange).
        public static let badReceipt = "bad_receipt"
        /// The payload of an HTTP-style relay is not a POKTHTTPResponse.
        public static let malformedHTTPPayload = "malformed_http_payload"
        /// The backend's JSON-RPC answer carries an `error` member.
        public static let jsonRPCError = "jsonrpc_error"
        /// A stream answer that ended without a single batch.
        public static let emptyStream = "empty_stream"
        /// The WebSocket closed before the answer to a frame arrived.
        public static let webSocketClosed = "websocket_closed"

        /// The backend answered HTTP `status` ≥ 400 (inside a signed response).
        public static func backendHTTP(_ status: Int) -> String { "backend_http_\(status)" }
        /// The inner gRPC call ended with `grpc-status` `code` ≠ 0.
        public static func backendGRPCStatus(_ code: Int) -> String { "backend_grpc_status_\(code)" }
        /// The relayer's gRPC service refused the call (`grpc_resource_exhausted`, …).
        public static func grpcStatus(_ code: String) -> String { "grpc_\(code)" }
    }
}

/// A problem that stops the client before or around the relays: bad flags,
/// an unreadable keys file, a chain that cannot say what the session is.
/// Not counted in a report: the run does not start (or stops).
public struct RelayClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
