import Foundation
import RelayRuntime

/// The simulator's Redis: one in-process server with the semantics of Redis
/// 7.0 for every `RedisCommand`, on an injected clock.
///
/// * **Synchronous core.** `execute(_:)` runs one command to completion
///   without suspending (a lock makes it safe from any thread). A command
///   that would block (`XREADGROUP … BLOCK` with nothing to read) answers as
///   if its timeout had passed at once (null); blocking waits exist only
///   through a `RedisModelClient`, which suspends on the clock.
/// * **Time.** Everything time-dependent reads the one `ClockPort` given at
///   init, in whole milliseconds as Redis does: key expiry (a key is gone
///   once `now > expire-at`, and no command — KEYS and DBSIZE included — can
///   see an expired key), auto stream ids, pending-entry delivery times and
///   idle filters, BLOCK timeouts.
/// * **Order.** No reply depends on hashing order: Redis's radix-tree orders
///   (groups, consumers, PELs, entries) are reproduced by sorting or by
///   id-ordered tables; KEYS and SMEMBERS (unordered in Redis) are sorted
///   bytewise; HGETALL keeps insertion order like Redis's listpack encoding.
/// * **Compound operations** (`compareAndDelete`, `acquireLease`, `fenced`, …)
///   run natively with exactly the observable behaviour of their Lua scripts
///   in `RedisScripts`, including partial effects and the error texts Redis
///   gives for a failing `redis.call` (`… script: <sha1>, on @user_script:<line>.`).
/// * **Faults** (unavailable, slow, dropped replies, restarts with and
///   without persistence) are set on the model and on each client; see
///   `RedisModel+Faults.swift`.
public final class RedisModel: @unchecked Sendable {
    public let clock: any ClockPort

    let lock = NSLock()
    // Hot state opts out of dynamic exclusivity checks: it is only touched
    // under `lock`, by one command at a time, and no two accesses overlap
    // (the checks cost ~10% of a command). The same holds for the stream,
    // group and consumer classes.
    @exclusivity(unchecked) var keyspace: [String: KeyEntry] = [:]
    /// One-entry cache of the last stream looked up (hot loops hit one
    /// stream); cleared whenever a key is deleted or replaced.
    @exclusivity(unchecked) var cachedStreamKey: String?
    @exclusivity(unchecked) var cachedStream: StreamValue?
    @exclusivity(unchecked) var expiries = MinHeap<ExpiryMark>()
    var expirySequence: UInt64 = 0

    // Blocked XREADGROUP readers, FIFO per key, and keys signalled since the last serve.
    @exclusivity(unchecked) var blockedByKey: [String: [BlockedReader]] = [:]
    @exclusivity(unchecked) var readyKeys: [String] = []
    var readyKeySet: Set<String> = []
    var readerSequence: UInt64 = 0

    // Pub/sub: subscribers per channel in subscription order.
    var channels: [String: [ModelSubscriber]] = [:]
    var subscriberSequence: UInt64 = 0

    // Connections (one per client) and server-wide fault state.
    var connectionSequence: UInt64 = 0
    var serverFaults = ServerFaultState()
    var counters = RedisFaultCounters()
    var keysExpired: Int64 = 0
    @exclusivity(unchecked) var commandsExecuted: Int64 = 0

    public init(clock: any ClockPort) {
        self.clock = clock
    }

    // MARK: Synchronous core

    /// Runs one command atomically and returns Redis's reply (errors as
    /// `.error` values). Never suspends; see the type's notes on BLOCK.
    public func execute(_ command: RedisCommand) -> RedisReply {
        lock.lock()
        defer { lock.unlock() }
        let now = nowMilliseconds()
        purgeExpired(now: now)
        var ctx = ExecContext(now: now)
        let reply = run(command, &ctx)
        if !readyKeys.isEmpty { serveReadyKeys(now: now) }
        commandsExecuted &+= 1
        return reply
    }

    /// Runs commands one after another (not atomically as a group, like a pipeline).
    public func execute(_ commands: [RedisCommand]) -> [RedisReply] {
        commands.map { execute($0) }
    }

    func nowMilliseconds() -> Int64 {
        // Floor division, also for instants before 1970.
        let ns = clock.now.unixNanoseconds
        let q = ns / 1_000_000
        return ns % 1_000_000 < 0 ? q - 1 : q
    }

    // MARK: Key space

    /// The live entry for `key` (expired keys were purged at command start).
    @inline(__always) func entry(_ key: String) -> KeyEntry? { keyspace[key] }

