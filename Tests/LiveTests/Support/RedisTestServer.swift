@_spi(Testing) import RelayRuntime
@_spi(Testing) @testable import RelayRuntimeLive
import RedisTooling
import Testing

/// Test support: a real `redis-server` child per test (started on a free
/// 127.0.0.1 port, killed at the end) and a client for it.
enum RedisTestServer {
    /// Live tests run only where a redis-server binary exists.
    static let available = LocalRedisServer.binaryPath != nil
    static let skipMessage: Comment = "redis-server not found on PATH or in /usr/bin: live Redis tests skipped"

    static func configuration(port: Int, poolSize: Int = 4, commandTimeout: Duration = .seconds(10),
                              backoff: ReconnectBackoffPolicy = ReconnectBackoffPolicy(initial: .milliseconds(20), maximum: .milliseconds(200)),
                              name: String = "pocket-relay-miner") -> LiveRedisConfiguration {
        LiveRedisConfiguration(url: RedisURL(host: "127.0.0.1", port: port), maxConnections: poolSize,
                               commandTimeout: commandTimeout, reconnectBackoff: backoff, clientName: name)
    }

    /// Runs `body` with a fresh server and a lazily connecting client; tears both down.
    static func with(
        arguments: [String] = [],
        poolSize: Int = 4,
        commandTimeout: Duration = .seconds(10),
        _ body: (LocalRedisServer, LiveRedisClient) async throws -> Void
    ) async throws {
        let server = try await LocalRedisServer.start(arguments: arguments)
        let client = LiveRedisClient(configuration: configuration(port: server.port, poolSize: poolSize, commandTimeout: commandTimeout))
        do {
            try await body(server, client)
            await client.close()
            await server.stop()
        } catch {
            await client.close()
            await server.stop()
            throw error
        }
    }

    /// A second client with its own name, for inspecting the server (CLIENT LIST, INFO).
    static func admin(port: Int) -> LiveRedisClient {
        LiveRedisClient(configuration: configuration(port: port, poolSize: 1, name: "test-admin"))
    }

    /// Lines of CLIENT LIST whose name is `name`.
    static func clientCount(_ admin: LiveRedisClient, name: String = "pocket-relay-miner") async throws -> Int {
        guard case .bulk(let text) = try await admin.execute(["CLIENT", "LIST"]) else { return -1 }
        return String(decoding: text, as: UTF8.self).split(separator: "\n").filter { $0.contains(" name=\(name) ") }.count
    }

    /// The value of `field` in `INFO section` (e.g. `blocked_clients`).
    static func info(_ admin: LiveRedisClient, _ section: String, _ field: String) async throws -> String? {
        guard case .bulk(let text) = try await admin.execute(["INFO", section]) else { return nil }
        for line in String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline) where line.hasPrefix(field + ":") {
            return String(line.dropFirst(field.count + 1))
        }
        return nil
    }

    /// Polls `condition` (up to ~5 s) for states the server reaches asynchronously.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

/// The case of a `RedisError`, for assertions that ignore the message.
extension RedisError {
    var kind: String {
        switch self {
        case .connectionLost: return "connectionLost"
        case .unavailable: return "unavailable"
        case .timeout: return "timeout"
        case .wrongType: return "wrongType"
        case .noSuchKey: return "noSuchKey"
        case .noGroup: return "noGroup"
        case .groupExists: return "groupExists"
        case .fenced: return "fenced"
        case .scriptAborted: return "scriptAborted"
        case .server: return "server"
        case .unexpectedReply: return "unexpectedReply"
        case .crossSlot: return "crossSlot"
        }
    }

    var message: String {
        switch self {
        case .connectionLost(let m), .unavailable(let m), .timeout(let m), .wrongType(let m), .noSuchKey(let m),
             .noGroup(let m), .groupExists(let m), .fenced(let m), .scriptAborted(let m), .server(let m):
            return m
        case .unexpectedReply(let c, let r): return "\(c): \(r)"
        case .crossSlot(let c, let keys): return "\(c): \(keys)"
        }
    }
}

/// The `RedisError` that `body` throws, or nil (recording an issue) when it
/// succeeds or throws something else.
func redisError<T>(_ body: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation) async -> RedisError? {
    do {
        _ = try await body()
        Issue.record("expected a RedisError, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as RedisError {
        return error
    } catch {
        Issue.record("expected a RedisError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
