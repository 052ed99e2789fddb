/// Why `LiveBackend` refused its configuration. Raised at startup, so an
/// operator sees the bad value once instead of a failure on every relay.
public enum LiveBackendConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An endpoint URL that cannot be used for its pool's transport.
    case invalidURL(String, String)
    /// A pool with no endpoints.
    case emptyPool(service: String, transport: String)
    /// A setting outside its range.
    case invalidSetting(service: String, transport: String, String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let why):
            return "backend URL \"\(url)\": \(why)"
        case .emptyPool(let service, let transport):
            return "service \(service): the \(transport) backend has no endpoints; give it at least one URL or remove it"
        case .invalidSetting(let service, let transport, let why):
            return "service \(service), \(transport) backend: \(why)"
        }
    }
}
