extension RedisCommand {
    /// The exact RESP argv for this command, as the live client sends it.
    /// Compound operations become `EVAL <script> <numkeys> keys… args…`.
    public var arguments: [[UInt8]] {
        var a = ArgvBuilder()
        switch self {
        case .ping: a.add("PING")
        case .get(let key): a.add("GET", key)
        case .set(let key, let value, let condition, let expiry):
            a.add("SET", key); a.add(value)
            switch condition {
            case .always: break
            case .ifAbsent: a.add("NX")
            case .ifPresent: a.add("XX")
            }
            switch expiry {
            case .none: break
            case .milliseconds(let ms): a.add("PX", String(ms))
            case .keepTTL: a.add("KEEPTTL")
            }
        case .incrBy(let key, let amount): a.add("INCRBY", key, String(amount))
        case .del(let keys): a.add("DEL"); keys.forEach { a.add($0) }
        case .exists(let keys): a.add("EXISTS"); keys.forEach { a.add($0) }
        case .pexpire(let key, let ms): a.add("PEXPIRE", key, String(ms))
        case .pttl(let key): a.add("PTTL", key)
        case .hset(let key, let fields):
            a.add("HSET", key)
            for f in fields { a.add(f.field); a.add(f.value) }
        case .hget(let key, let field): a.add("HGET", key); a.add(field)
        case .hgetall(let key): a.add("HGETALL", key)
        case .hdel(let key, let fields): a.add("HDEL", key); fields.forEach { a.add($0) }
        case .hlen(let key): a.add("HLEN", key)
        case .hincrBy(let key, let field, let amount): a.add("HINCRBY", key); a.add(field); a.add(String(amount))
        case .sadd(let key, let members): a.add("SADD", key); members.forEach { a.add($0) }
        case .srem(let key, let members): a.add("SREM", key); members.forEach { a.add($0) }
        case .smembers(let key): a.add("SMEMBERS", key)
        case .sismember(let key, let member): a.add("SISMEMBER", key); a.add(member)
        case .scard(let key): a.add("SCARD", key)
        case .xadd(let key, let id, let fields, let trim, let noMakeStream):
            a.add("XADD", key)
            if noMakeStream { a.add("NOMKSTREAM") }
            if let trim { a.addTrim(trim) }
            switch id {
            case .auto: a.add("*")
            case .explicit(let id): a.add(id.description)
            }
            for f in fields { a.add(f.field); a.add(f.value) }
        case .xlen(let key): a.add("XLEN", key)
        case .xrange(let key, let start, let end, let count):
            a.add("XRANGE", key, start.description, end.description)
            if let count { a.add("COUNT", String(count)) }
        case .xdel(let key, let ids): a.add("XDEL", key); ids.forEach { a.add($0.description) }
        case .xtrim(let key, let trim): a.add("XTRIM", key); a.addTrim(trim)
        case .xgroupCreate(let key, let group, let start, let makeStream):
            a.add("XGROUP", "CREATE", key, group)
            switch start {
            case .latest: a.add("$")
            case .id(let id): a.add(id.description)
            }
            if makeStream { a.add("MKSTREAM") }
        case .xgroupDestroy(let key, let group): a.add("XGROUP", "DESTROY", key, group)
        case .xgroupDelConsumer(let key, let group, let consumer): a.add("XGROUP", "DELCONSUMER", key, group, consumer)
        case .xreadgroup(let group, let consumer, let streams, let count, let block, let noAck):
            a.add("XREADGROUP", "GROUP", group, consumer)
            if let count { a.add("COUNT", String(count)) }
            if let block { a.add("BLOCK", String(block)) }
            if noAck { a.add("NOACK") }
            a.add("STREAMS")
            streams.forEach { a.add($0.key) }
            for s in streams {
                switch s.position {
                case .undelivered: a.add(">")
                case .pending(let after): a.add(after.description)
                }
            }
        case .xack(let key, let group, let ids): a.add("XACK", key, group); ids.forEach { a.add($0.description) }
        case .xpendingSummary(let key, let group): a.add("XPENDING", key, group)
        case .xpending(let key, let group, let minIdle, let start, let end, let count, let consumer):
            a.add("XPENDING", key, group)
            if let minIdle { a.add("IDLE", String(minIdle)) }
            a.add(start.description, end.description, String(count))
            if let consumer { a.add(consumer) }
        case .xclaim(let key, let group, let consumer, let minIdle, let ids, let options):
            a.add("XCLAIM", key, group, consumer, String(minIdle))
            ids.forEach { a.add($0.description) }
            if let idle = options.idleMilliseconds { a.add("IDLE", String(idle)) }
            if let retry = options.retryCount { a.add("RETRYCOUNT", String(retry)) }
            if options.force { a.add("FORCE") }
            if options.justID { a.add("JUSTID") }
        case .xautoclaim(let key, let group, let consumer, let minIdle, let start, let count, let justID):
            a.add("XAUTOCLAIM", key, group, consumer, String(minIdle), start.description)
            if let count { a.add("COUNT", String(count)) }
            if justID { a.add("JUSTID") }
        case .xinfoGroups(let key): a.add("XINFO", "GROUPS", key)
        case .publish(let channel, let message): a.add("PUBLISH", channel); a.add(message)
        case .compareAndDelete(let key, let expected):
            a.add("EVAL", RedisScripts.compareAndDelete, "1", key); a.add(expected)
        case .compareAndExtend(let key, let expected, let ms):
            a.add("EVAL", RedisScripts.compareAndExtend, "1", key); a.add(expected); a.add(String(ms))
        case .acquireLease(let key, let epochKey, let owner, let ms):
            a.add("EVAL", RedisScripts.acquireLease, "2", key, epochKey); a.add(owner); a.add(String(ms))
        case .ackAndDelete(let key, let group, let ids):
            a.add("EVAL", RedisScripts.ackAndDelete, "1", key, group); ids.forEach { a.add($0.description) }
        case .fenced(let epochKey, let epoch, let command):
            a.add("EVAL", RedisScripts.fenced, "1", epochKey, String(epoch))
            command.arguments.forEach { a.add($0) }
        case .appendUnlessSealed(let key, let sealKey, let fields):
            a.add("EVAL", RedisScripts.appendUnlessSealed, "2", key, sealKey)
            for f in fields { a.add(f.field); a.add(f.value) }
        case .sealStream(let epochKey, let epoch, let sealKey, let streamKey):
            a.add("EVAL", RedisScripts.sealStream, "3", epochKey, sealKey, streamKey, String(epoch))
        }
        return a.argv
    }

    /// The command name for logs and errors (never the payload).
    public var name: String {
        guard let first = arguments.first else { return "?" }
        if case .fenced(_, _, let inner) = self { return "FENCED(\(inner.name))" }
        if first == Array("EVAL".utf8) { return "\(self)".prefix { $0 != "(" }.description }
        return String(decoding: first, as: UTF8.self)
    }

    /// Whether the command may suspend server-side (BLOCK).
    public var isBlocking: Bool {
        if case .xreadgroup(_, _, _, _, let block, _) = self { return block != nil }
        return false
    }
}

private struct ArgvBuilder {
    var argv: [[UInt8]] = []
    mutating func add(_ parts: String...) { parts.forEach { argv.append(Array($0.utf8)) } }
    mutating func add(_ bytes: [UInt8]) { argv.append(bytes) }
    mutating func addTrim(_ trim: StreamTrim) {
        switch trim {
        case .maxLength(let n, let approx): add("MAXLEN", approx ? "~" : "=", String(n))
        case .minID(let id, let approx): add("MINID", approx ? "~" : "=", id.description)
        }
    }
}
