/// Failures while preparing a relay for signing.
public enum RelaySigningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Go's `UpdatePayloadHash` refuses an empty payload: a response without a
    /// payload cannot commit to one.
    case emptyPayload
    case wire(WireError)

    public var description: String {
        switch self {
        case .emptyPayload: return "relay response payload is empty; cannot compute payload_hash"
        case .wire(let e): return e.description
        }
    }
}
