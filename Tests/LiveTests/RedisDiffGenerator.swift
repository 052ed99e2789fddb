@_spi(Testing) @_spi(Testing) import RelayRuntime
@_spi(Testing) import SimRedis

/// Seeded random operations over a small key universe, so that commands keep
/// colliding: several consumers of the same groups reading, acking and
/// claiming; keys of one type hit by commands of another (WRONGTYPE); ids
/// too small; non-integer counters; missing groups and keys.
///
/// The generator reads the model's state (never the real server's) to aim
/// at live ids and pending entries. The model has applied exactly the ops
/// generated so far and is deterministic, so the sequence for a seed is
/// fixed; the runner records it, and a failing prefix replays identically.
struct DiffGenerator {
    static let clientCount = 3
    /// Stream ids at or above this millisecond (year 2096) are "in the
    /// future" for both servers: `*` on such a stream yields `<ms>-<seq+1>`
    /// exactly, on both sides, whatever their clocks say.
    static let futureMilliseconds: UInt64 = 4_000_000_000_000

    var rng: DiffRNG
    let model: RedisModel
    private var subscribed = Set<Int>()
    private var generated = 0
    /// Ops that `next()` hands out before generating new ones.
    private var queued: [DiffOp] = []
    /// Every this many ops, a probe reads the whole state back (see `probe`).
    static let probeEvery = 25

    init(seed: UInt64, model: RedisModel) {
        rng = DiffRNG(seed: seed)
        self.model = model
    }

    // The universe.
    let strings = ["str:a", "str:b", "str:c", "cnt:a", "cnt:b"]
    let hashes = ["hash:a", "hash:b", "seal:a", "seal:b"]
    let sets = ["set:a", "set:b"]
    let streams = ["st:a", "st:b", "st:c"]
    let futures = ["fut:a", "fut:b"]
    /// Streams whose ids live in the future zone: `futures` and the suppliers' relay streams.
    var futureZone: [String] { futures + supplierStreams }
    let leases = ["lease:a", "lease:b"]
    let epochs = ["epoch:a", "epoch:b"]
    let groups = ["g1", "g2"]
    let consumers = ["c1", "c2", "c3", "c4"]
    let channels = ["ch:a", "ch:b"]
    var allKeys: [String] { strings + hashes + sets + streams + futures + leases + epochs + ["nokey"] }

    /// Values: integers (for INCRBY and listpack int encoding), edge integers,
    /// binary, empty, longer.
    let values = ["v", "1", "-5", "0", "42", "00", "x\u{0}y", "", "9223372036854775807", "-9223372036854775808", "hello world",
                  "12345678901234567890", String(repeating: "z", count: 30)]

    /// `key` of the family most of the time, any key sometimes.
    private mutating func key(_ family: [String]) -> String {
        rng.chance(0.07) ? rng.pick(allKeys) : rng.pick(family)
    }

    mutating func value() -> [UInt8] { Array(rng.pick(values).utf8) }
    mutating func field() -> [UInt8] { Array(rng.pick(["f", "g", "h", "count", "last_id"]).utf8) }
    private mutating func client() -> Int { rng.int(0...(Self.clientCount - 1)) }

    /// TTLs that never expire during a run (1–11 days), or edge values.
    mutating func ttl() -> Int64 {
        if rng.chance(0.06) { return rng.pick([0, -1, -1000, Int64.max, Int64.min]) }
        return Int64(rng.int(100_000_000...1_000_000_000))
    }

    /// Min-idle arguments: 0 (everything qualifies) or beyond reach.
    private mutating func minIdle() -> Int64 { rng.chance(0.6) ? 0 : rng.pick([1_000_000_000, 9_000_000_000_000, -5]) }

    // MARK: Stream state (from the model)

    func snapshot(_ key: String) -> StreamSnapshot? { model.streamSnapshot(key) }

