import RelayRuntime

/// The compound operations, natively, with exactly what their Lua scripts
/// in `RedisScripts` do on Redis 7.0: the same `redis.call` sequence (so
/// partial effects of a failing script stay applied, as Redis does not roll
/// scripts back), replies passed through Lua's types (integers become Lua
/// numbers, i.e. doubles), and a failing call reported the way Redis reports
/// it: `<error> script: <sha1 of the body>, on @user_script:<line>.`
extension RedisModel {
    /// One script body: its SHA-1 and where each call sits.
    struct ScriptSource {
        let body: String
        let sha: String

        init(_ body: String) {
            self.body = body
            sha = SHA1.hex(Array(body.utf8))
        }

        /// 1-based line of the first line containing `snippet` (0 if absent;
        /// a unit test checks every snippet the model uses is present).
        func line(of snippet: String) -> Int {
            var n = 0
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                n += 1
                if line.contains(snippet) { return n }
            }
            return 0
        }
    }

    enum Scripts {
        static let compareAndDelete = ScriptSource(RedisScripts.compareAndDelete)
        static let compareAndExtend = ScriptSource(RedisScripts.compareAndExtend)
        static let acquireLease = ScriptSource(RedisScripts.acquireLease)
        static let ackAndDelete = ScriptSource(RedisScripts.ackAndDelete)
        static let fenced = ScriptSource(RedisScripts.fenced)
        static let appendUnlessSealed = ScriptSource(RedisScripts.appendUnlessSealed)
        static let sealStream = ScriptSource(RedisScripts.sealStream)

        /// Every (script, snippet) pair the model reports errors at.
        static var callSites: [(ScriptSource, String)] {
            [(compareAndDelete, "redis.call('GET', KEYS[1])"), (compareAndDelete, "redis.call('DEL', KEYS[1])"),
             (compareAndExtend, "redis.call('GET', KEYS[1])"), (compareAndExtend, "redis.call('PEXPIRE', KEYS[1], ARGV[2])"),
             (acquireLease, "local cur = redis.call('GET', KEYS[1])"), (acquireLease, "local e = redis.call('INCR', KEYS[2])"),
             (acquireLease, "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])"), (acquireLease, "redis.call('PEXPIRE', KEYS[1], ARGV[2])"),
             (acquireLease, "local e = redis.call('GET', KEYS[2])"), (acquireLease, "then e = redis.call('INCR', KEYS[2])"),
             (ackAndDelete, "redis.call('XACK'"), (ackAndDelete, "redis.call('XDEL'"),
             (fenced, "redis.call('GET', KEYS[1])"), (fenced, "return redis.call(unpack(argv))"),
             (appendUnlessSealed, "redis.call('EXISTS', KEYS[2])"), (appendUnlessSealed, "redis.call('XADD', KEYS[1], '*', unpack(ARGV))"),
             (sealStream, "redis.call('GET', KEYS[1])"), (sealStream, "redis.call('HGET', KEYS[2], 'last_id')"),
             (sealStream, "redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)"), (sealStream, "redis.call('HSET', KEYS[2], 'last_id', id)")]
        }
    }

    /// A failed `redis.call`: the script's error reply.
    struct ScriptAbort: Error {
        let reply: RedisReply
    }

    func runCompound(_ command: RedisCommand, _ x: inout ExecContext) -> RedisReply {
        let outer = x.inScript
        x.inScript = true
        defer { x.inScript = outer }
        do throws(ScriptAbort) {
            switch command {
            case .compareAndDelete(let key, let expected):
                let s = Scripts.compareAndDelete
                let cur = try call(.get(key: key), s, "redis.call('GET', KEYS[1])", &x)
                if case .bulk(let v) = cur, v == expected {
                    return try call(.del(keys: [key]), s, "redis.call('DEL', KEYS[1])", &x)
                }
                return .integer(0)

            case .compareAndExtend(let key, let expected, let ms):
                let s = Scripts.compareAndExtend
                let cur = try call(.get(key: key), s, "redis.call('GET', KEYS[1])", &x)
                if case .bulk(let v) = cur, v == expected {
                    return try call(.pexpire(key: key, milliseconds: ms), s, "redis.call('PEXPIRE', KEYS[1], ARGV[2])", &x)
                }
                return .integer(0)

            case .acquireLease(let key, let epochKey, let owner, let ms):
                let s = Scripts.acquireLease
                let cur = try call(.get(key: key), s, "local cur = redis.call('GET', KEYS[1])", &x)
                if cur == .null {
                    let e = try call(.incrBy(key: epochKey, amount: 1), s, "local e = redis.call('INCR', KEYS[2])", &x)
                    _ = try call(.set(key: key, value: owner, condition: .always, expiry: .milliseconds(ms)), s,
                                 "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])", &x)
                    return e
                }
                if case .bulk(let v) = cur, v == owner {
                    _ = try call(.pexpire(key: key, milliseconds: ms), s, "redis.call('PEXPIRE', KEYS[1], ARGV[2])", &x)
                    var e = try call(.get(key: epochKey), s, "local e = redis.call('GET', KEYS[2])", &x)
                    if e == .null { e = try call(.incrBy(key: epochKey, amount: 1), s, "then e = redis.call('INCR', KEYS[2])", &x) }
                    // return tonumber(e)
                    switch e {
                    case .integer: return e
                    case .bulk(let bytes): return RedisText.luaToNumber(bytes).map { .integer(RedisText.luaInteger($0)) } ?? .null
                    default: return .null
                    }
                }
                return .integer(0)

            case .ackAndDelete(let key, let group, let ids):
                let s = Scripts.ackAndDelete
                let a = try call(.xack(key: key, group: group, ids: ids), s, "redis.call('XACK'", &x)
                let d = try call(.xdel(key: key, ids: ids), s, "redis.call('XDEL'", &x)
                return .array([a, d])

            case .fenced(let epochKey, let epoch, let inner):
                let s = Scripts.fenced
                let cur = try call(.get(key: epochKey), s, "redis.call('GET', KEYS[1])", &x)
                guard case .bulk(let v) = cur, v == RedisText.decimal(epoch) else { return .error(RedisErrors.fenced) }
                // The script rebuilds exactly `inner`'s argv from KEYS and ARGV
                // (`RedisCommand.encoded` places every key), so it runs `inner`.
                return try call(inner, s, "return redis.call(unpack(argv))", &x)

            case .appendUnlessSealed(let key, let sealKey, let fields):
                let s = Scripts.appendUnlessSealed
                let sealed = try call(.exists(keys: [sealKey]), s, "redis.call('EXISTS', KEYS[2])", &x)
                if sealed == .integer(1) { return .null }
                return try call(.xadd(key: key, id: .auto, fields: fields), s, "redis.call('XADD', KEYS[1], '*', unpack(ARGV))", &x)

            case .sealStream(let epochKey, let epoch, let sealKey, let streamKey):
                let s = Scripts.sealStream
                let cur = try call(.get(key: epochKey), s, "redis.call('GET', KEYS[1])", &x)
                guard case .bulk(let v) = cur, v == RedisText.decimal(epoch) else { return .error(RedisErrors.fenced) }
                let sealed = try call(.hget(key: sealKey, field: Array("last_id".utf8)), s, "redis.call('HGET', KEYS[2], 'last_id')", &x)
                if case .bulk = sealed { return sealed }
                var id = Array("0-0".utf8)
                switch lookupStream(streamKey) {
                case .wrongType:
                    throw abort(RedisErrors.wrongType, s, "redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)")
                case .missing: break
                case .found(let stream): if let last = stream.entries.lastID { id = RedisText.idBytes(last) }
                }
                _ = try call(.hset(key: sealKey, fields: [FieldValue(Array("last_id".utf8), id)]), s, "redis.call('HSET', KEYS[2], 'last_id', id)", &x)
                return .bulk(id)

            default:
                return .error("ERR unknown compound operation")
            }
        } catch {
            return error.reply
        }
    }

    /// `redis.call(...)` from inside a script: Redis's script-call checks,
    /// then the command; an error reply aborts the script.
    private func call(_ command: RedisCommand, _ script: ScriptSource, _ site: String, _ x: inout ExecContext) throws(ScriptAbort) -> RedisReply {
        if command.isCompound { throw abort(RedisErrors.scriptNotAllowed, script, site) }
        if !Self.satisfiesArity(command) { throw abort(RedisErrors.scriptArity, script, site) }
        let reply = run(command, &x)
        if case .error(let message) = reply { throw abort(message, script, site) }
        return Self.throughLua(reply)
    }

    private func abort(_ message: String, _ script: ScriptSource, _ site: String) -> ScriptAbort {
        ScriptAbort(reply: .error("\(message) script: \(script.sha), on @user_script:\(script.line(of: site))."))
    }

    /// A reply converted to Lua and back: integers travel as doubles.
    static func throughLua(_ reply: RedisReply) -> RedisReply {
        switch reply {
        case .integer(let i): return .integer(RedisText.luaRoundTrip(i))
        case .array(let items): return .array(items.map(throughLua))
        default: return reply
        }
    }

    /// Redis's command-table arity check (what `redis.call` reports as
    /// "Wrong number of args"). Commands with a fixed argv always pass.
    static func satisfiesArity(_ command: RedisCommand) -> Bool {
        switch command {
        case .del(let keys), .exists(let keys): return !keys.isEmpty
        case .hset(_, let fields): return !fields.isEmpty
        case .hdel(_, let fields): return !fields.isEmpty
        case .sadd(_, let members), .srem(_, let members): return !members.isEmpty
        case .xadd(_, _, let fields, let trim, let noMakeStream):
            return 2 + (noMakeStream ? 1 : 0) + (trim == nil ? 0 : 3) + 1 + 2 * fields.count >= 5
        case .xdel(_, let ids): return !ids.isEmpty
        case .xack(_, _, let ids): return !ids.isEmpty
        case .xclaim(_, _, _, _, let ids, let o):
            return 5 + ids.count + (o.idleMilliseconds == nil ? 0 : 2) + (o.retryCount == nil ? 0 : 2) + (o.force ? 1 : 0) + (o.justID ? 1 : 0) >= 6
        case .xreadgroup(_, _, let streams, let count, let block, let noAck):
            return 4 + (count == nil ? 0 : 2) + (block == nil ? 0 : 2) + (noAck ? 1 : 0) + 1 + 2 * streams.count >= 7
        default: return true
        }
    }
}

extension RedisCommand {
    /// Whether the command is one of the script-backed compound operations.
    var isCompound: Bool {
        switch self {
        case .compareAndDelete, .compareAndExtend, .acquireLease, .ackAndDelete, .fenced, .appendUnlessSealed, .sealStream: return true
        default: return false
        }
    }
}
