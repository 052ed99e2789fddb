import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime

/// The production `RedisClient`: SwiftNIO sockets, RESP2 encoded in Swift,
/// replies parsed by hiredis's non-blocking reader.
///
/// - Ordinary commands share up to `maxConnections` multiplexed connections;
///   a `pipeline` goes out as one write on one connection.
/// - Blocking commands (XREADGROUP with BLOCK) use a dedicated connection
///   with a deadline of BLOCK + `blockingReplyMargin`, so they never hold up
///   other callers.
/// - Every request has a deadline (`commandTimeout`) → `.timeout`; a
///   connection that timed out or failed is discarded; a refused connect →
///   `.unavailable`, with reconnects paced by exponential backoff; commands in
///   flight on a dropped connection → `.connectionLost`.
/// - Error replies come back as `.error` values (the port's contract).
/// - A command (script or not) whose `{hash tag}` keys span several Cluster
///   slots is refused with `.crossSlot` before it is sent, so the key
///   layout stays valid for Redis Cluster (`RedisCommand.checkClusterSlots`);
///   a pipeline containing one is refused whole.
/// - Compound operations go as EVALSHA (scripts are loaded on every new
///   connection), with EVAL as the NOSCRIPT fallback; `ackAndDelete` uses
///   XACKDEL when the server has it (Redis ≥ 8.2).
public final class LiveRedisClient: RedisClient {
    public let configuration: LiveRedisConfiguration
    private let connector: RedisConnector
    private let pool: ConnectionPool
    private let subscriptions: NIOLockedValueBox<SubscriptionRegistry>
    private let allocator = ByteBufferAllocator()

    /// A client that connects lazily, on the first command. Use this when the
    /// process must start (and retry) even while Redis is down.
    public init(configuration: LiveRedisConfiguration) {
        self.configuration = configuration
        connector = RedisConnector(configuration: configuration)
        pool = ConnectionPool(connector: connector)
        subscriptions = NIOLockedValueBox(SubscriptionRegistry())
    }

    /// A client whose first connection is already open: a wrong URL,
    /// password or database fails here, with a precise `LiveRedisError`.
    public static func connect(configuration: LiveRedisConfiguration) async throws(LiveRedisError) -> LiveRedisClient {
        let client = LiveRedisClient(configuration: configuration)
        if let error = await client.pool.warmUp() {
            await client.close()
            throw error
        }
        return client
    }

    /// `connect(configuration:)` from a `redis://[[user]:password@]host[:port][/db]` URL.
    public static func connect(url: String, poolSize: Int = 4, commandTimeout: Duration = .seconds(2)) async throws(LiveRedisError) -> LiveRedisClient {
        let parsed: RedisURL
        do { parsed = try RedisURL(parsing: url) } catch { throw .invalidURL(error) }
        return try await connect(configuration: LiveRedisConfiguration(url: parsed, maxConnections: poolSize, commandTimeout: commandTimeout))
    }

    /// `host:port`, as error messages name the server.
    public var endpoint: String { connector.endpoint }

