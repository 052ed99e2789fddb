/// A gRPC backend as operators write it: `host:port` or `http://host:port`
/// (cleartext HTTP/2, h2c), or `https://host:port` (TLS, system trust roots).
struct GRPCBackendTarget: Sendable, Hashable, CustomStringConvertible {
    let endpoint: GRPCEndpoint
    let tls: Bool

    init(parsing text: String) throws(LiveBackendConfigurationError) {
        var rest = Substring(text)
        var tls = false
        if let separator = rest.range(of: "://") {
            switch rest[..<separator.lowerBound].lowercased() {
            case "http": tls = false
            case "https": tls = true
            case let other: throw .invalidURL(text, "scheme \(other) is not allowed for gRPC; write host:port, http://host:port (h2c) or https://host:port")
            }
            rest = rest[separator.upperBound...]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        if rest.contains("/") { throw .invalidURL(text, "a gRPC backend has no path; the method path comes from the request") }
        do {
            endpoint = try GRPCEndpoint(parsing: String(rest))
        } catch {
            throw .invalidURL(text, error.description)
        }
        self.tls = tls
    }

    var description: String { (tls ? "https://" : "http://") + endpoint.description }
}
