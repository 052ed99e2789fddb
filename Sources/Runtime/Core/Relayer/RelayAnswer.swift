import PocketProtocol

/// A relay as a transport server received it: the body (a serialized
/// `RelayRequest`), the `Rpc-Type` and, optionally, the HTTP path and headers.
public struct IncomingRelay: Sendable {
    public var body: [UInt8]
    /// From the `Rpc-Type` header (`BackendTransport(rpcTypeHeader:)`); nil uses the configured default.
    public var rpcType: BackendTransport?
    /// Request path on the relayer; used when the payload carries no URL.
    public var path: String?
    /// Request headers on the relayer; `Pocket-*` headers are passed on to the backend.
    public var headers: [Header]

    public init(body: [UInt8], rpcType: BackendTransport? = nil, path: String? = nil, headers: [Header] = []) {
        self.body = body
        self.rpcType = rpcType
        self.path = path
        self.headers = headers
    }
}

/// What became of a served relay on the way to the session tree.
public enum MiningOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Appended to the supplier's relay stream before the answer: acknowledged as minable.
    case published(StreamID)
    /// Its hash is not below the session's difficulty target: served, never minable.
    case notApplicable
    /// The session is already sealed (its claim is being built): served, not minable.
    case late
    /// Redis refused or failed the append: served (signed), but not minable. Never silent:
    /// counted as `served_unpublished`.
    case unpublished(RedisError)
    /// The backend answered 5xx: the answer is signed and returned, the charge
    /// refunded, nothing mined (server errors are not paid).
    case backendError(status: Int)
    /// A backend stream failed before any chunk reached the client: refunded, nothing mined.
    case streamFailed(String)

    /// The label used in metrics.
    public var label: String {
        switch self {
        case .published: return "published"
        case .notApplicable: return "not_applicable"
        case .late: return "late"
        case .unpublished: return "served_unpublished"
        case .backendError: return "backend_error"
        case .streamFailed: return "stream_failed"
        }
    }

    /// Served but lost for the claim because Redis failed the append.
    public var isUnpublished: Bool {
        if case .unpublished = self { return true }
        return false
    }

    public var isAcknowledgedMinable: Bool {
        if case .published = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .published(let id): return "published \(id)"
        case .unpublished(let e): return "served_unpublished (\(e))"
        case .backendError(let s): return "backend_error \(s)"
        case .streamFailed(let d): return "stream_failed (\(d))"
        default: return label
        }
    }
}

/// A complete, signed answer.
public struct ServedRelay: Sendable {
    /// Serialized signed `RelayResponse`: the HTTP 200 body for the client.
    public let responseBytes: [UInt8]
    public let response: Pocket_Service_RelayResponse
    /// The supplier that signed it.
    public let supplier: String
    /// The request's ring signature (`meta.signature`), which a relay receipt covers.
    public let requestSignature: [UInt8]
    /// The backend's status (inside the signed `POKTHTTPResponse` for HTTP transports).
    public let backendStatus: Int
    /// sha256 of the dehydrated relay (the SMST key), nil when nothing was mined.
    public let relayHash: [UInt8]?
    public let mining: MiningOutcome
}

/// The relayer's answer to one relay.
public enum RelayAnswer: Sendable {
    case served(ServedRelay)
    /// The backend is streaming (SSE / NDJSON): signed chunks follow.
    case streaming(StreamingRelay)
    case rejected(RelayRejection)

    public var rejection: RelayRejection? {
        if case .rejected(let r) = self { return r }
        return nil
    }

    public var served: ServedRelay? {
        if case .served(let s) = self { return s }
        return nil
    }
}