    // MARK: RedisClient

    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        let replies = try await run([command])
        return replies[0]
    }

    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await run(commands)
    }

    public func subscribe(channels: [String]) async throws(RedisError) -> RedisSubscription {
        guard !channels.isEmpty else { throw .server("ERR wrong number of arguments for 'subscribe' command") }
        let session = SubscriptionSession(channels: channels, connector: connector)
        let id = ObjectIdentifier(session)
        let registered = subscriptions.withLockedValue { r in
            guard !r.closed else { return false }
            r.sessions[id] = session
            return true
        }
        guard registered else { throw .unavailable("\(endpoint) SUBSCRIBE: client closed") }
        do {
            try await session.start()
        } catch {
            subscriptions.withLockedValue { _ = $0.sessions.removeValue(forKey: id) }
            await session.close()
            throw error
        }
        let registry = subscriptions
        return RedisSubscription(messages: session.messages) {
            await session.close()
            registry.withLockedValue { _ = $0.sessions.removeValue(forKey: id) }
        }
    }

    /// Closes every connection and subscription; later calls fail with `.unavailable`.
    public func close() async {
        let sessions = subscriptions.withLockedValue { r -> [SubscriptionSession] in
            r.closed = true
            let all = Array(r.sessions.values)
            r.sessions = [:]
            return all
        }
        for session in sessions { await session.close() }
        await pool.close()
    }

    // MARK: Tools

    /// Sends one raw command (argv) on a shared connection, for tests and
    /// tooling (`INFO`, `CLIENT LIST`, `CLIENT PAUSE`, …). Runtime code uses
    /// `RedisCommand`. Behind `@_spi(Testing)` because raw argv can name
    /// anything, including the whole-keyspace commands (`KEYS`, `FLUSHALL`)
    /// that no production path may send. Commands that change connection
    /// state or block (SUBSCRIBE, MULTI, SELECT, BLPOP, …) are refused: they
    /// would corrupt a connection that other callers share.
    @_spi(Testing)
    public func execute(_ argv: [String]) async throws(RedisError) -> RedisReply {
        try await execute(bytes: argv.map { Array($0.utf8) })
    }

    @_spi(Testing)
    public func execute(bytes argv: [[UInt8]]) async throws(RedisError) -> RedisReply {
        guard let first = argv.first else { throw .server("ERR empty command") }
        let name = String(decoding: first, as: UTF8.self).uppercased()
        if Self.connectionStateCommands.contains(name) {
            throw .server("ERR \(name) is not allowed on a shared connection")
        }
        let replies = try await runShared([argv], label: name)
        return replies[0]
    }

    private static let connectionStateCommands: Set<String> = [
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "MONITOR", "MULTI", "EXEC", "DISCARD",
        "WATCH", "UNWATCH", "SELECT", "AUTH", "HELLO", "RESET", "QUIT", "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH",
        "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "XREAD", "XREADGROUP", "WAIT", "READONLY", "READWRITE",
    ]

    /// Connections currently open, for health checks and leak tests.
    public var statistics: LiveRedisStatistics {
        let p = pool.statistics
        let subs = subscriptions.withLockedValue { r in r.sessions.values.filter(\.isConnected).count }
        return LiveRedisStatistics(sharedConnections: p.shared, dedicatedConnections: p.dedicated, subscriptionConnections: subs,
                                   connectionsOpened: p.opened, connectFailures: p.connectFailures)
    }

    // MARK: Execution

    private func run(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        // Before anything is written: a cross-slot script or multi-key command
        // would work on this server and fail on a Cluster, so it fails here too.
        try commands.checkClusterSlots()
        var blockMilliseconds: Int64?
        for command in commands {
            if case .xreadgroup(_, _, _, _, let block?, _) = command { blockMilliseconds = (blockMilliseconds ?? 0) + block }
        }
        let connection: RedisConnection
        let timeout: TimeAmount?
        if let blockMilliseconds {
            connection = try await pool.leaseDedicated()
            // BLOCK 0 waits forever by design; only a dropped connection ends it.
            timeout = commands.contains(where: Self.blocksForever) ? nil
                : TimeAmount(configuration.blockingReplyMargin) + .milliseconds(blockMilliseconds)
        } else {
            connection = try await pool.checkout()
            timeout = TimeAmount(configuration.commandTimeout)
        }
        let planned = commands.map { PlannedCommand($0, profile: connection.profile) }
        let payload = RESPEncoder.encode(planned.map(\.argv), allocator: allocator)
        let result = await connection.execute(payload, count: planned.count, timeout: timeout)
        var replies: [RedisReply]
        if blockMilliseconds != nil {
            pool.returnDedicated(connection, reusable: (try? result.get()) != nil)
            switch result {
            case .success(let r): replies = r
            case .failure(let failure): throw failure.redisError(endpoint: endpoint, command: Self.label(commands))
            }
        } else {
            pool.checkin(connection)
            switch result {
            case .success(let r):
                replies = r
            case .failure(.notSent):
                // Nothing was written: the command certainly did not run, so retrying is safe.
                pool.discard(connection)
                replies = try await runShared(planned.map(\.argv), label: Self.label(commands))
            case .failure(let failure):
                throw failure.redisError(endpoint: endpoint, command: Self.label(commands))
            }
        }
        // Only compound commands can need a NOSCRIPT retry or a reply transform.
        guard planned.contains(where: { $0.evalFallback != nil || $0.transform != .none }) else { return replies }
        try await retryNoScript(planned, &replies, commands)
        for i in replies.indices where planned[i].transform != .none { replies[i] = planned[i].finish(replies[i]) }
        return replies
    }

    /// Resends, as EVAL, the compound commands the server answered with NOSCRIPT
    /// (its script cache was flushed after our handshake). A NOSCRIPT command
    /// did not run, so resending cannot apply it twice; in a pipeline it then
    /// runs after the pipeline's other commands.
    private func retryNoScript(_ planned: [PlannedCommand], _ replies: inout [RedisReply], _ commands: [RedisCommand]) async throws(RedisError) {
        var indices: [Int] = []
        var argvs: [[[UInt8]]] = []
        for i in replies.indices where PlannedCommand.isNoScript(replies[i]) {
            guard let fallback = planned[i].evalFallback else { continue }
            indices.append(i)
            argvs.append(fallback)
        }
        guard !indices.isEmpty else { return }
        let retried = try await runShared(argvs, label: Self.label(indices.map { commands[$0] }))
        for (i, reply) in zip(indices, retried) { replies[i] = reply }
    }

    /// Raw argv on a shared connection, retrying once on a connection found closed.
    func runShared(_ argvs: [[[UInt8]]], label: String) async throws(RedisError) -> [RedisReply] {
        let payload = RESPEncoder.encode(argvs, allocator: allocator)
        let timeout = TimeAmount(configuration.commandTimeout)
        var retried = false
        while true {
            let connection = try await pool.checkout()
            let result = await connection.execute(payload, count: argvs.count, timeout: timeout)
            pool.checkin(connection)
            switch result {
            case .success(let replies):
                return replies
            case .failure(.notSent) where !retried:
                retried = true
                pool.discard(connection)
            case .failure(let failure):
                throw failure.redisError(endpoint: endpoint, command: label)
            }
        }
    }

    private static func blocksForever(_ command: RedisCommand) -> Bool {
        if case .xreadgroup(_, _, _, _, 0?, _) = command { return true }
        return false
    }

    /// The command name(s) for error messages (never payloads).
    private static func label(_ commands: [RedisCommand]) -> String {
        if commands.count == 1 { return commands[0].name }
        let names = commands.prefix(3).map(\.name).joined(separator: ", ")
        return "PIPELINE(\(commands.count): \(names)\(commands.count > 3 ? ", …" : ""))"
    }
}

/// A snapshot of the client's connections.
public struct LiveRedisStatistics: Sendable, Hashable {
    /// Open multiplexed connections (at most `maxConnections`).
    public var sharedConnections: Int
    /// Open dedicated connections for blocking commands (busy or idle).
    public var dedicatedConnections: Int
    /// Subscriptions whose connection is currently up.
    public var subscriptionConnections: Int
    /// Connections opened since the client was created (reconnects included).
    public var connectionsOpened: Int
    /// Failed connect attempts (refused, timed out, handshake rejected).
    public var connectFailures: Int

    public var openConnections: Int { sharedConnections + dedicatedConnections + subscriptionConnections }
}

struct SubscriptionRegistry {
    var sessions: [ObjectIdentifier: SubscriptionSession] = [:]
    var closed = false
}
