/// Whole-keyspace commands for tests and local tooling only.
///
/// They are not `RedisCommand`s on purpose: `KEYS` walks the whole keyspace
/// in one blocking call, `FLUSHALL` erases every supplier's data and
/// `DBSIZE` means nothing on a Cluster (each node counts its own slots), so
/// none of them may sit on a production path. Runtime code cannot name them
/// without `@_spi(Testing) import RelayRuntime`, which only test targets and
/// the two implementations (the live client's, the model's) write — a test
/// (`TestOnlyRedisAPITests`) keeps that list closed. An operator tool that
/// lists keys should iterate with SCAN instead.
@_spi(Testing)
public enum RedisAdminCommand: Sendable, Hashable {
    /// Deletes every key of every database.
    case flushAll
    /// Number of keys in the selected database.
    case dbSize
    /// Key names matching a glob pattern, in one blocking pass over the keyspace.
    case keys(pattern: String)

    /// The exact RESP argv.
    public var arguments: [[UInt8]] {
        switch self {
        case .flushAll: return [Array("FLUSHALL".utf8)]
        case .dbSize: return [Array("DBSIZE".utf8)]
        case .keys(let pattern): return [Array("KEYS".utf8), Array(pattern.utf8)]
        }
    }

    /// The command name for logs and errors.
    public var name: String {
        switch self {
        case .flushAll: return "FLUSHALL"
        case .dbSize: return "DBSIZE"
        case .keys: return "KEYS"
        }
    }
}

/// A Redis port implementation that can also run `RedisAdminCommand`s:
/// the live client and the simulator's model client, for tests and tooling.
@_spi(Testing)
public protocol RedisAdministration: RedisClient {
    /// The server's raw reply (errors as `.error` values); throws only when the transport fails.
    func send(admin command: RedisAdminCommand) async throws(RedisError) -> RedisReply
}

@_spi(Testing)
extension RedisAdministration {
    /// FLUSHALL.
    public func flushAll() async throws(RedisError) {
        let reply = try await send(admin: .flushAll)
        try ReplyDecoder(admin: .flushAll).ok(reply)
    }

    /// DBSIZE.
    public func dbSize() async throws(RedisError) -> Int64 {
        let reply = try await send(admin: .dbSize)
        return try ReplyDecoder(admin: .dbSize).integer(reply)
    }

    /// KEYS `pattern`: matching key names, sorted (Redis's own order is its hash table's).
    public func keys(matching pattern: String) async throws(RedisError) -> [String] {
        let command = RedisAdminCommand.keys(pattern: pattern)
        let d = ReplyDecoder(admin: command)
        var out: [String] = []
        for item in try d.array(try await send(admin: command)) { out.append(try d.string(item)) }
        return out.sorted()
    }
}
