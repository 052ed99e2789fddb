import RelayRuntime

/// Dispatch, keys, strings, hashes, sets and pub/sub (administration: `RedisModel+Admin.swift`).
extension RedisModel {
    /// Runs one command (top level or inside a compound operation).
    func run(_ command: RedisCommand, _ x: inout ExecContext) -> RedisReply {
        switch command {
        case .ping: return .status("PONG")
        case .get(let key): return get(key)
        case .set(let key, let value, let condition, let expiry): return set(key, value, condition, expiry, x.now)
        case .incrBy(let key, let amount): return incrBy(key, amount)
        case .del(let keys):
            guard !keys.isEmpty else { return .error(RedisErrors.arity("del")) }
            var n: Int64 = 0
            for k in keys where deleteKey(k) { n += 1 }
            return .integer(n)
        case .exists(let keys):
            guard !keys.isEmpty else { return .error(RedisErrors.arity("exists")) }
            var n: Int64 = 0
            for k in keys where keyspace[k] != nil { n += 1 }
            return .integer(n)
        case .pexpire(let key, let ms): return pexpire(key, ms, x.now)
        case .pttl(let key):
            guard let e = keyspace[key] else { return .integer(-2) }
            guard let at = e.expiresAt else { return .integer(-1) }
            return .integer(Swift.max(0, at - x.now))
        case .hset(let key, let fields): return hset(key, fields)
        case .hget(let key, let field):
            switch lookupHash(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .null
            case .found(let h): return h.get(field).map { .bulk($0) } ?? .null
            }
        case .hgetall(let key):
            switch lookupHash(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .array([])
            case .found(let h):
                var out: [RedisReply] = []
                out.reserveCapacity(h.count * 2)
                for (f, v) in zip(h.fields, h.values) {
                    out.append(.bulk(f))
                    out.append(.bulk(v))
                }
                return .array(out)
            }
        case .hdel(let key, let fields):
            guard !fields.isEmpty else { return .error(RedisErrors.arity("hdel")) }
            switch lookupHash(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .integer(0)
            case .found(let h):
                var n: Int64 = 0
                for f in fields where h.remove(f) { n += 1 }
                if h.count == 0 { deleteKey(key) }
                return .integer(n)
            }
        case .hlen(let key):
            switch lookupHash(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .integer(0)
            case .found(let h): return .integer(Int64(h.count))
            }
        case .hincrBy(let key, let field, let amount): return hincrBy(key, field, amount)
        case .sadd(let key, let members): return sadd(key, members)
        case .srem(let key, let members):
            guard !members.isEmpty else { return .error(RedisErrors.arity("srem")) }
            switch lookupSet(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .integer(0)
            case .found(let s):
                var n: Int64 = 0
                for m in members where s.members.remove(m) != nil { n += 1 }
                if s.members.isEmpty { deleteKey(key) }
                return .integer(n)
            }
        case .smembers(let key):
            switch lookupSet(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .array([])
            case .found(let s): return .array(s.members.sorted { $0.lexicographicallyPrecedes($1) }.map { .bulk($0) })
            }
        case .sismember(let key, let member):
            switch lookupSet(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .integer(0)
            case .found(let s): return .integer(s.members.contains(member) ? 1 : 0)
            }
        case .scard(let key):
            switch lookupSet(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .integer(0)
            case .found(let s): return .integer(Int64(s.members.count))
            }

        case .xadd(let key, let id, let fields, let trim, let noMakeStream):
            return xadd(key, id, fields, trim, noMakeStream, &x)
        case .xlen(let key):
            switch lookupStream(key) {
            case .wrongType: return .error(RedisErrors.wrongType)
            case .missing: return .integer(0)
            case .found(let s): return .integer(Int64(s.length))
            }
        case .xrange(let key, let start, let end, let count): return xrange(key, start, end, count)
        case .xdel(let key, let ids): return xdel(key, ids)
        case .xtrim(let key, let trim): return xtrim(key, trim)
        case .xgroupCreate(let key, let group, let start, let makeStream): return xgroupCreate(key, group, start, makeStream)
        case .xgroupDestroy(let key, let group): return xgroupDestroy(key, group)
        case .xgroupDelConsumer(let key, let group, let consumer): return xgroupDelConsumer(key, group, consumer)
        case .xreadgroup(let group, let consumer, let streams, let count, let block, let noAck):
            switch xreadgroup(group, consumer, streams, count, block, noAck, &x) {
            case .reply(let r): return r
            case .wouldBlock: return .null
            }
        case .xack(let key, let group, let ids): return xack(key, group, ids)
        case .xpendingSummary(let key, let group): return xpendingSummary(key, group)
        case .xpending(let key, let group, let minIdle, let start, let end, let count, let consumer):
            return xpending(key, group, minIdle, start, end, count, consumer, x.now)
        case .xclaim(let key, let group, let consumer, let minIdle, let ids, let options):
            return xclaim(key, group, consumer, minIdle, ids, options, x.now)
        case .xautoclaim(let key, let group, let consumer, let minIdle, let start, let count, let justID):
            return xautoclaim(key, group, consumer, minIdle, start, count, justID, x.now)
        case .xinfoGroups(let key): return xinfoGroups(key)

        case .publish(let channel, let message): return .integer(publish(channel, message))

        case .compareAndDelete, .compareAndExtend, .acquireLease, .ackAndDelete, .fenced, .appendUnlessSealed, .sealStream:
            return runCompound(command, &x)
        }
    }

