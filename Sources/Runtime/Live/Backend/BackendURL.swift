import Foundation

/// An HTTP or WebSocket endpoint URL split once at startup, so a typo stops
/// the process with its reason instead of failing every relay, and so each
/// request only joins strings.
struct BackendURL: Sendable, Hashable, CustomStringConvertible {
    /// Lowercased: `http`, `https`, `ws` or `wss`.
    let scheme: String
    /// `host[:port]` as written.
    let authority: String
    /// The endpoint's own path ("" when it has none).
    let path: String
    /// The endpoint's own query, without `?` ("" when it has none).
    let query: String

    init(parsing text: String, allowedSchemes: Set<String>) throws(LiveBackendConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let separator = trimmed.range(of: "://") else {
            throw .invalidURL(trimmed, "no scheme; expected one of \(allowedSchemes.sorted().joined(separator: ", ")) followed by ://")
        }
        let scheme = trimmed[..<separator.lowerBound].lowercased()
        guard allowedSchemes.contains(scheme) else {
            throw .invalidURL(trimmed, "scheme \(scheme) is not allowed here; expected one of \(allowedSchemes.sorted().joined(separator: ", "))")
        }
        var rest = Substring(trimmed[separator.upperBound...])
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.isEmpty else { throw .invalidURL(trimmed, "no host") }
        let tail = rest[authorityEnd...]
        let (path, query) = Self.split(tail)
        self.scheme = scheme
        self.authority = authority
        self.path = String(path)
        self.query = String(query)
    }

    var description: String { scheme + "://" + authority + path + (query.isEmpty ? "" : "?" + query) }

    /// The URL a request goes to: this endpoint's path, then `basePath`, then
    /// the request's path, with runs of `/` collapsed; the endpoint's query
    /// first, then the request's. A request for `/` (or nothing) keeps the
    /// joined prefix as it is, so `/v1` + `/` stays `/v1`.
    func resolving(basePath: String?, request: String) -> String {
        let (requestPath, requestQuery) = Self.split(Substring(request))
        let prefix = Self.collapseSlashes(path + "/" + (basePath ?? ""))
        let trimmedPrefix = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let joined: String
        if requestPath.isEmpty || requestPath.allSatisfy({ $0 == "/" }) {
            joined = trimmedPrefix.isEmpty ? "/" : trimmedPrefix
        } else {
            joined = Self.collapseSlashes(trimmedPrefix + "/" + requestPath)
        }
        let query = [self.query, String(requestQuery)].filter { !$0.isEmpty }.joined(separator: "&")
        return scheme + "://" + authority + joined + (query.isEmpty ? "" : "?" + query)
    }

    /// Path and query of `/path?query#fragment` (the fragment is never sent).
    private static func split(_ text: Substring) -> (path: Substring, query: Substring) {
        var text = text
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        guard let mark = text.firstIndex(of: "?") else { return (text, "") }
        return (text[..<mark], text[text.index(after: mark)...])
    }

    /// `//a///b` → `/a/b`; always starts with `/` unless empty.
    static func collapseSlashes(_ path: String) -> String {
        var out = ""
        out.reserveCapacity(path.utf8.count + 1)
        var lastWasSlash = false
        for c in path {
            if c == "/" {
                if lastWasSlash { continue }
                lastWasSlash = true
            } else {
                lastWasSlash = false
            }
            out.append(c)
        }
        if out == "/" { return "" }
        if !out.isEmpty && !out.hasPrefix("/") { out = "/" + out }
        return out
    }
}
