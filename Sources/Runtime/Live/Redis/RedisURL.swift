/// A parsed `redis://[[user]:password@]host[:port][/db]` address.
///
/// Operators configure Redis as one URL string; parsing it into a value up
/// front means a typo fails at startup with a precise `RedisURLError` instead
/// of as a confusing connection error later. `description` never shows the
/// password, so the value is safe to log.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible {
    public static let defaultPort = 6379

    public var host: String
    public var port: Int
    /// ACL user for `AUTH user password`; nil means `AUTH password` (the `default` user).
    public var username: String?
    public var password: String?
    /// Logical database selected on every new connection.
    public var database: Int

    public init(host: String, port: Int = RedisURL.defaultPort, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a URL. Userinfo may be percent-encoded (`%40` for `@`); an
    /// unencoded `@` or `/` inside the password is tolerated because the
    /// last `@` ends the userinfo.
    public init(parsing text: String) throws(RedisURLError) {
        let scheme = "redis://"
        guard text.hasPrefix(scheme) else {
            if let end = text.range(of: "://") {
                throw .unsupportedScheme(String(text[..<end.lowerBound]))
            }
            throw .missingScheme
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = userinfo.firstIndex(of: ":") else {
                throw .invalidUserInfo("expected 'user:password@' or ':password@'")
            }
            let user = try Self.percentDecoded(userinfo[..<colon])
            let pass = try Self.percentDecoded(userinfo[userinfo.index(after: colon)...])
            username = user.isEmpty ? nil : user
            guard !pass.isEmpty else { throw .invalidUserInfo("empty password") }
            password = pass
        }
        var hostPort = rest
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            let path = rest[rest.index(after: slash)...]
            if path.contains("?") || path.contains("#") { throw .unsupportedComponent(String(path)) }
            if !path.isEmpty {
                guard path.allSatisfy(\.isASCIIDigit), let db = Int(path), db <= Int(Int32.max) else {
                    throw .invalidDatabase(String(path))
                }
                database = db
            }
        } else if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            throw .unsupportedComponent(String(rest[q...]))
        }
        let (host, port) = try Self.splitHostPort(hostPort)
        self.init(host: host, port: port, username: username, password: password, database: database)
    }

    /// `host:port` with IPv6 literals in brackets, as connection errors show it.
    public var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String {
        var s = "redis://"
        if password != nil { s += "\(username ?? ""):***@" }
        s += endpoint
        if database != 0 { s += "/\(database)" }
        return s
    }

    private static func splitHostPort(_ text: Substring) throws(RedisURLError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost(String(text)) }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidHost(String(text)) }
                portText = after.dropFirst()
            }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw .invalidHost(String(text)) }
            host = parts[0]
            if parts.count == 2 { portText = parts[1] }
        }
        guard !host.isEmpty else { throw .missingHost }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" || $0 == ":") }) else {
            throw .invalidHost(String(host))
        }
        var port = defaultPort
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
                  let p = Int(portText), (1...65535).contains(p) else {
                throw .invalidPort(String(portText))
            }
            port = p
        }
        return (String(host), port)
    }

    private static func percentDecoded(_ text: Substring) throws(RedisURLError) -> String {
        guard text.contains("%") else { return String(text) }
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let b = bytes.popFirst() {
            guard b == UInt8(ascii: "%") else { out.append(b); continue }
            guard bytes.count >= 2, let hi = hexValue(bytes.popFirst()!), let lo = hexValue(bytes.popFirst()!) else {
                throw .invalidUserInfo("bad percent-encoding")
            }
            out.append(hi << 4 | lo)
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw .invalidUserInfo("percent-encoding is not UTF-8") }
        return s
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Why a Redis URL was rejected. Never carries the password.
public enum RedisURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text does not start with a scheme (`redis://`).
    case missingScheme
    /// A scheme other than `redis` (e.g. `rediss`: this build has no TLS).
    case unsupportedScheme(String)
    case invalidUserInfo(String)
    case missingHost
    case invalidHost(String)
    case invalidPort(String)
    case invalidDatabase(String)
    /// Query strings and fragments are not part of the supported syntax.
    case unsupportedComponent(String)

    public var description: String {
        let form = "expected redis://[[user]:password@]host[:port][/db]"
        switch self {
        case .missingScheme: return "invalid Redis URL: missing 'redis://' (\(form))"
        case .unsupportedScheme(let s): return "invalid Redis URL: unsupported scheme '\(s)' (only redis://, no TLS)"
        case .invalidUserInfo(let why): return "invalid Redis URL: bad credentials part: \(why) (\(form))"
        case .missingHost: return "invalid Redis URL: missing host (\(form))"
        case .invalidHost(let h): return "invalid Redis URL: bad host '\(h)'"
        case .invalidPort(let p): return "invalid Redis URL: bad port '\(p)' (1-65535)"
        case .invalidDatabase(let d): return "invalid Redis URL: bad database '\(d)' (a non-negative integer)"
        case .unsupportedComponent(let c): return "invalid Redis URL: unsupported '\(c)' (\(form))"
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