    func flushAll() {
        // Sorted: readers blocked on different streams wake in a fixed order, not the hash table's.
        for key in keyspace.keys.sorted() { if case .stream = keyspace[key]?.value { signal(key) } }
        forgetCachedStream()
        keyspace.removeAll()
        expiries.removeAll()
    }

    // MARK: Typed lookups

    enum Lookup<T> {
        case missing
        case wrongType
        case found(T)
    }

    func lookupHash(_ key: String) -> Lookup<HashValue> {
        guard let e = keyspace[key] else { return .missing }
        guard case .hash(let h) = e.value else { return .wrongType }
        return .found(h)
    }

    /// The hash at `key`, created empty when missing; nil when the key holds another type.
    func hashForWrite(_ key: String) -> HashValue? {
        switch lookupHash(key) {
        case .wrongType: return nil
        case .found(let existing): return existing
        case .missing:
            let h = HashValue()
            keyspace[key] = KeyEntry(value: .hash(h), expiresAt: nil)
            return h
        }
    }

    func lookupSet(_ key: String) -> Lookup<SetValue> {
        guard let e = keyspace[key] else { return .missing }
        guard case .set(let s) = e.value else { return .wrongType }
        return .found(s)
    }

    /// The set at `key`, created empty when missing; nil when the key holds another type.
    func setForWrite(_ key: String) -> SetValue? {
        switch lookupSet(key) {
        case .wrongType: return nil
        case .found(let existing): return existing
        case .missing:
            let s = SetValue()
            keyspace[key] = KeyEntry(value: .set(s), expiresAt: nil)
            return s
        }
    }

    func lookupStream(_ key: String) -> Lookup<StreamValue> {
        if let s = cachedStream, cachedStreamKey == key { return .found(s) }
        guard let e = keyspace[key] else { return .missing }
        guard case .stream(let s) = e.value else { return .wrongType }
        cachedStreamKey = key
        cachedStream = s
        return .found(s)
    }

    // MARK: Strings

    func get(_ key: String) -> RedisReply {
        guard let e = keyspace[key] else { return .null }
        guard case .string(let v) = e.value else { return .error(RedisErrors.wrongType) }
        return .bulk(v)
    }

