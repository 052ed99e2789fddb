/// A `host:port` a server binds to. Port 0 asks the system for a free port
/// (tests use it). `:8080` (no host) means every interface, as in Go.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[v6]:port` or `:port`; the message says what is wrong.
    public init(parsing text: String) throws(ListenAddressError) {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw ListenAddressError("empty address; expected host:port such as 0.0.0.0:8080") }
        if trimmed.contains("://") {
            throw ListenAddressError("\"\(trimmed)\" has a scheme; a listen address is host:port such as 0.0.0.0:8080")
        }
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw ListenAddressError("\"\(trimmed)\": unclosed '[' of an IPv6 address") }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.first == ":" else { throw ListenAddressError("\"\(trimmed)\" has no port; expected [addr]:port") }
            portText = rest.dropFirst()
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else {
                throw ListenAddressError("\"\(trimmed)\" has no port; expected host:port such as 0.0.0.0:8080")
            }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            if host.contains(":") { throw ListenAddressError("\"\(trimmed)\": write an IPv6 address in brackets, [addr]:port") }
        }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" || $0 == ":" || $0 == "%") }) else {
            throw ListenAddressError("\"\(trimmed)\": \"\(host)\" is not a host name or IP address")
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), port <= 65_535 else {
            throw ListenAddressError("\"\(trimmed)\": port \"\(portText)\" is not a number from 0 to 65535")
        }
        self.init(host: host.isEmpty ? "0.0.0.0" : String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Binds to every interface of its address family.
    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" || host == "[::]" }

    /// Whether two servers binding these addresses would fight for the same
    /// socket: same non-zero port and the same host, or a wildcard on either side.
    public func collides(with other: ListenAddress) -> Bool {
        guard port != 0, port == other.port else { return false }
        return isWildcard || other.isWildcard || host.lowercased() == other.host.lowercased()
    }
}

/// Why a listen address is unusable.
public struct ListenAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