    private func entryIDs(_ key: String) -> [StreamID] {
        guard case .array(let items) = model.execute(.xrange(key: key, start: .zero, end: .max)) else { return [] }
        return items.compactMap { item in
            guard case .array(let pair) = item, case .bulk(let b)? = pair.first else { return nil }
            return StreamID(bytes: b)
        }
    }

    /// A plausible next explicit id for `key` (sometimes deliberately too small).
    private mutating func nextID(_ key: String) -> StreamID {
        let last = snapshot(key)?.lastID ?? .zero
        if rng.chance(0.01) { return .zero }
        if rng.chance(0.05), last != .zero { return rng.chance(0.5) ? last : StreamID(milliseconds: last.milliseconds, sequence: 0) }
        let floor: UInt64 = futureZone.contains(key) ? Self.futureMilliseconds : 1
        let base = Swift.max(last.milliseconds, floor)
        if last.milliseconds >= floor, rng.chance(0.5) {
            return StreamID(milliseconds: last.milliseconds, sequence: last.sequence + UInt64(rng.int(1...3)))
        }
        return StreamID(milliseconds: base + UInt64(rng.int(1...3)), sequence: UInt64(rng.int(0...3)))
    }

    /// Ids to aim at: live entries, pending ones, deleted/random ones.
    mutating func someIDs(_ key: String, group: String?, max: Int) -> [StreamID] {
        var pool = entryIDs(key)
        if let group, let g = snapshot(key)?.groups.first(where: { $0.name == group }) { pool += g.pending.map(\.id) }
        let last = snapshot(key)?.lastID ?? StreamID(milliseconds: 5, sequence: 0)
        pool.append(StreamID(milliseconds: last.milliseconds / 2, sequence: 1))
        pool.append(StreamID(milliseconds: last.milliseconds + 9, sequence: 0))
        let n = rng.int(1...max)
        return (0..<n).map { _ in rng.pick(pool) }
    }

    private mutating func anyID(_ key: String, group: String? = nil) -> StreamID { someIDs(key, group: group, max: 1)[0] }

    private mutating func trim(_ key: String) -> StreamTrim {
        let approx = rng.chance(0.4)
        if rng.chance(0.6) { return .maxLength(rng.chance(0.03) ? -1 : rng.int(0...160), approximate: approx) }
        return .minID(anyID(key), approximate: approx)
    }

    mutating func fields() -> [FieldValue] {
        let n = rng.chance(0.85) ? 1 : rng.int(1...3)
        let names = ["data", "f", "n"]
        return (0..<n).map { i in
            let v: [UInt8] = rng.chance(0.2) ? Array(String(repeating: "p", count: rng.int(40...300)).utf8) : value()
            return FieldValue(Array((rng.chance(0.9) ? names[i] : rng.pick(names)).utf8), v)
        }
    }

    mutating func xadd(_ key: String) -> RedisCommand {
        let trimming: StreamTrim? = rng.chance(0.15) ? trim(key) : nil
        let noMk = rng.chance(0.08)
        // `*` only where both servers must derive the same id.
        if futureZone.contains(key), let s = snapshot(key), s.lastID.milliseconds >= Self.futureMilliseconds, rng.chance(0.5) {
            return .xadd(key: key, id: .auto, fields: fields(), trim: trimming, noMakeStream: noMk)
        }
        return .xadd(key: key, id: .explicit(nextID(key)), fields: rng.chance(0.01) ? [] : fields(), trim: trimming, noMakeStream: noMk)
    }

    private mutating func cursor(_ key: String, group: String, consumer: String) -> StreamCursor {
        if rng.chance(0.7) { return StreamCursor(key: key, position: .undelivered) }
        if rng.chance(0.6) { return StreamCursor(key: key, position: .pending(after: .zero)) }
        let pending = snapshot(key)?.groups.first { $0.name == group }?.consumers.first { $0.name == consumer }?.pending ?? []
        return StreamCursor(key: key, position: .pending(after: pending.isEmpty ? anyID(key) : rng.pick(pending)))
    }

