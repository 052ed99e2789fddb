/// Typed operations over the raw port: each builds a `RedisCommand`, sends it
/// and decodes the reply, turning error replies into `RedisError`s.
extension RedisClient {
    private func run(_ command: RedisCommand) async throws(RedisError) -> (RedisReply, ReplyDecoder) {
        (try await send(command), ReplyDecoder(command: command))
    }

    // MARK: Keys and strings

    public func ping() async throws(RedisError) {
        let (r, d) = try await run(.ping)
        try d.ok(r)
    }

    public func get(_ key: String) async throws(RedisError) -> [UInt8]? {
        let (r, d) = try await run(.get(key: key))
        return try d.bulkOrNull(r)
    }

    /// Returns whether the value was written (false when NX/XX prevented it).
    @discardableResult
    public func set(_ key: String, _ value: [UInt8], condition: SetCondition = .always, expiry: SetExpiry = .none) async throws(RedisError) -> Bool {
        let (r, d) = try await run(.set(key: key, value: value, condition: condition, expiry: expiry))
        if case .null = r { return false }
        try d.ok(r)
        return true
    }

    public func incrBy(_ key: String, _ amount: Int64) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.incrBy(key: key, amount: amount))
        return try d.integer(r)
    }

    @discardableResult
    public func del(_ keys: [String]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.del(keys: keys))
        return try d.integer(r)
    }

    public func exists(_ keys: [String]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.exists(keys: keys))
        return try d.integer(r)
    }

    @discardableResult
    public func pexpire(_ key: String, milliseconds: Int64) async throws(RedisError) -> Bool {
        let (r, d) = try await run(.pexpire(key: key, milliseconds: milliseconds))
        return try d.integer(r) == 1
    }

    /// Milliseconds to live; -1 without TTL, -2 when the key does not exist.
    public func pttl(_ key: String) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.pttl(key: key))
        return try d.integer(r)
    }

    // MARK: Hashes

    @discardableResult
    public func hset(_ key: String, _ fields: [FieldValue]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.hset(key: key, fields: fields))
        return try d.integer(r)
    }

    public func hget(_ key: String, _ field: [UInt8]) async throws(RedisError) -> [UInt8]? {
        let (r, d) = try await run(.hget(key: key, field: field))
        return try d.bulkOrNull(r)
    }

    /// All fields sorted by field bytes (Redis's own order depends on encoding).
    public func hgetAll(_ key: String) async throws(RedisError) -> [FieldValue] {
        let (r, d) = try await run(.hgetall(key: key))
        return try d.fieldValues(r).sorted { $0.field.lexicographicallyPrecedes($1.field) }
    }

    @discardableResult
    public func hdel(_ key: String, _ fields: [[UInt8]]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.hdel(key: key, fields: fields))
        return try d.integer(r)
    }

    public func hlen(_ key: String) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.hlen(key: key))
        return try d.integer(r)
    }

    public func hincrBy(_ key: String, _ field: [UInt8], _ amount: Int64) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.hincrBy(key: key, field: field, amount: amount))
        return try d.integer(r)
    }

    // MARK: Sets

    @discardableResult
    public func sadd(_ key: String, _ members: [[UInt8]]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.sadd(key: key, members: members))
        return try d.integer(r)
    }

    @discardableResult
    public func srem(_ key: String, _ members: [[UInt8]]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.srem(key: key, members: members))
        return try d.integer(r)
    }

    /// Members sorted bytewise (Redis's own order is unspecified).
    public func smembers(_ key: String) async throws(RedisError) -> [[UInt8]] {
        let (r, d) = try await run(.smembers(key: key))
        var out: [[UInt8]] = []
        for item in try d.array(r) { out.append(try d.bulk(item)) }
        return out.sorted { $0.lexicographicallyPrecedes($1) }
    }

    public func sismember(_ key: String, _ member: [UInt8]) async throws(RedisError) -> Bool {
        let (r, d) = try await run(.sismember(key: key, member: member))
        return try d.integer(r) == 1
    }

    public func scard(_ key: String) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.scard(key: key))
        return try d.integer(r)
    }

    // MARK: Streams

    /// Returns the new entry's id, or nil when NOMKSTREAM found no stream.
    @discardableResult
    public func xadd(_ key: String, id: StreamAddID = .auto, fields: [FieldValue], trim: StreamTrim? = nil, noMakeStream: Bool = false) async throws(RedisError) -> StreamID? {
        let (r, d) = try await run(.xadd(key: key, id: id, fields: fields, trim: trim, noMakeStream: noMakeStream))
        if case .null = r { return nil }
        return try d.streamID(r)
    }

    public func xlen(_ key: String) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.xlen(key: key))
        return try d.integer(r)
    }

    public func xrange(_ key: String, from start: StreamID = .zero, to end: StreamID = .max, count: Int? = nil) async throws(RedisError) -> [StreamEntry] {
        let (r, d) = try await run(.xrange(key: key, start: start, end: end, count: count))
        return try d.entries(r)
    }

    @discardableResult
    public func xdel(_ key: String, _ ids: [StreamID]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.xdel(key: key, ids: ids))
        return try d.integer(r)
    }

    @discardableResult
    public func xtrim(_ key: String, _ trim: StreamTrim) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.xtrim(key: key, trim: trim))
        return try d.integer(r)
    }

    /// Creates the group; returns false if it already existed (BUSYGROUP).
    @discardableResult
    public func xgroupCreate(_ key: String, group: String, start: GroupStart, makeStream: Bool = true) async throws(RedisError) -> Bool {
        let (r, d) = try await run(.xgroupCreate(key: key, group: group, start: start, makeStream: makeStream))
        do throws(RedisError) {
            try d.ok(r)
            return true
        } catch .groupExists {
            return false
        }
    }

    @discardableResult
    public func xgroupDelConsumer(_ key: String, group: String, consumer: String) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.xgroupDelConsumer(key: key, group: group, consumer: consumer))
        return try d.integer(r)
    }

    /// Entries per stream; empty when nothing arrived before the BLOCK timeout.
    public func xreadgroup(group: String, consumer: String, streams: [StreamCursor], count: Int? = nil, blockMilliseconds: Int64? = nil, noAck: Bool = false) async throws(RedisError) -> [StreamRead] {
        let (r, d) = try await run(.xreadgroup(group: group, consumer: consumer, streams: streams, count: count, blockMilliseconds: blockMilliseconds, noAck: noAck))
        guard let items = try d.arrayOrNull(r) else { return [] }
        var out: [StreamRead] = []
        for item in items {
            let pair = try d.array(item)
            guard pair.count == 2 else { throw d.fail(item) }
            out.append(StreamRead(key: try d.string(pair[0]), entries: try d.entries(pair[1])))
        }
        return out
    }

    @discardableResult
    public func xack(_ key: String, group: String, ids: [StreamID]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.xack(key: key, group: group, ids: ids))
        return try d.integer(r)
    }

    public func xpendingSummary(_ key: String, group: String) async throws(RedisError) -> PendingSummary {
        let (r, d) = try await run(.xpendingSummary(key: key, group: group))
        let items = try d.array(r)
        guard items.count == 4 else { throw d.fail(r) }
        let count = try d.integer(items[0])
        let low: StreamID? = items[1] == .null ? nil : try d.streamID(items[1])
        let high: StreamID? = items[2] == .null ? nil : try d.streamID(items[2])
        var consumers: [ConsumerPending] = []
        if let rows = try d.arrayOrNull(items[3]) {
            for row in rows {
                let pair = try d.array(row)
                guard pair.count == 2, let n = Int64(try d.string(pair[1])) else { throw d.fail(row) }
                consumers.append(ConsumerPending(consumer: try d.string(pair[0]), count: n))
            }
        }
        return PendingSummary(count: count, smallestID: low, greatestID: high, consumers: consumers)
    }

    public func xpending(_ key: String, group: String, minIdleMilliseconds: Int64? = nil, from start: StreamID = .zero, to end: StreamID = .max, count: Int, consumer: String? = nil) async throws(RedisError) -> [PendingEntry] {
        let (r, d) = try await run(.xpending(key: key, group: group, minIdleMilliseconds: minIdleMilliseconds, start: start, end: end, count: count, consumer: consumer))
        var out: [PendingEntry] = []
        for row in try d.array(r) {
            let f = try d.array(row)
            guard f.count == 4 else { throw d.fail(row) }
            out.append(PendingEntry(id: try d.streamID(f[0]), consumer: try d.string(f[1]),
                                    idleMilliseconds: try d.integer(f[2]), deliveries: try d.integer(f[3])))
        }
        return out
    }

    /// Claimed entries (with JUSTID: entries with `fields == nil`).
    public func xclaim(_ key: String, group: String, consumer: String, minIdleMilliseconds: Int64, ids: [StreamID], options: ClaimOptions = ClaimOptions()) async throws(RedisError) -> [StreamEntry] {
        let (r, d) = try await run(.xclaim(key: key, group: group, consumer: consumer, minIdleMilliseconds: minIdleMilliseconds, ids: ids, options: options))
        if options.justID { return try d.streamIDs(r).map { StreamEntry(id: $0, fields: nil) } }
        return try d.entries(r)
    }

    public func xautoclaim(_ key: String, group: String, consumer: String, minIdleMilliseconds: Int64, start: StreamID = .zero, count: Int? = nil, justID: Bool = false) async throws(RedisError) -> AutoClaimResult {
        let (r, d) = try await run(.xautoclaim(key: key, group: group, consumer: consumer, minIdleMilliseconds: minIdleMilliseconds, start: start, count: count, justID: justID))
        let items = try d.array(r)
        guard items.count == 3 else { throw d.fail(r) }
        let entries = justID ? try d.streamIDs(items[1]).map { StreamEntry(id: $0, fields: nil) } : try d.entries(items[1])
        return AutoClaimResult(next: try d.streamID(items[0]), entries: entries, deletedIDs: try d.streamIDs(items[2]))
    }

    public func xinfoGroups(_ key: String) async throws(RedisError) -> [GroupInfo] {
        let (r, d) = try await run(.xinfoGroups(key: key))
        var out: [GroupInfo] = []
        for row in try d.array(r) {
            let flat = try d.array(row)
            guard flat.count % 2 == 0 else { throw d.fail(row) }
            var fields: [String: RedisReply] = [:]
            var i = 0
            while i < flat.count { fields[try d.string(flat[i])] = flat[i + 1]; i += 2 }
            guard let name = fields["name"], let consumers = fields["consumers"], let pending = fields["pending"],
                  let last = fields["last-delivered-id"] else { throw d.fail(row) }
            let read: Int64? = fields["entries-read"].flatMap { if case .integer(let v) = $0 { return v } else { return nil } }
            let lag: Int64? = fields["lag"].flatMap { if case .integer(let v) = $0 { return v } else { return nil } }
            out.append(GroupInfo(name: try d.string(name), consumers: try d.integer(consumers), pending: try d.integer(pending),
                                 lastDeliveredID: try d.streamID(last), entriesRead: read, lag: lag))
        }
        return out
    }

    // MARK: Pub/sub

    /// Number of subscribers that received the message.
    @discardableResult
    public func publish(_ channel: String, _ message: [UInt8]) async throws(RedisError) -> Int64 {
        let (r, d) = try await run(.publish(channel: channel, message: message))
        return try d.integer(r)
    }

    // MARK: Compound operations

    public func compareAndDelete(_ key: String, expected: [UInt8]) async throws(RedisError) -> Bool {
        let (r, d) = try await run(.compareAndDelete(key: key, expected: expected))
        return try d.integer(r) == 1
    }

    public func compareAndExtend(_ key: String, expected: [UInt8], milliseconds: Int64) async throws(RedisError) -> Bool {
        let (r, d) = try await run(.compareAndExtend(key: key, expected: expected, milliseconds: milliseconds))
        return try d.integer(r) == 1
    }

    /// The fencing epoch if this owner now holds the lease, nil if another owner does.
    public func acquireLease(_ key: String, epochKey: String, owner: [UInt8], milliseconds: Int64) async throws(RedisError) -> Int64? {
        let (r, d) = try await run(.acquireLease(key: key, epochKey: epochKey, owner: owner, milliseconds: milliseconds))
        let epoch = try d.integer(r)
        return epoch > 0 ? epoch : nil
    }

    /// (acknowledged, deleted) counts.
    @discardableResult
    public func ackAndDelete(_ key: String, group: String, ids: [StreamID]) async throws(RedisError) -> (acked: Int64, deleted: Int64) {
        let (r, d) = try await run(.ackAndDelete(key: key, group: group, ids: ids))
        let items = try d.array(r)
        guard items.count == 2 else { throw d.fail(r) }
        return (try d.integer(items[0]), try d.integer(items[1]))
    }

    /// Runs `command` under the fence; throws `.fenced` when `epoch` is stale.
    public func fenced(epochKey: String, epoch: Int64, _ command: RedisCommand) async throws(RedisError) -> RedisReply {
        let (r, d) = try await run(.fenced(epochKey: epochKey, epoch: epoch, command: command))
        return try d.checked(r)
    }

    /// The new entry id, or nil when `sealKey` exists (the session is sealed).
    public func appendUnlessSealed(_ key: String, sealKey: String, fields: [FieldValue]) async throws(RedisError) -> StreamID? {
        let (r, d) = try await run(.appendUnlessSealed(key: key, sealKey: sealKey, fields: fields))
        if case .null = r { return nil }
        return try d.streamID(r)
    }

    /// The seal id of the session (the last stream entry it includes); throws `.fenced` when `epoch` is stale.
    public func sealStream(epochKey: String, epoch: Int64, sealKey: String, streamKey: String) async throws(RedisError) -> StreamID {
        let (r, d) = try await run(.sealStream(epochKey: epochKey, epoch: epoch, sealKey: sealKey, streamKey: streamKey))
        return try d.streamID(d.checked(r))
    }
}
