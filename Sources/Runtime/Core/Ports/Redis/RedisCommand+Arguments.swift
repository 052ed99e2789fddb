/// A command's RESP argv, with where its keys sit in it.
public struct RedisArguments: Sendable, Hashable {
    public var argv: [[UInt8]]
    /// Indices into `argv` of the command's keys, ascending; the strings
    /// there are `RedisCommand.keys`, in the same order.
    public var keyIndices: [Int]
}

extension RedisCommand {
    /// The exact RESP argv for this command, as the live client sends it.
    /// Compound operations become `EVAL <script> <numkeys> keys… args…`.
    public var arguments: [[UInt8]] { encoded.argv }

    /// `arguments` and the positions of the keys in it. Built in one pass
    /// that marks each key as it is appended, so positions cannot drift from
    /// the argv; `fenced` uses the inner command's positions to pass its keys
    /// in `KEYS[]` (see `RedisScripts.fenced`).
    public var encoded: RedisArguments {
        var a = ArgvBuilder()
        switch self {
        case .ping: a.add("PING")
        case .get(let key): a.add("GET"); a.key(key)
        case .set(let key, let value, let condition, let expiry):
            a.add("SET"); a.key(key); a.add(value)
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
        case .incrBy(let key, let amount): a.add("INCRBY"); a.key(key); a.add(String(amount))
        case .del(let keys): a.add("DEL"); keys.forEach { a.key($0) }
        case .exists(let keys): a.add("EXISTS"); keys.forEach { a.key($0) }
        case .pexpire(let key, let ms): a.add("PEXPIRE"); a.key(key); a.add(String(ms))
        case .pttl(let key): a.add("PTTL"); a.key(key)
        case .hset(let key, let fields):
            a.add("HSET"); a.key(key)
            for f in fields { a.add(f.field); a.add(f.value) }
        case .hget(let key, let field): a.add("HGET"); a.key(key); a.add(field)
        case .hgetall(let key): a.add("HGETALL"); a.key(key)
        case .hdel(let key, let fields): a.add("HDEL"); a.key(key); fields.forEach { a.add($0) }
        case .hlen(let key): a.add("HLEN"); a.key(key)
        case .hincrBy(let key, let field, let amount): a.add("HINCRBY"); a.key(key); a.add(field); a.add(String(amount))
        case .sadd(let key, let members): a.add("SADD"); a.key(key); members.forEach { a.add($0) }
        case .srem(let key, let members): a.add("SREM"); a.key(key); members.forEach { a.add($0) }
        case .smembers(let key): a.add("SMEMBERS"); a.key(key)
        case .sismember(let key, let member): a.add("SISMEMBER"); a.key(key); a.add(member)
        case .scard(let key): a.add("SCARD"); a.key(key)
        case .xadd(let key, let id, let fields, let trim, let noMakeStream):
            a.add("XADD"); a.key(key)
            if noMakeStream { a.add("NOMKSTREAM") }
            if let trim { a.addTrim(trim) }
            switch id {
            case .auto: a.add("*")
            case .explicit(let id): a.add(id.description)
            }
            for f in fields { a.add(f.field); a.add(f.value) }
        case .xlen(let key): a.add("XLEN"); a.key(key)
        case .xrange(let key, let start, let end, let count):
            a.add("XRANGE"); a.key(key); a.add(start.description, end.description)
            if let count { a.add("COUNT", String(count)) }
        case .xdel(let key, let ids): a.add("XDEL"); a.key(key); ids.forEach { a.add($0.description) }
        case .xtrim(let key, let trim): a.add("XTRIM"); a.key(key); a.addTrim(trim)
        case .xgroupCreate(let key, let group, let start, let makeStream):
            a.add("XGROUP", "CREATE"); a.key(key); a.add(group)
            switch start {
            case .latest: a.add("$")
            case .id(let id): a.add(id.description)
            }
            if makeStream { a.add("MKSTREAM") }
        case .xgroupDestroy(let key, let group): a.add("XGROUP", "DESTROY"); a.key(key); a.add(group)
        case .xgroupDelConsumer(let key, let group, let consumer): a.add("XGROUP", "DELCONSUMER"); a.key(key); a.add(group, consumer)
        case .xreadgroup(let group, let consumer, let streams, let count, let block, let noAck):
            a.add("XREADGROUP", "GROUP", group, consumer)
            if let count { a.add("COUNT", String(count)) }
            if let block { a.add("BLOCK", String(block)) }
            if noAck { a.add("NOACK") }
            a.add("STREAMS")
            streams.forEach { a.key($0.key) }
            for s in streams {
                switch s.position {
                case .undelivered: a.add(">")
                case .pending(let after): a.add(after.description)
                }
            }
        case .xack(let key, let group, let ids): a.add("XACK"); a.key(key); a.add(group); ids.forEach { a.add($0.description) }
        case .xpendingSummary(let key, let group): a.add("XPENDING"); a.key(key); a.add(group)
        case .xpending(let key, let group, let minIdle, let start, let end, let count, let consumer):
            a.add("XPENDING"); a.key(key); a.add(group)
            if let minIdle { a.add("IDLE", String(minIdle)) }
            a.add(start.description, end.description, String(count))
            if let consumer { a.add(consumer) }
        case .xclaim(let key, let group, let consumer, let minIdle, let ids, let options):
            a.add("XCLAIM"); a.key(key); a.add(group, consumer, String(minIdle))
            ids.forEach { a.add($0.description) }
            if let idle = options.idleMilliseconds { a.add("IDLE", String(idle)) }
            if let retry = options.retryCount { a.add("RETRYCOUNT", String(retry)) }
            if options.force { a.add("FORCE") }
            if options.justID { a.add("JUSTID") }
        case .xautoclaim(let key, let group, let consumer, let minIdle, let start, let count, let justID):
            a.add("XAUTOCLAIM"); a.key(key); a.add(group, consumer, String(minIdle), start.description)
            if let count { a.add("COUNT", String(count)) }
            if justID { a.add("JUSTID") }
        case .xinfoGroups(let key): a.add("XINFO", "GROUPS"); a.key(key)
        case .publish(let channel, let message): a.add("PUBLISH", channel); a.add(message)
        case .compareAndDelete(let key, let expected):
            a.add("EVAL", RedisScripts.compareAndDelete, "1"); a.key(key); a.add(expected)
        case .compareAndExtend(let key, let expected, let ms):
            a.add("EVAL", RedisScripts.compareAndExtend, "1"); a.key(key); a.add(expected); a.add(String(ms))
        case .acquireLease(let key, let epochKey, let owner, let ms):
            a.add("EVAL", RedisScripts.acquireLease, "2"); a.key(key); a.key(epochKey); a.add(owner); a.add(String(ms))
        case .ackAndDelete(let key, let group, let ids):
            a.add("EVAL", RedisScripts.ackAndDelete, "1"); a.key(key); a.add(group); ids.forEach { a.add($0.description) }
        case .fenced(let epochKey, let epoch, let command):
            // KEYS = [epochKey, inner keys…]; ARGV = [epoch, 1-based position of
            // each inner key in the inner argv…, the inner argv without its keys…].
            let inner = command.encoded
            a.add("EVAL", RedisScripts.fenced, String(1 + inner.keyIndices.count))
            a.key(epochKey)
            inner.keyIndices.forEach { a.key(inner.argv[$0]) }
            a.add(String(epoch))
            inner.keyIndices.forEach { a.add(String($0 + 1)) }
            var keyIndex = inner.keyIndices.makeIterator()
            var nextKey = keyIndex.next()
            for (i, arg) in inner.argv.enumerated() {
                if i == nextKey { nextKey = keyIndex.next() } else { a.add(arg) }
            }
        case .appendUnlessSealed(let key, let sealKey, let fields):
            a.add("EVAL", RedisScripts.appendUnlessSealed, "2"); a.key(key); a.key(sealKey)
            for f in fields { a.add(f.field); a.add(f.value) }
        case .sealStream(let epochKey, let epoch, let sealKey, let streamKey):
            a.add("EVAL", RedisScripts.sealStream, "3"); a.key(epochKey); a.key(sealKey); a.key(streamKey); a.add(String(epoch))
        }
        return RedisArguments(argv: a.argv, keyIndices: a.keyIndices)
    }

