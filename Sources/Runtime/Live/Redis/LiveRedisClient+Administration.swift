@_spi(Testing) import RelayRuntime

/// FLUSHALL, DBSIZE and KEYS for tests and local tooling, on a shared
/// connection. Only code that imports `RelayRuntime` with
/// `@_spi(Testing)` can name a `RedisAdminCommand`, so the production
/// binary's relayer and miner cannot send one.
@_spi(Testing)
extension LiveRedisClient: RedisAdministration {
    @_spi(Testing)
    public func send(admin command: RedisAdminCommand) async throws(RedisError) -> RedisReply {
        try await runShared([command.arguments], label: command.name)[0]
    }
}
