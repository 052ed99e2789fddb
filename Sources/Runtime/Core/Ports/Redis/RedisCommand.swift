/// Condition of a SET.
public enum SetCondition: Sendable, Hashable {
    case always
    /// NX: only if the key does not exist.
    case ifAbsent
    /// XX: only if the key exists.
    case ifPresent
}

/// Expiry of a SET.
public enum SetExpiry: Sendable, Hashable {
    /// Removes any TTL (plain SET).
    case none
    /// PX: expire after this many milliseconds.
    case milliseconds(Int64)
    /// KEEPTTL: keep the key's current TTL.
    case keepTTL
}

/// Stream trimming for XADD and XTRIM.
public enum StreamTrim: Sendable, Hashable {
    case maxLength(Int, approximate: Bool)
    case minID(StreamID, approximate: Bool)
}

/// Where XADD puts the entry.
public enum StreamAddID: Sendable, Hashable {
    /// `*`: server-generated from its clock.
    case auto
    case explicit(StreamID)
}

/// Where a new consumer group starts reading.
public enum GroupStart: Sendable, Hashable {
    /// `$`: only entries added after creation.
    case latest
    case id(StreamID)
}

/// What XREADGROUP reads from one stream.
public struct StreamCursor: Sendable, Hashable {
    public enum Position: Sendable, Hashable {
        /// `>`: entries never delivered to any consumer of the group.
        case undelivered
        /// This consumer's own pending entries with ids greater than the given one.
        case pending(after: StreamID)
    }

    public let key: String
    public let position: Position

    public init(key: String, position: Position) {
        self.key = key
        self.position = position
    }
}

/// Options of XCLAIM beyond the required arguments.
public struct ClaimOptions: Sendable, Hashable {
    public var idleMilliseconds: Int64?
    public var retryCount: Int64?
    public var force: Bool
    public var justID: Bool

    public init(idleMilliseconds: Int64? = nil, retryCount: Int64? = nil, force: Bool = false, justID: Bool = false) {
        self.idleMilliseconds = idleMilliseconds
        self.retryCount = retryCount
        self.force = force
        self.justID = justID
    }
}

/// Every Redis operation the runtime uses, as a value.
///
/// Commands are values (not methods) so that one definition serves the
/// simulator's model, the live client (via `arguments`, the exact RESP argv),
/// pipelines, traces and the differential test. The atomic compound operations
/// at the end are named operations with documented semantics; the live client
/// runs them as Lua scripts (`RedisScripts`), the model natively.
///
/// Whole-keyspace commands (FLUSHALL, DBSIZE, KEYS) are deliberately not
/// here: they are `RedisAdminCommand`s, reachable only through
/// `@_spi(Testing)`, so no runtime path can send them.
public indirect enum RedisCommand: Sendable, Hashable {
    // Keys and strings
    case ping
    case get(key: String)
    case set(key: String, value: [UInt8], condition: SetCondition = .always, expiry: SetExpiry = .none)
    case incrBy(key: String, amount: Int64)
    case del(keys: [String])
    case exists(keys: [String])
    case pexpire(key: String, milliseconds: Int64)
    case pttl(key: String)

    // Hashes
    case hset(key: String, fields: [FieldValue])
    case hget(key: String, field: [UInt8])
    /// Reply fields in the server's order; use `RedisClient.hgetAll` for a sorted, comparable form.
    case hgetall(key: String)
    case hdel(key: String, fields: [[UInt8]])
    case hlen(key: String)
    case hincrBy(key: String, field: [UInt8], amount: Int64)

    // Sets
    case sadd(key: String, members: [[UInt8]])
    case srem(key: String, members: [[UInt8]])
    case smembers(key: String)
    case sismember(key: String, member: [UInt8])
    case scard(key: String)

    // Streams
    case xadd(key: String, id: StreamAddID = .auto, fields: [FieldValue], trim: StreamTrim? = nil, noMakeStream: Bool = false)
    case xlen(key: String)
    case xrange(key: String, start: StreamID, end: StreamID, count: Int? = nil)
    case xdel(key: String, ids: [StreamID])
    case xtrim(key: String, trim: StreamTrim)
    case xgroupCreate(key: String, group: String, start: GroupStart, makeStream: Bool)
    case xgroupDestroy(key: String, group: String)
    case xgroupDelConsumer(key: String, group: String, consumer: String)
    case xreadgroup(group: String, consumer: String, streams: [StreamCursor], count: Int? = nil, blockMilliseconds: Int64? = nil, noAck: Bool = false)
    case xack(key: String, group: String, ids: [StreamID])
    case xpendingSummary(key: String, group: String)
    case xpending(key: String, group: String, minIdleMilliseconds: Int64? = nil, start: StreamID, end: StreamID, count: Int, consumer: String? = nil)
    case xclaim(key: String, group: String, consumer: String, minIdleMilliseconds: Int64, ids: [StreamID], options: ClaimOptions = ClaimOptions())
    case xautoclaim(key: String, group: String, consumer: String, minIdleMilliseconds: Int64, start: StreamID, count: Int? = nil, justID: Bool = false)
    case xinfoGroups(key: String)

    // Pub/sub (at-most-once)
    case publish(channel: String, message: [UInt8])

    // Atomic compound operations
    /// Deletes `key` only if it holds `expected`. Reply: 1 deleted, 0 not.
    case compareAndDelete(key: String, expected: [UInt8])
    /// Sets a new TTL on `key` only if it holds `expected`. Reply: 1 extended, 0 not.
    case compareAndExtend(key: String, expected: [UInt8], milliseconds: Int64)
    /// Lease with a fencing epoch. If `key` is absent: INCR `epochKey`, SET `key`
    /// = owner with TTL, reply the new epoch. If `key` holds `owner`: refresh
    /// the TTL, reply the current epoch (GET `epochKey`). Otherwise reply 0.
    case acquireLease(key: String, epochKey: String, owner: [UInt8], milliseconds: Int64)
    /// XACK then XDEL of the same ids, atomically. Reply: [acked, deleted].
    /// (Redis 8.2 has XACKDEL; 7.0 does not, so this is the portable form.)
    case ackAndDelete(key: String, group: String, ids: [StreamID])
    /// Runs `command` only if `epochKey` currently holds `epoch` (decimal).
    /// Reply: the command's reply, or the error `FENCED stale epoch`.
    case fenced(epochKey: String, epoch: Int64, command: RedisCommand)
    /// `XADD key * fields…` only if `sealKey` does not exist. Reply: the new
    /// entry id, or null when the session is already sealed. This is how a
    /// relayer learns, atomically, whether the relay it publishes will be in
    /// the session's claim (a relay is acknowledged as minable only then).
    case appendUnlessSealed(key: String, sealKey: String, fields: [FieldValue])
    /// Seals a session under the lease fence: if `epochKey` does not hold
    /// `epoch` → error `FENCED stale epoch`; if the hash `sealKey` already has
    /// field `last_id` → reply that id (re-sealing after a failover is
    /// idempotent); otherwise HSET `sealKey last_id <id of the last entry of
    /// streamKey, or 0-0>` and reply it. Every entry of the session with an id
    /// up to the reply is in the claim; no later entry can be appended.
    case sealStream(epochKey: String, epoch: Int64, sealKey: String, streamKey: String)
}