    mutating func xreadgroup(block: Int64? = nil) -> RedisCommand {
        let key = self.key(streams + futures)
        let group = rng.pick(groups)
        let consumer = rng.pick(consumers)
        var cursors = [cursor(key, group: group, consumer: consumer)]
        if rng.chance(0.1) { cursors.append(cursor(rng.pick(streams), group: group, consumer: consumer)) }
        let count: Int? = rng.chance(0.3) ? nil : rng.pick([1, 1, 2, 3, 0, -1])
        let blockMs: Int64? = block ?? (rng.chance(0.1) ? rng.pick([1, 5, 20, -1]) : nil)
        return .xreadgroup(group: group, consumer: consumer, streams: cursors, count: count, blockMilliseconds: blockMs, noAck: rng.chance(0.1))
    }

    // MARK: Next op

    mutating func next() -> DiffOp {
        if !queued.isEmpty { return queued.removeFirst() }
        generated += 1
        if generated % Self.probeEvery == 0 {
            queued = Self.adminProbe.map { .admin(client: 0, $0) }
            return .pipeline(client: 0, probe())
        }
        let c = client()
        let roll = rng.int(0...999)
        switch roll {
        case 0..<60: return .command(client: c, stringCommand())
        case 60..<120: return .command(client: c, hashOrSetCommand())
        case 120..<160: return keyOp(client: c)
        case 160..<330: return .command(client: c, xadd(key(streams + futures)))
        case 330..<480: return .command(client: c, xreadgroup())
        case 480..<560: return .command(client: c, ackCommand())
        case 560..<680: return .command(client: c, claimCommand())
        case 680..<760: return .command(client: c, streamAdminCommand())
        case 760..<810: return .command(client: c, compoundCommand())
        case 810..<850: return supplierOp(client: c)
        case 850..<870: return bulkAppend(client: c)
        case 870..<905: return blockEpisode(reader: c)
        case 905..<960: return pubsub(client: c)
        case 960..<998: return .pipeline(client: c, (0..<rng.int(2...5)).map { _ in rng.chance(0.5) ? stringCommand() : xadd(rng.pick(streams)) })
        default: return .admin(client: c, rng.chance(0.5) ? .flushAll : .dbSize)
        }
    }

    /// The keyspace-wide part of a probe (admin commands cannot be pipelined with port commands).
    static let adminProbe: [RedisAdminCommand] = [.dbSize, .keys(pattern: "*")]

    /// Reads every key back (values, TTL classes, stream contents, groups,
    /// pending entries with delivery counts), so that a divergence that no
    /// random read happened to look at is still caught close to its cause.
    func probe() -> [RedisCommand] {
        var out: [RedisCommand] = []
        for k in strings + leases + epochs + supplierStrings { out += [.get(key: k), .pttl(key: k)] }
        for k in hashes + supplierHashes { out += [.hgetall(key: k), .pttl(key: k)] }
        for k in sets + supplierSets { out += [.smembers(key: k), .pttl(key: k)] }
        for k in streams + futures + supplierStreams {
            out += [.xlen(key: k), .xrange(key: k, start: .zero, end: .max), .xinfoGroups(key: k)]
            for g in groups {
                out += [.xpendingSummary(key: k, group: g), .xpending(key: k, group: g, start: .zero, end: .max, count: 1000)]
            }
        }
        return out
    }

    /// What a run ends with: every open subscription is collected.
    mutating func closing() -> [DiffOp] {
        let open = subscribed.sorted()
        subscribed.removeAll()
        return open.map { .unsubscribe(client: $0) }
    }

    private mutating func stringCommand() -> RedisCommand {
        let k = key(strings + leases + epochs)
        switch rng.int(0...5) {
        case 0: return .get(key: k)
        case 1, 2:
            let condition = rng.pick([SetCondition.always, .always, .ifAbsent, .ifPresent])
            let expiry: SetExpiry = rng.chance(0.6) ? .none : (rng.chance(0.5) ? .milliseconds(ttl()) : .keepTTL)
            return .set(key: k, value: value(), condition: condition, expiry: expiry)
        case 3, 4:
            let amount: Int64 = rng.chance(0.1) ? rng.pick([Int64.max, Int64.min, Int64.max / 2]) : Int64(rng.int(-10...10))
            return .incrBy(key: rng.chance(0.7) ? rng.pick(["cnt:a", "cnt:b", "epoch:a", "epoch:b"]) : k, amount: amount)
        default:
            return rng.chance(0.5) ? .pttl(key: k) : .pexpire(key: k, milliseconds: ttl())
        }
    }

