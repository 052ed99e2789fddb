import PocketProtocol

/// gRPC status codes (the names are what `grpc-status` clients print).
public enum RelayGRPCStatus: Int, Sendable, Hashable, CaseIterable {
    case ok = 0, cancelled, unknown, invalidArgument, deadlineExceeded, notFound, alreadyExists, permissionDenied,
         resourceExhausted, failedPrecondition, aborted, outOfRange, unimplemented, `internal`, unavailable, dataLoss, unauthenticated

    public var name: String {
        switch self {
        case .ok: return "OK"
        case .cancelled: return "CANCELLED"
        case .unknown: return "UNKNOWN"
        case .invalidArgument: return "INVALID_ARGUMENT"
        case .deadlineExceeded: return "DEADLINE_EXCEEDED"
        case .notFound: return "NOT_FOUND"
        case .alreadyExists: return "ALREADY_EXISTS"
        case .permissionDenied: return "PERMISSION_DENIED"
        case .resourceExhausted: return "RESOURCE_EXHAUSTED"
        case .failedPrecondition: return "FAILED_PRECONDITION"
        case .aborted: return "ABORTED"
        case .outOfRange: return "OUT_OF_RANGE"
        case .unimplemented: return "UNIMPLEMENTED"
        case .internal: return "INTERNAL"
        case .unavailable: return "UNAVAILABLE"
        case .dataLoss: return "DATA_LOSS"
        case .unauthenticated: return "UNAUTHENTICATED"
        }
    }
}

/// A required part of a `RelayRequest`.
public enum RelayRequestField: String, Sendable, Hashable {
    case sessionHeader = "meta.session_header"
    case supplierOperatorAddress = "meta.supplier_operator_address"
    case serviceID = "meta.session_header.service_id"
    case signature = "meta.signature"
    case payload = "payload"
}

/// A session header field compared with the chain's session.
public enum SessionHeaderField: String, Sendable, Hashable, CaseIterable {
    case applicationAddress = "application_address"
    case serviceID = "service_id"
    case sessionID = "session_id"
    case sessionStartHeight = "session_start_block_height"
    case sessionEndHeight = "session_end_block_height"
}

