import Foundation
import RelayRuntime
import RelayRuntimeLive

/// Which URLs each configured endpoint accepts. Checked at load time so a
/// wrong scheme fails `relayer validate` instead of every relay at runtime.
enum URLRules {
    /// The parts of `scheme://host[:port][/path]` the rules look at.
    struct Parsed {
        let scheme: String
        let host: String
        let port: Int?
        let path: String
    }

    /// Parses an absolute URL; the message says what is wrong.
    static func parse(_ text: String) -> Result<Parsed, RuleError> {
        if text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            return .failure(RuleError("\"\(text)\" contains spaces"))
        }
        guard text.contains("://") else {
            return .failure(RuleError("\"\(text)\" has no scheme"))
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return .failure(RuleError("\"\(text)\" is not a valid URL"))
        }
        guard let host = components.host, !host.isEmpty else {
            return .failure(RuleError("\"\(text)\" has no host"))
        }
        if let port = components.port, !(1...65_535).contains(port) {
            return .failure(RuleError("\"\(text)\": port \(port) is not between 1 and 65535"))
        }
        return .success(Parsed(scheme: scheme, host: host, port: components.port, path: components.path))
    }

    /// Checks a backend URL against its transport. Returns the endpoint's
    /// default display name (`host:port`).
    static func backendURL(_ text: String, transport: BackendTransport) -> Result<String, RuleError> {
        let key = transport.configKey
        if transport == .grpc && !text.contains("://") {
            do {
                return .success(try GRPCEndpoint(parsing: text).description)
            } catch {
                return .failure(RuleError("\(error.description); a grpc backend is host:port (h2c) or http(s)://host:port"))
            }
        }
        let parsed: Parsed
        switch parse(text) {
        case .failure(let problem):
            let example = transport == .websocket ? "ws://\(text)" : "http://\(text)"
            if !text.contains("://") { return .failure(RuleError("\"\(text)\" has no scheme; write it as \(example)")) }
            return .failure(problem)
        case .success(let p): parsed = p
        }
        switch transport {
        case .websocket:
            guard parsed.scheme == "ws" || parsed.scheme == "wss" else {
                return .failure(RuleError(
                    "websocket backends must use ws:// or wss://, got \(parsed.scheme):// (\"\(text)\"); an http URL cannot be dialed as a WebSocket"
                ))
            }
        case .grpc:
            guard parsed.scheme == "http" || parsed.scheme == "https" else {
                return .failure(RuleError(
                    "grpc backends are host:port (h2c) or http(s)://host:port, got \(parsed.scheme):// (\"\(text)\")"
                ))
            }
        case .jsonRPC, .rest, .cometBFT:
            guard parsed.scheme == "http" || parsed.scheme == "https" else {
                let hint = parsed.scheme == "ws" || parsed.scheme == "wss" ? " (a WebSocket backend goes under backends.websocket)" : ""
                return .failure(RuleError("\(key) backends use http:// or https://, got \(parsed.scheme):// (\"\(text)\")\(hint)"))
            }
        }
        let defaultPort = parsed.scheme == "https" || parsed.scheme == "wss" ? 443 : 80
        let host = parsed.host.contains(":") && !parsed.host.hasPrefix("[") ? "[\(parsed.host)]" : parsed.host
        return .success("\(host):\(parsed.port ?? defaultPort)")
    }

    /// The node's CometBFT RPC: http(s):// (or tcp://, read as http://).
    static func chainRPCURL(_ text: String) -> RuleError? {
        switch parse(text) {
        case .failure(let problem):
            if !text.contains("://") { return RuleError("\"\(text)\" has no scheme; write it as http://\(text)") }
            return problem
        case .success(let parsed):
            guard ["http", "https", "tcp"].contains(parsed.scheme) else {
                return RuleError("the node RPC URL must use http:// or https://, got \(parsed.scheme)://")
            }
            return nil
        }
    }

    /// The node's gRPC address with any scheme stripped (the reference
    /// accepts `https://host:443` as well as `host:9090`). Without a port,
    /// https/grpcs mean 443.
    static func chainGRPC(_ text: String) -> Result<GRPCEndpoint, RuleError> {
        var rest = text.trimmingSpaces
        var defaultPort: Int?
        if let schemeEnd = rest.range(of: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            guard ["http", "https", "grpc", "grpcs", "tcp"].contains(scheme) else {
                return .failure(RuleError("unsupported scheme \(scheme)://; write host:port (TLS is chosen by pocket_node.grpc_insecure)"))
            }
            if scheme == "https" || scheme == "grpcs" { defaultPort = 443 }
            rest = String(rest[schemeEnd.upperBound...])
            while rest.hasSuffix("/") { rest.removeLast() }
            if rest.contains("/") { return .failure(RuleError("\"\(text)\" has a path; a gRPC address is host:port")) }
        }
        do {
            return .success(try GRPCEndpoint(parsing: rest))
        } catch {
            if case .missingPort = error, let defaultPort {
                return .success(GRPCEndpoint(host: rest, port: defaultPort))
            }
            return .failure(RuleError(error.description))
        }
    }

    /// A Redis URL this build can connect to; Sentinel, Cluster and TLS are refused with what to do instead.
    static func redisURL(_ text: String) -> Result<RedisURL, RuleError> {
        let lower = text.lowercased()
        if lower.hasPrefix("redis-sentinel://") {
            return .failure(RuleError("Redis Sentinel URLs are not supported yet; point the URL at the current primary (redis://host:port)"))
        }
        if lower.hasPrefix("redis-cluster://") || (lower.hasPrefix("redis") && text.contains(",")) {
            return .failure(RuleError("Redis Cluster URLs (several hosts) are not supported yet; use one redis://host:port"))
        }
        if lower.hasPrefix("rediss://") {
            return .failure(RuleError("rediss:// (TLS) is not supported yet; use redis:// on a private network or through a TLS tunnel"))
        }
        do {
            return .success(try RedisURL(parsing: text))
        } catch {
            return .failure(RuleError(error.description))
        }
    }

    struct RuleError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
