/// A node's gRPC address as operators write it, `host:port` (`[v6]:port`
/// for an IPv6 literal). Parsed up front so a typo stops the process at
/// startup with the reason, not as "unavailable" on every query later.
/// There is no scheme: plaintext or TLS is chosen separately
/// (`GRPCChainSecurity`), as in the reference's `grpc_insecure` flag.
public struct GRPCEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(GRPCEndpointError) {
        let trimmed = String(text.trimmingSpaces)
        guard !trimmed.isEmpty else { throw .empty }
        if trimmed.contains("://") { throw .schemeNotAllowed(trimmed) }
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw .malformed(trimmed, "unclosed '[' of an IPv6 address") }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.first == ":" else { throw .missingPort(trimmed) }
            portText = rest.dropFirst()
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { throw .missingPort(trimmed) }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            if host.contains(":") { throw .malformed(trimmed, "an IPv6 address must be written in brackets, [addr]:port") }
        }
        guard !host.isEmpty else { throw .malformed(trimmed, "empty host") }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65_535).contains(port) else {
            throw .invalidPort(trimmed, String(portText))
        }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, brackets restored for IPv6: what error messages name.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Why a `host:port` string is not a usable endpoint.
public enum GRPCEndpointError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case schemeNotAllowed(String)
    case missingPort(String)
    case invalidPort(String, String)
    case malformed(String, String)

    public var description: String {
        switch self {
        case .empty: return "empty gRPC endpoint; expected host:port"
        case .schemeNotAllowed(let text): return "gRPC endpoint \"\(text)\" has a scheme; expected host:port (choose TLS separately)"
        case .missingPort(let text): return "gRPC endpoint \"\(text)\" has no port; expected host:port"
        case .invalidPort(let text, let port): return "gRPC endpoint \"\(text)\": invalid port \"\(port)\" (1–65535)"
        case .malformed(let text, let why): return "gRPC endpoint \"\(text)\": \(why)"
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let scalars = Substring(self)
        let start = scalars.firstIndex { $0 != " " && $0 != "\t" } ?? scalars.endIndex
        let end = scalars.lastIndex { $0 != " " && $0 != "\t" }.map { scalars.index(after: $0) } ?? start
        return scalars[start..<end]
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