/// Why a relay was refused, with the context a client or an operator needs.
/// Each maps to an HTTP status, a gRPC status, a WebSocket close code and the
/// reference's unsigned error `RelayResponse` (docs/protocol.md#relay-transport).
public struct RelayRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        // 400: the request itself is wrong.
        /// Not a `RelayRequest` protobuf, or its payload is not a `POKTHTTPRequest`.
        case malformedRequest(String)
        case missingField(RelayRequestField)
        case invalidSessionHeader(SessionHeaderError)
        /// Heights that cannot belong to a live session at the current height (checked without I/O).
        case implausibleSessionHeights(start: Int64, end: Int64, currentHeight: Int64, detail: String)
        /// The ring signature carries more members than any application's ring can have.
        case ringTooLarge(size: Int, limit: Int)
        /// The request arrived over an API that does not fit it (e.g. a WebSocket relay outside a duplex session).
        case transportMismatch(String)
        // 413
        case requestTooLarge(size: Int, limit: Int)
        // 404
        case unknownService(String)
        case transportNotServed(service: String, transport: BackendTransport)
        // 403: authentication and session.
        /// This relayer holds no key for the supplier.
        case supplierNotServed(String)
        case invalidRingSignature(RingAcceptanceError)
        /// The application's ring cannot be built (unknown app, a member without an on-chain public key).
        case ringUnavailable(application: String, detail: String)
        case sessionMismatch(field: SessionHeaderField, expected: String, actual: String)
        /// The chain has no session for (application, service) at the lookup height.
        case sessionNotFound(application: String, serviceID: String, height: Int64, detail: String)
        case supplierNotInSession(supplier: String, sessionID: String)
        case sessionExpired(sessionEnd: Int64, gracePeriodEnd: Int64, currentHeight: Int64)
        // 429
        case overBudget(consumedUPOKT: Int64, costUPOKT: UInt64, limitUPOKT: UInt64)
        // 502 / 503 / 504: something behind the relayer.
        case backendUnavailable(BackendError)
        case backendFailed(BackendError)
        case backendTimeout(service: String, afterMilliseconds: Int64)
        case meterUnavailable(RedisError)
        case chainUnavailable(ChainError)
        /// The relayer cannot judge relays yet (no block seen).
        case notReady(String)
        /// The relayer is draining for shutdown: it finishes relays it has, takes no new ones.
        case shuttingDown
        // 500
        case internalError(String)
    }

    public let reason: Reason
    /// The request's session header when it was decoded (echoed in the error reply).
    public let sessionHeader: Pocket_Session_SessionHeader?
    public let supplier: String?

    public init(_ reason: Reason, sessionHeader: Pocket_Session_SessionHeader? = nil, supplier: String? = nil) {
        self.reason = reason
        self.sessionHeader = sessionHeader
        self.supplier = supplier
    }

    /// The same rejection with the request's context attached.
    func with(header: Pocket_Session_SessionHeader?, supplier: String?) -> RelayRejection {
        RelayRejection(reason, sessionHeader: sessionHeader ?? header, supplier: self.supplier ?? supplier)
    }

    /// A stable snake_case name for metrics and traces.
    public var name: String {
        switch reason {
        case .malformedRequest: return "malformed"
        case .missingField: return "missing_field"
        case .invalidSessionHeader: return "invalid_session_header"
        case .implausibleSessionHeights: return "implausible_heights"
        case .ringTooLarge: return "ring_too_large"
        case .transportMismatch: return "transport_mismatch"
        case .requestTooLarge: return "too_large"
        case .unknownService: return "unknown_service"
        case .transportNotServed: return "transport_not_served"
        case .supplierNotServed: return "supplier_not_served"
        case .invalidRingSignature: return "invalid_ring_signature"
        case .ringUnavailable: return "ring_unavailable"
        case .sessionMismatch: return "session_mismatch"
        case .sessionNotFound: return "session_not_found"
        case .supplierNotInSession: return "supplier_not_in_session"
        case .sessionExpired: return "session_expired"
        case .overBudget: return "over_budget"
        case .backendUnavailable: return "backend_unavailable"
        case .backendFailed: return "backend_failed"
        case .backendTimeout: return "backend_timeout"
        case .meterUnavailable: return "meter_unavailable"
        case .chainUnavailable: return "chain_unavailable"
        case .notReady: return "not_ready"
        case .shuttingDown: return "shutting_down"
        case .internalError: return "internal"
        }
    }

    public var httpStatus: Int {
        switch reason {
        case .malformedRequest, .missingField, .invalidSessionHeader, .implausibleSessionHeights, .ringTooLarge, .transportMismatch: return 400
        case .requestTooLarge: return 413
        case .unknownService, .transportNotServed: return 404
        case .supplierNotServed, .invalidRingSignature, .ringUnavailable, .sessionMismatch, .sessionNotFound,
             .supplierNotInSession, .sessionExpired: return 403
        case .overBudget: return 429
        case .backendFailed: return 502
        case .backendUnavailable, .meterUnavailable, .chainUnavailable, .notReady, .shuttingDown: return 503
        case .backendTimeout: return 504
        case .internalError: return 500
        }
    }

    public var grpcStatus: RelayGRPCStatus {
        switch reason {
        case .malformedRequest, .missingField, .invalidSessionHeader, .implausibleSessionHeights, .ringTooLarge, .transportMismatch: return .invalidArgument
        case .requestTooLarge: return .resourceExhausted
        case .unknownService: return .notFound
        case .transportNotServed: return .unimplemented
        case .supplierNotServed: return .failedPrecondition
        case .invalidRingSignature, .ringUnavailable, .sessionMismatch, .sessionNotFound, .supplierNotInSession, .sessionExpired:
            return .permissionDenied
        case .overBudget: return .resourceExhausted
        case .backendFailed, .backendUnavailable, .meterUnavailable, .chainUnavailable, .notReady, .shuttingDown: return .unavailable
        case .backendTimeout: return .deadlineExceeded
        case .internalError: return .internal
        }
    }

    /// Close code for a WebSocket bridge (4000 session expired, 4001 invalid
    /// relay, 4002 stake exhausted, as the reference; RFC 6455 codes otherwise).
    public var webSocketCloseCode: Int {
        switch reason {
        case .sessionExpired: return 4000
        case .overBudget: return 4002
        case .requestTooLarge: return 1009
        case .backendUnavailable, .meterUnavailable, .chainUnavailable, .notReady, .shuttingDown: return 1013
        case .backendFailed, .backendTimeout, .internalError: return 1011
        default: return 4001
        }
    }

    /// The reference's `relayer_proxy` error code (poktroll `pkg/relayer/proxy/errors.go`).
    public var relayMinerErrorCode: UInt32 {
        switch reason {
        case .malformedRequest, .missingField, .invalidSessionHeader, .implausibleSessionHeights, .ringTooLarge, .requestTooLarge,
             .invalidRingSignature, .ringUnavailable, .sessionMismatch, .supplierNotInSession, .sessionExpired: return 1
        case .unknownService, .supplierNotServed: return 3
        case .transportNotServed, .transportMismatch: return 4
        case .backendUnavailable, .backendFailed, .backendTimeout, .meterUnavailable, .chainUnavailable, .notReady, .shuttingDown, .internalError: return 5
        case .sessionNotFound: return 6
        case .overBudget: return 7
        }
    }

    /// The short registered description of `relayMinerErrorCode`.
    public var relayMinerErrorDescription: String {
        switch relayMinerErrorCode {
        case 1: return "invalid session in relayer request"
        case 3: return "service endpoint not handled by relayer proxy"
        case 4: return "unsupported proxy transport type"
        case 6: return "relayer proxy encountered unknown session"
        case 7: return "offchain rate limit hit by relayer proxy"
        default: return "internal error"
        }
    }

    /// What happened and what the client can do about it.
    public var message: String {
        switch reason {
        case .malformedRequest(let detail):
            return "invalid relay request: body must be a valid RelayRequest protobuf (\(detail)); send a serialized pocket.service.RelayRequest"
        case .missingField(let field):
            return "invalid relay request: \(field.rawValue) is missing; set it from the session the chain returned"
        case .invalidSessionHeader(let e):
            return "invalid session header: \(e); use the session header returned by the chain's GetSession"
        case .implausibleSessionHeights(let s, let e, let c, let detail):
            return "implausible session heights: start \(s), end \(e) at current height \(c) (\(detail)); fetch the current session from the chain"
        case .ringTooLarge(let size, let limit):
            return "implausible ring signature: \(size) ring members, at most \(limit) accepted; sign over the application's ring (the app and its delegated gateways)"
        case .transportMismatch(let detail):
            return "unsupported transport: \(detail)"
        case .requestTooLarge(let size, let limit):
            return "request body too large: \(size) bytes exceeds the limit of \(limit) bytes; send a smaller request"
        case .unknownService(let id):
            return "unknown service: \(id) is not served by this relayer; send it to a supplier staked for that service"
        case .transportNotServed(let service, let t):
            return "service \(service) has no \(t.configKey) backend on this relayer; use a transport the supplier staked for"
        case .supplierNotServed(let s):
            return "supplier \(s) is not allowed by this relayer (it holds no signing key for it); send the relay to that supplier's endpoint"
        case .invalidRingSignature(let e):
            return "relay validation failed: \(e); sign with the application's key or a gateway it delegates to, for this session"
        case .ringUnavailable(let app, let detail):
            return "relay validation failed: cannot build the ring of application \(app) (\(detail)); the application and its gateways must exist on chain with public keys"
        case .sessionMismatch(let field, let expected, let actual):
            return "relay validation failed: session header \(field.rawValue) mismatch: request has \"\(actual)\", chain has \"\(expected)\"; use the session returned by GetSession for the current height"
        case .sessionNotFound(let app, let service, let h, let detail):
            return "relay validation failed: no session on chain for application \(app) and service \(service) at height \(h) (\(detail)); check that the application is staked for the service"
        case .supplierNotInSession(let s, let id):
            return "relay validation failed: supplier \(s) not found in session \(id); send the relay to one of the session's suppliers"
        case .sessionExpired(let end, let grace, let c):
            return "session expired: it ended at height \(end) and its grace period at \(grace), current height is \(c); use the current session"
        case .overBudget(let consumed, let cost, let limit):
            return "session relay limit reached: claimable portion fully consumed (\(consumed) of \(limit) uPOKT used, a relay costs \(cost)); retry with another supplier of the session or in the next session"
        case .backendUnavailable(let e):
            return "service temporarily unavailable: \(e); retry later or with another supplier"
        case .backendFailed(let e):
            return "backend error: \(e); retry with another supplier"
        case .backendTimeout(let service, let ms):
            return "backend timeout: service \(service) did not answer within \(ms) ms; retry later or with another supplier"
        case .meterUnavailable(let e):
            return "relay metering unavailable (\(e)); this relayer does not serve unmetered relays, retry shortly"
        case .chainUnavailable(let e):
            return "chain data unavailable (\(e)); retry shortly"
        case .notReady(let detail):
            return "relayer not ready: \(detail); retry shortly"
        case .shuttingDown:
            return "relayer shutting down; send this relay to another relayer of the supplier"
        case .internalError(let detail):
            return "internal relayer error: \(detail)"
        }
    }

    public var description: String { "\(name) (\(httpStatus)): \(message)" }

    /// The unsigned error `RelayResponse` the reference answers with (docs/protocol.md#relay-transport).
    public var errorResponse: Pocket_Service_RelayResponse {
        RelayResponseBuilder.error(
            sessionHeader: sessionHeader, code: relayMinerErrorCode, description: relayMinerErrorDescription, message: message
        )
    }

    /// Serialized `errorResponse`.
    public var errorResponseBytes: [UInt8] {
        (try? CanonicalCodec.encode(errorResponse)) ?? []
    }

    /// `{"error":"<message>"}`, the HA reference's JSON error body (properly escaped).
    public var jsonBody: [UInt8] {
        Array(("{\"error\":" + JSONText.quoted(message) + "}").utf8)
    }
}