    func set(_ key: String, _ value: [UInt8], _ condition: SetCondition, _ expiry: SetExpiry, _ now: Int64) -> RedisReply {
        var expireAt: Int64?
        if case .milliseconds(let ms) = expiry {
            guard ms > 0, ms <= Int64.max - now else { return .error(RedisErrors.invalidExpire("set")) }
            expireAt = now + ms
        }
        let found = keyspace[key] != nil
        switch condition {
        case .ifAbsent where found: return .null
        case .ifPresent where !found: return .null
        default: break
        }
        let kept = keyspace[key]?.expiresAt
        overwrite(key, with: .string(value), expiresAt: nil)
        switch expiry {
        case .none: break
        case .milliseconds: setExpiry(key, at: expireAt)
        case .keepTTL: keyspace[key]?.expiresAt = kept
        }
        return .ok
    }

    func incrBy(_ key: String, _ amount: Int64) -> RedisReply {
        var old: Int64 = 0
        if let e = keyspace[key] {
            guard case .string(let bytes) = e.value else { return .error(RedisErrors.wrongType) }
            guard let v = RedisText.parseInt64(bytes) else { return .error(RedisErrors.notInteger) }
            old = v
        }
        let (sum, overflow) = old.addingReportingOverflow(amount)
        if overflow { return .error(RedisErrors.overflow) }
        if keyspace[key] != nil {
            keyspace[key]!.value = .string(RedisText.decimal(sum)) // keeps the TTL
        } else {
            keyspace[key] = KeyEntry(value: .string(RedisText.decimal(sum)), expiresAt: nil)
        }
        return .integer(sum)
    }

    func pexpire(_ key: String, _ ms: Int64, _ now: Int64) -> RedisReply {
        guard ms <= Int64.max - now else { return .error(RedisErrors.invalidExpire("pexpire")) }
        let at = ms + now
        guard keyspace[key] != nil else { return .integer(0) }
        if at <= now {
            deleteKey(key)
            return .integer(1)
        }
        setExpiry(key, at: at)
        return .integer(1)
    }

    func keysMatching(_ pattern: String) -> RedisReply {
        let p = Array(pattern.utf8)
        let all = p == [UInt8(ascii: "*")]
        var out: [[UInt8]] = []
        for key in keyspace.keys {
            let k = Array(key.utf8)
            if all || RedisGlob.matches(pattern: p, k) { out.append(k) }
        }
        out.sort { $0.lexicographicallyPrecedes($1) }
        return .array(out.map { .bulk($0) })
    }

    // MARK: Hashes

    func hset(_ key: String, _ fields: [FieldValue]) -> RedisReply {
        guard !fields.isEmpty else { return .error(RedisErrors.arity("hset")) }
        guard let h = hashForWrite(key) else { return .error(RedisErrors.wrongType) }
        var created: Int64 = 0
        for f in fields where h.set(f.field, f.value) { created += 1 }
        return .integer(created)
    }

    func hincrBy(_ key: String, _ field: [UInt8], _ amount: Int64) -> RedisReply {
        guard let h = hashForWrite(key) else { return .error(RedisErrors.wrongType) }
        var old: Int64 = 0
        if let bytes = h.get(field) {
            guard let v = RedisText.parseInt64(bytes) else { return .error(RedisErrors.hashNotInteger) }
            old = v
        }
        let (sum, overflow) = old.addingReportingOverflow(amount)
        if overflow { return .error(RedisErrors.overflow) }
        h.set(field, RedisText.decimal(sum))
        return .integer(sum)
    }

    // MARK: Sets

    func sadd(_ key: String, _ members: [[UInt8]]) -> RedisReply {
        guard !members.isEmpty else { return .error(RedisErrors.arity("sadd")) }
        guard let s = setForWrite(key) else { return .error(RedisErrors.wrongType) }
        var added: Int64 = 0
        for m in members where s.members.insert(m).inserted { added += 1 }
        return .integer(added)
    }
}
