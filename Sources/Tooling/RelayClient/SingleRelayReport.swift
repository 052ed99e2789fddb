/// One relay (or one stream) as the single mode reports it; with
/// --output-json one JSON object with these keys (stable; docs/relay-client.md):
///
/// `transport`, `service`, `application`, `signer`, `supplier`, `session_id`,
/// `session_start_height`, `session_end_height`, `success`, `latency_ms`,
/// `error` (`{"reason","detail","http_status"}` or absent), `receipt_verified`,
/// `backend_status` (the POKTHTTPResponse status, absent for WebSocket),
/// `body` (what the backend said, as UTF-8 text), `batches` (stream only:
/// `[{"index","bytes","body"}]`).
public struct SingleRelayReport: Codable, Sendable, Equatable {
    public struct Failure: Codable, Sendable, Equatable {
        public let reason: String
        public let detail: String
        public let httpStatus: Int?

        enum CodingKeys: String, CodingKey {
            case reason, detail
            case httpStatus = "http_status"
        }
    }

    public struct Batch: Codable, Sendable, Equatable {
        public let index: Int
        /// Size of the batch's signed RelayResponse.
        public let bytes: Int
        public let body: String
    }

    public let transport: String
    public let service: String
    public let application: String
    public let signer: String
    public let supplier: String
    public let sessionID: String
    public let sessionStartHeight: Int64
    public let sessionEndHeight: Int64
    public let success: Bool
    public let latencyMs: Double
    public let error: Failure?
    public let receiptVerified: Bool
    public let backendStatus: Int?
    public let body: String?
    public let batches: [Batch]?

    enum CodingKeys: String, CodingKey {
        case transport, service, application, signer, supplier
        case sessionID = "session_id"
        case sessionStartHeight = "session_start_height"
        case sessionEndHeight = "session_end_height"
        case success
        case latencyMs = "latency_ms"
        case error
        case receiptVerified = "receipt_verified"
        case backendStatus = "backend_status"
        case body, batches
    }

    /// The report of a unary relay.
    public init(transport: RelayTransport, keys: RelaySigningKeys, prepared: PreparedRelay, outcome: RelayOutcome) {
        let header = prepared.signed.request.meta.sessionHeader
        self.transport = transport.rawValue
        service = header.serviceID
        application = keys.applicationAddress
        signer = keys.signerAddress
        supplier = prepared.supplier
        sessionID = header.sessionID
        sessionStartHeight = header.sessionStartBlockHeight
        sessionEndHeight = header.sessionEndBlockHeight
        latencyMs = outcome.latency.fractionalMilliseconds
        batches = nil
        switch outcome.result {
        case .success(let verified):
            success = true
            error = nil
            receiptVerified = verified.receiptVerified
            backendStatus = verified.http.map { Int($0.statusCode) }
            body = String(decoding: verified.body, as: UTF8.self)
        case .failure(let failure):
            success = false
            error = Failure(reason: failure.reason, detail: failure.detail, httpStatus: failure.httpStatus)
            receiptVerified = false
            backendStatus = nil
            body = nil
        }
    }

    /// The report of a stream.
    public init(keys: RelaySigningKeys, prepared: PreparedRelay, latency: Duration, result: Result<[StreamBatch], RelayFailure>) {
        let header = prepared.signed.request.meta.sessionHeader
        transport = RelayTransport.stream.rawValue
        service = header.serviceID
        application = keys.applicationAddress
        signer = keys.signerAddress
        supplier = prepared.supplier
        sessionID = header.sessionID
        sessionStartHeight = header.sessionStartBlockHeight
        sessionEndHeight = header.sessionEndBlockHeight
        latencyMs = latency.fractionalMilliseconds
        receiptVerified = false
        switch result {
        case .success(let batches):
            success = true
            error = nil
            backendStatus = batches.first?.verified.http.map { Int($0.statusCode) }
            let bodies = batches.map { String(decoding: $0.verified.body, as: UTF8.self) }
            body = bodies.joined()
            self.batches = zip(batches, bodies).map { Batch(index: $0.index, bytes: $0.wireBytes, body: $1) }
        case .failure(let failure):
            success = false
            error = Failure(reason: failure.reason, detail: failure.detail, httpStatus: failure.httpStatus)
            backendStatus = nil
            body = nil
            batches = nil
        }
    }
}