    func setExpiry(_ key: String, at ms: Int64?) {
        keyspace[key]?.expiresAt = ms
        if let ms {
            expirySequence &+= 1
            expiries.insert(ExpiryMark(at: ms, sequence: expirySequence, key: key))
        }
    }

    /// Deletes `key`, waking blocked readers if it held a stream. Returns whether it existed.
    @discardableResult
    func deleteKey(_ key: String) -> Bool {
        guard let old = keyspace.removeValue(forKey: key) else { return false }
        if cachedStreamKey == key { forgetCachedStream() }
        if case .stream = old.value { signal(key) }
        return true
    }

    /// Replaces `key`'s value (SET over anything); a replaced stream wakes its readers.
    func overwrite(_ key: String, with value: KeyValue, expiresAt: Int64?) {
        if let old = keyspace[key], case .stream = old.value { signal(key) }
        if cachedStreamKey == key { forgetCachedStream() }
        keyspace[key] = KeyEntry(value: value, expiresAt: nil)
        if let expiresAt { setExpiry(key, at: expiresAt) }
    }

    /// Active expiry at exactly the deadline: every key with `expire-at < now` goes.
    func purgeExpired(now: Int64) {
        while let mark = expiries.min, mark.at < now {
            expiries.popMin()
            if let e = keyspace[mark.key], e.expiresAt == mark.at {
                deleteKey(mark.key)
                keysExpired &+= 1
            }
        }
    }

    /// The earliest future instant (ms) at which one of `keys` expires.
    func expiryDeadline(of keys: [String]) -> Int64? {
        var best: Int64?
        for k in keys {
            if let at = keyspace[k]?.expiresAt { best = best.map { Swift.min($0, at) } ?? at }
        }
        return best
    }

    func forgetCachedStream() {
        cachedStreamKey = nil
        cachedStream = nil
    }

    func signal(_ key: String) {
        if blockedByKey.isEmpty { return }
        guard let readers = blockedByKey[key], !readers.isEmpty else { return }
        if readySetInsert(key) { readyKeys.append(key) }
    }

    private func readySetInsert(_ key: String) -> Bool { readyKeySet.insert(key).inserted }

    func clearReadyKeys() {
        readyKeys.removeAll(keepingCapacity: true)
        readyKeySet.removeAll(keepingCapacity: true)
    }

    // MARK: Inspection (tests, reports, the differential test's generator)

    /// Number of live keys.
    public var keyCount: Int {
        lock.lock()
        defer { lock.unlock() }
        purgeExpired(now: nowMilliseconds())
        return keyspace.count
    }

    /// A consistent view of one stream, or nil when `key` holds no stream.
    public func streamSnapshot(_ key: String) -> StreamSnapshot? {
        lock.lock()
        defer { lock.unlock() }
        purgeExpired(now: nowMilliseconds())
        guard case .stream(let s) = keyspace[key]?.value else { return nil }
        return StreamSnapshot(
            length: s.length, lastID: s.lastID, firstID: s.firstID, entriesAdded: s.entriesAdded,
            maxDeletedID: s.maxDeletedID, nodeCount: s.nodes.count,
            groups: s.sortedGroups.map { g in
                StreamSnapshot.Group(
                    name: g.name, lastDeliveredID: g.lastID, entriesRead: g.entriesRead,
                    consumers: g.sortedConsumers.map { StreamSnapshot.Consumer(name: $0.name, pending: $0.pel.elements.map(\.id)) },
                    pending: g.pel.elements.map {
                        StreamSnapshot.Pending(id: $0.id, consumer: $0.value.consumer.name, deliveryTimeMilliseconds: $0.value.deliveryTime,
                                               deliveries: $0.value.deliveryCount)
                    })
            })
    }

    /// Keys whose type is `kind`, sorted (for tests and reports).
    public func keys(ofType kind: RedisValueKind) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        purgeExpired(now: nowMilliseconds())
        return keyspace.filter { $0.value.value.kind == kind }.map(\.key).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Number of XREADGROUP readers currently blocked.
    public var blockedReaderCount: Int {
        lock.lock()
        defer { lock.unlock() }
        var seen = Set<ObjectIdentifier>()
        for readers in blockedByKey.values { for r in readers where r.outcome == nil { seen.insert(ObjectIdentifier(r)) } }
        return seen.count
    }

    /// Number of live pub/sub subscriptions.
    public var subscriptionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        var seen = Set<UInt64>()
        for subs in channels.values { for s in subs { seen.insert(s.id) } }
        return seen.count
    }
}

/// The type of a value in the key space.
public enum RedisValueKind: String, Sendable, Hashable {
    case string, hash, set, stream
}

