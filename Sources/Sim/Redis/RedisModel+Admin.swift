@_spi(Testing) import RelayRuntime

/// FLUSHALL, DBSIZE and KEYS: the test-only `RedisAdminCommand`s, outside
/// the port's command set so runtime code cannot reach them (the
/// differential test and the model's own tests do).
extension RedisModel {
    /// Runs one admin command atomically, like `execute(_:)`: expired keys
    /// are purged first (neither KEYS nor DBSIZE sees them), and readers
    /// blocked on a stream that FLUSHALL removed are woken.
    @_spi(Testing)
    public func execute(admin command: RedisAdminCommand) -> RedisReply {
        lock.lock()
        defer { lock.unlock() }
        let now = nowMilliseconds()
        purgeExpired(now: now)
        let reply: RedisReply
        switch command {
        case .flushAll:
            flushAll()
            reply = .ok
        case .dbSize:
            reply = .integer(Int64(keyspace.count))
        case .keys(let pattern):
            reply = keysMatching(pattern)
        }
        if !readyKeys.isEmpty { serveReadyKeys(now: now) }
        commandsExecuted &+= 1
        return reply
    }
}

@_spi(Testing)
extension RedisModelClient: RedisAdministration {
    /// The admin command on this connection, with its faults (partition,
    /// latency, server down) like any command; reply drops do not apply
    /// (their filters match port commands).
    @_spi(Testing)
    public func send(admin command: RedisAdminCommand) async throws(RedisError) -> RedisReply {
        let way = try admitWithLatency()
        if way.delay > .zero { try await travel(way) }
        return model.execute(admin: command)
    }
}