    private mutating func hashOrSetCommand() -> RedisCommand {
        if rng.chance(0.6) {
            let k = key(hashes)
            switch rng.int(0...5) {
            case 0: return .hset(key: k, fields: (0..<rng.int(rng.chance(0.03) ? 0...0 : 1...3)).map { _ in FieldValue(field(), value()) })
            case 1: return .hget(key: k, field: field())
            case 2: return .hgetall(key: k)
            case 3: return .hdel(key: k, fields: (0..<rng.int(rng.chance(0.03) ? 0...0 : 1...2)).map { _ in field() })
            case 4: return .hlen(key: k)
            default:
                return .hincrBy(key: k, field: field(), amount: rng.chance(0.1) ? Int64.max : Int64(rng.int(-3...3)))
            }
        }
        let k = key(sets)
        let members = { (r: inout DiffRNG) -> [[UInt8]] in (0..<r.int(1...3)).map { _ in Array(r.pick(["a", "b", "c", "1", "2", "30", "\u{0}"]).utf8) } }
        switch rng.int(0...4) {
        case 0: return .sadd(key: k, members: rng.chance(0.03) ? [] : members(&rng))
        case 1: return .srem(key: k, members: members(&rng))
        case 2: return .smembers(key: k)
        case 3: return .sismember(key: k, member: members(&rng)[0])
        default: return .scard(key: k)
        }
    }

    private mutating func keyOp(client c: Int) -> DiffOp {
        switch rng.int(0...4) {
        case 0: return .command(client: c, .del(keys: (0..<rng.int(rng.chance(0.02) ? 0...0 : 1...3)).map { _ in rng.pick(allKeys) }))
        case 1: return .command(client: c, .exists(keys: (0..<rng.int(1...4)).map { _ in rng.pick(allKeys) }))
        case 2: return .admin(client: c, .keys(pattern: rng.pick(["*", "str:*", "st:?", "h[a-z]sh:*", "*:[ab]", "*:[^a]", "nomatch", "fut:*", "\\*", "[", "?*"])))
        case 3: return .command(client: c, .ping)
        default: return .admin(client: c, .dbSize)
        }
    }

    private mutating func ackCommand() -> RedisCommand {
        let k = key(streams + futures)
        let g = rng.pick(groups)
        if rng.chance(0.3) { return .ackAndDelete(key: k, group: g, ids: rng.chance(0.03) ? [] : someIDs(k, group: g, max: 3)) }
        return .xack(key: k, group: g, ids: rng.chance(0.02) ? [] : someIDs(k, group: g, max: 4))
    }

    private mutating func claimCommand() -> RedisCommand {
        let k = key(streams + futures)
        let g = rng.pick(groups)
        let consumer = rng.pick(consumers)
        switch rng.int(0...3) {
        case 0, 1:
            let options = ClaimOptions(idleMilliseconds: rng.chance(0.2) ? rng.pick([0, 500, 1_000_000, -7, 90_000_000_000_000]) : nil,
                                       retryCount: rng.chance(0.2) ? rng.pick([0, 3, -1]) : nil,
                                       force: rng.chance(0.15), justID: rng.chance(0.25))
            return .xclaim(key: k, group: g, consumer: consumer, minIdleMilliseconds: minIdle(), ids: rng.chance(0.02) ? [] : someIDs(k, group: g, max: 3), options: options)
        case 2:
            return .xautoclaim(key: k, group: g, consumer: consumer, minIdleMilliseconds: minIdle(),
                               start: rng.chance(0.6) ? .zero : anyID(k, group: g),
                               count: rng.chance(0.3) ? nil : rng.pick([1, 2, 3, 5, 0]), justID: rng.chance(0.25))
        default:
            if rng.chance(0.4) { return .xpendingSummary(key: k, group: g) }
            let wide = rng.chance(0.6)
            return .xpending(key: k, group: g, minIdleMilliseconds: rng.chance(0.7) ? nil : minIdle(),
                             start: wide ? .zero : anyID(k, group: g), end: wide ? .max : anyID(k, group: g),
                             count: rng.pick([10, 10, 2, 1, 0, -1]), consumer: rng.chance(0.3) ? rng.pick(consumers + ["nobody"]) : nil)
        }
    }

