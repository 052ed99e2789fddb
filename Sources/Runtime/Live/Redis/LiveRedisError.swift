import RelayRuntime

/// Errors of setting up the live client, before the `RedisClient` port's
/// contract applies: a bad URL, rejected credentials, a database the server
/// refuses. `LiveRedisClient.connect(url:)` throws these so a misconfigured
/// process stops at startup with the reason, not with a generic retryable error.
public enum LiveRedisError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(RedisURLError)
    /// AUTH was refused (WRONGPASS), or the server wants a password we lack (NOAUTH).
    case authenticationFailed(endpoint: String, user: String?, message: String)
    /// SELECT was refused (e.g. `ERR DB index is out of range`).
    case databaseSelectionFailed(endpoint: String, database: Int, message: String)
    /// Anything the port reports (unavailable, timeout, connection lost, …).
    case redis(RedisError)

    public var description: String {
        switch self {
        case .invalidURL(let e): return e.description
        case .authenticationFailed(let endpoint, let user, let message):
            return "redis authentication failed at \(endpoint) as user '\(user ?? "default")': \(message)"
        case .databaseSelectionFailed(let endpoint, let db, let message):
            return "redis at \(endpoint) refused SELECT \(db): \(message)"
        case .redis(let e): return e.description
        }
    }

    /// The same failure in the port's vocabulary, for `send`/`pipeline`
    /// callers. Credential and database errors are not transient (`.server`):
    /// retrying cannot fix a configuration.
    public var redisError: RedisError {
        switch self {
        case .invalidURL(let e): return .server(e.description)
        case .authenticationFailed, .databaseSelectionFailed: return .server(description)
        case .redis(let e): return e
        }
    }
}

/// How one request on one connection failed, before the client adds the
/// command name and endpoint. Internal: callers only ever see `RedisError`.
enum ConnectionFailure: Error, Sendable, Equatable {
    /// The connection was already closed; nothing was written, so a retry is safe.
    case notSent
    /// The connection broke with the request in flight.
    case lost(String)
    /// The deadline passed; the connection was discarded.
    case timeout(String)

    func redisError(endpoint: String, command: String) -> RedisError {
        switch self {
        case .notSent: return .connectionLost("\(endpoint) \(command): connection closed before the command was written")
        case .lost(let why): return .connectionLost("\(endpoint) \(command): \(why)")
        case .timeout(let why): return .timeout("\(endpoint) \(command): \(why)")
        }
    }
}

extension RedisError {
    /// The same error with more context appended to its message.
    func appending(_ suffix: String) -> RedisError {
        switch self {
        case .connectionLost(let m): return .connectionLost(m + suffix)
        case .unavailable(let m): return .unavailable(m + suffix)
        case .timeout(let m): return .timeout(m + suffix)
        case .wrongType(let m): return .wrongType(m + suffix)
        case .noSuchKey(let m): return .noSuchKey(m + suffix)
        case .noGroup(let m): return .noGroup(m + suffix)
        case .groupExists(let m): return .groupExists(m + suffix)
        case .fenced(let m): return .fenced(m + suffix)
        case .scriptAborted(let m): return .scriptAborted(m + suffix)
        case .server(let m): return .server(m + suffix)
        case .unexpectedReply(let c, let r): return .unexpectedReply(command: c, reply: r + suffix)
        case .crossSlot: return self // raised before any I/O: no connection context to add
        }
    }
}