    /// The command name for logs and errors (never the payload).
    public var name: String {
        switch self {
        case .fenced(_, _, let inner): return "FENCED(\(inner.name))"
        case .compareAndDelete, .compareAndExtend, .acquireLease, .ackAndDelete, .appendUnlessSealed, .sealStream:
            return "\(self)".prefix { $0 != "(" }.description
        default:
            guard let first = arguments.first else { return "?" }
            return String(decoding: first, as: UTF8.self)
        }
    }

    /// Whether the command may suspend server-side (BLOCK).
    public var isBlocking: Bool {
        if case .xreadgroup(_, _, _, _, let block, _) = self { return block != nil }
        return false
    }
}

/// Appends argv words, remembering which of them are keys.
struct ArgvBuilder {
    var argv: [[UInt8]] = []
    var keyIndices: [Int] = []
    mutating func add(_ parts: String...) { parts.forEach { argv.append(Array($0.utf8)) } }
    mutating func add(_ bytes: [UInt8]) { argv.append(bytes) }
    mutating func key(_ name: String) { key(Array(name.utf8)) }
    mutating func key(_ bytes: [UInt8]) {
        keyIndices.append(argv.count)
        argv.append(bytes)
    }
    mutating func addTrim(_ trim: StreamTrim) {
        switch trim {
        case .maxLength(let n, let approx): add("MAXLEN", approx ? "~" : "=", String(n))
        case .minID(let id, let approx): add("MINID", approx ? "~" : "=", id.description)
        }
    }
}