    private mutating func streamAdminCommand() -> RedisCommand {
        let k = key(streams + futures)
        switch rng.int(0...8) {
        case 0, 1:
            let start: GroupStart = rng.chance(0.4) ? .latest : (rng.chance(0.5) ? .id(.zero) : .id(anyID(k)))
            return .xgroupCreate(key: k, group: rng.pick(groups), start: start, makeStream: rng.chance(0.7))
        case 2: return .xgroupDestroy(key: k, group: rng.pick(groups + ["g3"]))
        case 3: return .xgroupDelConsumer(key: k, group: rng.pick(groups), consumer: rng.pick(consumers))
        case 4: return .xinfoGroups(key: k)
        case 5: return .xlen(key: k)
        case 6:
            let a = anyID(k)
            let b = anyID(k)
            let wide = rng.chance(0.4)
            return .xrange(key: k, start: wide ? .zero : Swift.min(a, b), end: wide ? .max : Swift.max(a, b),
                           count: rng.chance(0.5) ? nil : rng.pick([1, 2, 5, 0, -2]))
        case 7: return .xdel(key: k, ids: rng.chance(0.02) ? [] : someIDs(k, group: nil, max: 3))
        default: return .xtrim(key: k, trim: trim(k))
        }
    }

    mutating func epoch(_ epochKey: String) -> Int64 {
        let current: Int64
        if case .bulk(let b) = model.execute(.get(key: epochKey)), let s = String(validating: b, as: UTF8.self), let v = Int64(s) { current = v } else { current = 1 }
        return rng.chance(0.7) ? current : current &- Int64(rng.int(1...2))
    }

    private mutating func compoundCommand() -> RedisCommand {
        let leaseKey = key(leases)
        let epochKey = rng.chance(0.93) ? rng.pick(epochs) : rng.pick(allKeys)
        let owner = Array(rng.pick(["o1", "o2", "o3"]).utf8)
        switch rng.int(0...7) {
        case 0: return .compareAndDelete(key: leaseKey, expected: owner)
        case 1: return .compareAndExtend(key: leaseKey, expected: owner, milliseconds: ttl())
        case 2, 3: return .acquireLease(key: leaseKey, epochKey: epochKey, owner: owner, milliseconds: ttl())
        case 4, 5:
            let inner: RedisCommand
            switch rng.int(0...9) {
            case 0: inner = .set(key: key(strings), value: value())
            case 1: inner = .incrBy(key: rng.pick(["cnt:a", "cnt:b"]), amount: 1)
            case 2: inner = .hset(key: key(hashes), fields: [FieldValue(field(), value())])
            case 3: inner = xadd(rng.pick(streams))
            case 4: inner = xreadgroup()
            case 5: inner = ackCommand()
            case 6: inner = rng.chance(0.5) ? .exists(keys: (0..<rng.int(1...3)).map { _ in rng.pick(allKeys) }) : .smembers(key: key(sets))
            case 7: inner = rng.chance(0.5) ? .ping : .del(keys: rng.chance(0.3) ? [] : [key(strings)])
            case 8: inner = .compareAndDelete(key: leaseKey, expected: owner)
            default: inner = claimCommand()
            }
            return .fenced(epochKey: epochKey, epoch: epoch(epochKey), command: inner)
        case 6:
            let k = rng.chance(0.9) ? rng.pick(futures) : key(streams)
            if let s = snapshot(k), s.lastID.milliseconds >= Self.futureMilliseconds {
                return .appendUnlessSealed(key: k, sealKey: rng.pick(["seal:a", "seal:b", "nokey"]), fields: rng.chance(0.03) ? [] : fields())
            }
            return xadd(k)
        default:
            return .sealStream(epochKey: epochKey, epoch: epoch(epochKey), sealKey: key(["seal:a", "seal:b"]), streamKey: key(streams + futures))
        }
    }