/// What `RedisModel.streamSnapshot` reports about a stream.
public struct StreamSnapshot: Sendable, Hashable {
    public struct Pending: Sendable, Hashable {
        public let id: StreamID
        public let consumer: String
        public let deliveryTimeMilliseconds: Int64
        public let deliveries: Int64
    }

    public struct Consumer: Sendable, Hashable {
        public let name: String
        public let pending: [StreamID]
    }

    public struct Group: Sendable, Hashable {
        public let name: String
        public let lastDeliveredID: StreamID
        public let entriesRead: Int64?
        public let consumers: [Consumer]
        public let pending: [Pending]
    }

    public let length: Int
    public let lastID: StreamID
    public let firstID: StreamID
    public let entriesAdded: Int64
    public let maxDeletedID: StreamID
    /// Listpack nodes Redis would hold (what `~` trimming works on).
    public let nodeCount: Int
    public let groups: [Group]
}

struct KeyEntry {
    var value: KeyValue
    /// Unix milliseconds; nil without TTL.
    var expiresAt: Int64?
}

enum KeyValue {
    case string([UInt8])
    case hash(HashValue)
    case set(SetValue)
    case stream(StreamValue)

    var kind: RedisValueKind {
        switch self {
        case .string: return .string
        case .hash: return .hash
        case .set: return .set
        case .stream: return .stream
        }
    }
}

struct ExpiryMark: Comparable {
    let at: Int64
    let sequence: UInt64
    let key: String

    static func < (a: ExpiryMark, b: ExpiryMark) -> Bool { (a.at, a.sequence) < (b.at, b.sequence) }
    static func == (a: ExpiryMark, b: ExpiryMark) -> Bool { a.at == b.at && a.sequence == b.sequence }
}

/// A hash with Redis's listpack order: fields in insertion order, updates in
/// place, deletions closing the gap.
final class HashValue {
    private(set) var fields: [[UInt8]] = []
    private(set) var values: [[UInt8]] = []
    private var index: [[UInt8]: Int] = [:]

    var count: Int { fields.count }

    func get(_ field: [UInt8]) -> [UInt8]? {
        guard let i = index[field] else { return nil }
        return values[i]
    }

    /// Returns true when the field is new.
    @discardableResult
    func set(_ field: [UInt8], _ value: [UInt8]) -> Bool {
        if let i = index[field] {
            values[i] = value
            return false
        }
        index[field] = fields.count
        fields.append(field)
        values.append(value)
        return true
    }

    func remove(_ field: [UInt8]) -> Bool {
        guard let i = index.removeValue(forKey: field) else { return false }
        fields.remove(at: i)
        values.remove(at: i)
        for j in i..<fields.count { index[fields[j]] = j }
        return true
    }
}

final class SetValue {
    var members = Set<[UInt8]>()
}

/// Per-command execution state.
struct ExecContext {
    let now: Int64
    /// Inside a compound operation (Redis runs those as scripts).
    var inScript = false

    init(now: Int64) {
        self.now = now
    }
}

/// Reply texts of Redis 7.0.
enum RedisErrors {
    static let wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
    static let notInteger = "ERR value is not an integer or out of range"
    static let hashNotInteger = "ERR hash value is not an integer"
    static let overflow = "ERR increment or decrement would overflow"
    static let syntax = "ERR syntax error"
    static let noSuchKey = "ERR no such key"
    static let busyGroup = "BUSYGROUP Consumer Group name already exists"
    static let xgroupNeedsKey = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
    static let xaddZeroID = "ERR The ID specified in XADD must be greater than 0-0"
    static let xaddTooSmall = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
    static let xaddExhausted = "ERR The stream has exhausted the last possible ID, unable to add more items"
    static let maxLenNegative = "ERR The MAXLEN argument must be >= 0."
    static let timeoutNegative = "ERR timeout is negative"
    static let autoclaimCount = "ERR COUNT must be > 0"
    static let unblockedDeleted = "UNBLOCKED the stream key no longer exists"
    static let unblockedNoGroup = "NOGROUP the consumer group this client was blocked on no longer exists"
    static let scriptArity = "ERR Wrong number of args calling Redis command from script"
    static let scriptNotAllowed = "ERR This Redis command is not allowed from script"
    static let fenced = "FENCED stale epoch"

    static func arity(_ name: String) -> String { "ERR wrong number of arguments for '\(name)' command" }
    static func invalidExpire(_ command: String) -> String { "ERR invalid expire time in '\(command)' command" }
}
