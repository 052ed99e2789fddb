import Foundation
import RelayRuntime

/// The headers a backend request carries, in the reference's order: the
/// relay's own headers, then `Accept-Encoding: identity` (answers are signed
/// as bytes, so we ask for them uncompressed), then the pool's `headers`
/// (each replacing every same-named header before it), then the pool's
/// credentials as `Authorization`.
///
/// Headers that describe the client's connection rather than the request
/// (`Host`, `Content-Length`, `Connection`, `Transfer-Encoding`, …) are
/// dropped: the HTTP client writes its own for the backend connection.
enum BackendHeaderRules {
    static let connectionHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
        "proxy-connection", "accept-encoding",
    ]

    /// WebSocket handshakes add their own `Sec-WebSocket-*` headers.
    static let webSocketHandshakeHeaders: Set<String> = [
        "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept",
    ]

    static func outgoing(_ request: [Header], pool: BackendPoolSettings, dropping extra: Set<String> = []) -> [Header] {
        var headers = request.filter {
            let name = $0.name.lowercased()
            return !connectionHeaders.contains(name) && !extra.contains(name)
        }
        headers.append(Header("Accept-Encoding", "identity"))
        return applyingPool(pool.headers, authentication: pool.authentication, to: headers)
    }

    /// `extra` replaces same-named headers of `headers`, then `authentication` replaces `Authorization`.
    static func applyingPool(_ extra: [Header], authentication: BackendAuthentication?, to headers: [Header]) -> [Header] {
        var headers = headers
        let replaced = Set(extra.map { $0.name.lowercased() })
        headers.removeAll { replaced.contains($0.name.lowercased()) }
        headers += extra
        if let authentication {
            headers.removeAll { $0.name.lowercased() == "authorization" }
            headers.append(Header("Authorization", authorization(authentication)))
        }
        return headers
    }

    static func authorization(_ authentication: BackendAuthentication) -> String {
        switch authentication {
        case .basic(let username, let password):
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .bearer(let token):
            return "Bearer " + token
        case .plain(let token):
            return token
        }
    }
}