    /// A burst of appends (pipelined) so streams grow past listpack nodes.
    private mutating func bulkAppend(client: Int) -> DiffOp {
        let k = rng.pick(streams)
        var last = snapshot(k)?.lastID ?? .zero
        let n = rng.int(30...220)
        let big = rng.chance(0.5)
        var commands: [RedisCommand] = []
        for i in 0..<n {
            last = StreamID(milliseconds: last.milliseconds + UInt64(rng.int(0...2)), sequence: last.sequence + 1)
            let payload = big ? String(repeating: "q", count: rng.int(0...260)) : String(rng.int(0...99_999))
            var fields = [FieldValue(Array("data".utf8), Array(payload.utf8))]
            if rng.chance(0.1) { fields.append(FieldValue(Array("extra".utf8), Array("1".utf8))) }
            let trimming: StreamTrim? = i == n - 1 && rng.chance(0.5) ? .maxLength(rng.int(0...150), approximate: rng.chance(0.7)) : nil
            commands.append(.xadd(key: k, id: .explicit(last), fields: fields, trim: trimming))
        }
        return .pipeline(client: client, commands)
    }

    /// A blocked read woken by another client.
    private mutating func blockEpisode(reader: Int) -> DiffOp {
        let k = rng.pick(streams)
        let group = rng.pick(groups)
        let read = RedisCommand.xreadgroup(group: group, consumer: rng.pick(consumers), streams: [StreamCursor(key: k, position: .undelivered)],
                                           count: rng.chance(0.5) ? nil : rng.int(1...3), blockMilliseconds: 0, noAck: rng.chance(0.15))
        let waker = (reader + 1 + rng.int(0...(Self.clientCount - 2))) % Self.clientCount
        let wake: DiffCommand
        // Beyond the stream's last id and the group's cursor (a group may
        // have been created ahead of its stream): this XADD always wakes.
        let snap = snapshot(k)
        let cursor = snap?.groups.first { $0.name == group }?.lastDeliveredID ?? .zero
        let next = StreamID(milliseconds: Swift.max(snap?.lastID.milliseconds ?? 0, cursor.milliseconds) + 1, sequence: 0)
        switch rng.int(0...19) {
        case 0: wake = .port(.del(keys: [k]))
        case 1: wake = .port(.set(key: k, value: Array("overwritten".utf8)))
        case 2, 3: wake = .port(.xgroupDestroy(key: k, group: group))
        case 4: wake = .port(.xadd(key: k, id: .explicit(next), fields: [FieldValue(Array("data".utf8), Array("trimmed".utf8))], trim: .maxLength(0, approximate: false)))
        case 5: wake = .admin(.flushAll)
        default: wake = .port(.xadd(key: k, id: .explicit(next), fields: [FieldValue(Array("data".utf8), Array("woke".utf8))]))
        }
        return .blockAndWake(reader: reader, read: read, waker: waker, wake: wake)
    }

    private mutating func pubsub(client: Int) -> DiffOp {
        if rng.chance(0.6) {
            return .command(client: client, .publish(channel: rng.pick(channels + ["ch:none"]), message: value()))
        }
        if subscribed.contains(client) {
            subscribed.remove(client)
            return .unsubscribe(client: client)
        }
        subscribed.insert(client)
        var chosen = channels.filter { _ in rng.chance(0.6) }
        if chosen.isEmpty { chosen = [rng.pick(channels)] }
        return .subscribe(client: client, channels: chosen)
    }
}
