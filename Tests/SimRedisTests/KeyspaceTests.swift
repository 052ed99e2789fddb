@_spi(Testing) import RelayRuntime
import Testing
@testable import SimRedis

@Suite("Redis model: strings, keys, hashes, sets")
struct KeyspaceTests {
    @Test func getSetConditionsAndTTL() {
        let f = Fixture()
        #expect(f.run(.get(key: "k")) == .null)
        #expect(f.run(.set(key: "k", value: bytes("v"))) == .ok)
        #expect(f.run(.get(key: "k")) == bulk("v"))
        #expect(f.run(.set(key: "k", value: bytes("w"), condition: .ifAbsent)) == .null)
        #expect(f.run(.set(key: "n", value: bytes("w"), condition: .ifPresent)) == .null)
        #expect(f.run(.exists(keys: ["n"])) == .integer(0))
        #expect(f.run(.set(key: "k", value: bytes("w"), condition: .ifPresent, expiry: .milliseconds(1000))) == .ok)
        #expect(f.run(.pttl(key: "k")) == .integer(1000))
        f.advance(400)
        #expect(f.run(.pttl(key: "k")) == .integer(600))
        // KEEPTTL keeps it, a plain SET removes it.
        #expect(f.run(.set(key: "k", value: bytes("x"), expiry: .keepTTL)) == .ok)
        #expect(f.run(.pttl(key: "k")) == .integer(600))
        #expect(f.run(.set(key: "k", value: bytes("y"))) == .ok)
        #expect(f.run(.pttl(key: "k")) == .integer(-1))
        #expect(f.run(.pttl(key: "nope")) == .integer(-2))
        // Binary values with NUL bytes.
        #expect(f.run(.set(key: "b", value: [0, 1, 0, 255])) == .ok)
        #expect(f.run(.get(key: "b")) == .bulk([0, 1, 0, 255]))
    }

    @Test func setExpiryErrors() {
        let f = Fixture()
        let invalid = RedisReply.error("ERR invalid expire time in 'set' command")
        #expect(f.run(.set(key: "k", value: bytes("v"), expiry: .milliseconds(0))) == invalid)
        #expect(f.run(.set(key: "k", value: bytes("v"), expiry: .milliseconds(-5))) == invalid)
        #expect(f.run(.set(key: "k", value: bytes("v"), expiry: .milliseconds(.max))) == invalid)
        #expect(f.run(.exists(keys: ["k"])) == .integer(0))
    }

    @Test func expiryIsExactToTheMillisecond() {
        let f = Fixture()
        f.run(.set(key: "k", value: bytes("v"), expiry: .milliseconds(100)))
        f.advance(100)
        // At the deadline Redis still has the key (expired only when now > expire-at).
        #expect(f.run(.pttl(key: "k")) == .integer(0))
        #expect(f.run(.get(key: "k")) == bulk("v"))
        f.advance(1)
        #expect(f.run(.get(key: "k")) == .null)
        #expect(f.run(.pttl(key: "k")) == .integer(-2))
        #expect(f.model.expiredKeyCount == 1)
    }

    @Test func incrBy() {
        let f = Fixture()
        #expect(f.run(.incrBy(key: "c", amount: 5)) == .integer(5))
        #expect(f.run(.incrBy(key: "c", amount: -7)) == .integer(-2))
        #expect(f.run(.get(key: "c")) == bulk("-2"))
        for bad in ["01", "+1", "-0", "", " 1", "1 ", "1.0", "-", "9223372036854775808", "abc"] {
            f.run(.set(key: "s", value: bytes(bad)))
            #expect(f.run(.incrBy(key: "s", amount: 1)) == .error("ERR value is not an integer or out of range"), "value \(bad)")
        }
        f.run(.set(key: "m", value: bytes("-9223372036854775808")))
        #expect(f.run(.incrBy(key: "m", amount: 1)) == .integer(-9_223_372_036_854_775_807))
        f.run(.set(key: "big", value: bytes("9223372036854775807")))
        #expect(f.run(.incrBy(key: "big", amount: 1)) == .error("ERR increment or decrement would overflow"))
        #expect(f.run(.get(key: "big")) == bulk("9223372036854775807"))
        f.run(.hset(key: "h", fields: [fv("f", "v")]))
        #expect(f.run(.incrBy(key: "h", amount: 1)) == wrongType)
        // INCRBY keeps the TTL.
        f.run(.set(key: "t", value: bytes("1"), expiry: .milliseconds(500)))
        #expect(f.run(.incrBy(key: "t", amount: 1)) == .integer(2))
        #expect(f.run(.pttl(key: "t")) == .integer(500))
    }

    @Test func delExistsCountDuplicates() {
        let f = Fixture()
        f.run(.set(key: "a", value: bytes("1")))
        f.run(.sadd(key: "s", members: [bytes("x")]))
        #expect(f.run(.exists(keys: ["a", "a", "s", "nope"])) == .integer(3))
        #expect(f.run(.del(keys: ["a", "a", "nope"])) == .integer(1))
        #expect(f.run(.del(keys: [])) == .error("ERR wrong number of arguments for 'del' command"))
        #expect(f.run(.exists(keys: [])) == .error("ERR wrong number of arguments for 'exists' command"))
        #expect(f.admin(.dbSize) == .integer(1))
        #expect(f.admin(.flushAll) == .ok)
        #expect(f.admin(.dbSize) == .integer(0))
    }

    @Test func pexpire() {
        let f = Fixture()
        #expect(f.run(.pexpire(key: "nope", milliseconds: 100)) == .integer(0))
        f.run(.set(key: "k", value: bytes("v")))
        #expect(f.run(.pexpire(key: "k", milliseconds: 250)) == .integer(1))
        #expect(f.run(.pttl(key: "k")) == .integer(250))
        #expect(f.run(.pexpire(key: "k", milliseconds: .max)) == .error("ERR invalid expire time in 'pexpire' command"))
        #expect(f.run(.pttl(key: "k")) == .integer(250))
        // Zero or negative deletes at once (and answers 1).
        #expect(f.run(.pexpire(key: "k", milliseconds: 0)) == .integer(1))
        #expect(f.run(.exists(keys: ["k"])) == .integer(0))
        f.run(.set(key: "k", value: bytes("v")))
        #expect(f.run(.pexpire(key: "k", milliseconds: .min)) == .integer(1))
        #expect(f.run(.exists(keys: ["k"])) == .integer(0))
    }

    @Test func keysGlob() {
        let f = Fixture()
        for k in ["ha:relays:{a}", "ha:relays:{b}", "ha:meter:x", "hello", "hallo", "hxllo", "h*llo", "", "a[b"] {
            f.run(.set(key: k, value: bytes("1")))
        }
        func keys(_ p: String) -> [String] {
            guard case .array(let items) = f.admin(.keys(pattern: p)) else { return ["?"] }
            return items.map { if case .bulk(let b) = $0 { return String(decoding: b, as: UTF8.self) } else { return "?" } }
        }
        #expect(keys("*") == ["", "a[b", "h*llo", "ha:meter:x", "ha:relays:{a}", "ha:relays:{b}", "hallo", "hello", "hxllo"])
        #expect(keys("ha:relays:*") == ["ha:relays:{a}", "ha:relays:{b}"])
        #expect(keys("h?llo") == ["h*llo", "hallo", "hello", "hxllo"])
        #expect(keys("h[ae]llo") == ["hallo", "hello"])
        #expect(keys("h[^e]llo") == ["h*llo", "hallo", "hxllo"])
        #expect(keys("h[a-b]llo") == ["hallo"])
        #expect(keys("h[b-a]llo") == ["hallo"])
        #expect(keys("h\\*llo") == ["h*llo"])
        #expect(keys("a[b") == [])
        #expect(keys("a\\[b") == ["a[b"])
        #expect(keys("**") == ["a[b", "h*llo", "ha:meter:x", "ha:relays:{a}", "ha:relays:{b}", "hallo", "hello", "hxllo"])
        #expect(keys("") == [""])
        #expect(keys("nomatch*") == [])
    }

    @Test func hashes() {
        let f = Fixture()
        #expect(f.run(.hset(key: "h", fields: [fv("b", "1"), fv("a", "2"), fv("b", "3")])) == .integer(2))
        #expect(f.run(.hget(key: "h", field: bytes("b"))) == bulk("3"))
        #expect(f.run(.hget(key: "h", field: bytes("z"))) == .null)
        #expect(f.run(.hget(key: "nope", field: bytes("z"))) == .null)
        // Insertion order, updates in place (the listpack order).
        #expect(f.run(.hset(key: "h", fields: [fv("c", "4"), fv("a", "5")])) == .integer(1))
        #expect(f.run(.hgetall(key: "h")) == .array([bulk("b"), bulk("3"), bulk("a"), bulk("5"), bulk("c"), bulk("4")]))
        #expect(f.run(.hdel(key: "h", fields: [bytes("a"), bytes("zz"), bytes("a")])) == .integer(1))
        #expect(f.run(.hgetall(key: "h")) == .array([bulk("b"), bulk("3"), bulk("c"), bulk("4")]))
        #expect(f.run(.hlen(key: "h")) == .integer(2))
        #expect(f.run(.hincrBy(key: "h", field: bytes("b"), amount: 10)) == .integer(13))
        #expect(f.run(.hincrBy(key: "h", field: bytes("new"), amount: -1)) == .integer(-1))
        f.run(.hset(key: "h", fields: [fv("s", "x1")]))
        #expect(f.run(.hincrBy(key: "h", field: bytes("s"), amount: 1)) == .error("ERR hash value is not an integer"))
        f.run(.hset(key: "h", fields: [fv("max", "9223372036854775807")]))
        #expect(f.run(.hincrBy(key: "h", field: bytes("max"), amount: 1)) == .error("ERR increment or decrement would overflow"))
        // Deleting the last field deletes the key.
        #expect(f.run(.hdel(key: "h", fields: [bytes("b"), bytes("c"), bytes("new"), bytes("s"), bytes("max")])) == .integer(5))
        #expect(f.run(.exists(keys: ["h"])) == .integer(0))
        #expect(f.run(.hgetall(key: "h")) == .array([]))
        #expect(f.run(.hlen(key: "h")) == .integer(0))
        #expect(f.run(.hdel(key: "h", fields: [bytes("b")])) == .integer(0))
        #expect(f.run(.hset(key: "h", fields: [])) == .error("ERR wrong number of arguments for 'hset' command"))
        #expect(f.run(.hdel(key: "h", fields: [])) == .error("ERR wrong number of arguments for 'hdel' command"))
        f.run(.set(key: "str", value: bytes("v")))
        #expect(f.run(.hset(key: "str", fields: [fv("a", "b")])) == wrongType)
        #expect(f.run(.hget(key: "str", field: bytes("a"))) == wrongType)
        #expect(f.run(.hgetall(key: "str")) == wrongType)
        #expect(f.run(.hlen(key: "str")) == wrongType)
        #expect(f.run(.hincrBy(key: "str", field: bytes("a"), amount: 1)) == wrongType)
    }

    @Test func sets() {
        let f = Fixture()
        #expect(f.run(.sadd(key: "s", members: [bytes("b"), bytes("a"), bytes("b")])) == .integer(2))
        #expect(f.run(.sadd(key: "s", members: [bytes("a"), bytes("c")])) == .integer(1))
        #expect(f.run(.smembers(key: "s")) == .array([bulk("a"), bulk("b"), bulk("c")]))
        #expect(f.run(.sismember(key: "s", member: bytes("b"))) == .integer(1))
        #expect(f.run(.sismember(key: "s", member: bytes("z"))) == .integer(0))
        #expect(f.run(.scard(key: "s")) == .integer(3))
        #expect(f.run(.srem(key: "s", members: [bytes("a"), bytes("z")])) == .integer(1))
        #expect(f.run(.srem(key: "s", members: [bytes("b"), bytes("c")])) == .integer(2))
        #expect(f.run(.exists(keys: ["s"])) == .integer(0))
        #expect(f.run(.smembers(key: "s")) == .array([]))
        #expect(f.run(.scard(key: "s")) == .integer(0))
        #expect(f.run(.sismember(key: "s", member: bytes("b"))) == .integer(0))
        #expect(f.run(.srem(key: "s", members: [bytes("b")])) == .integer(0))
        #expect(f.run(.sadd(key: "s", members: [])) == .error("ERR wrong number of arguments for 'sadd' command"))
        f.run(.set(key: "str", value: bytes("v")))
        #expect(f.run(.sadd(key: "str", members: [bytes("a")])) == wrongType)
        #expect(f.run(.smembers(key: "str")) == wrongType)
        #expect(f.run(.scard(key: "str")) == wrongType)
        #expect(f.run(.sismember(key: "str", member: bytes("a"))) == wrongType)
        #expect(f.run(.srem(key: "str", members: [bytes("a")])) == wrongType)
    }

    /// No command of any family sees a key after its TTL.
    @Test func expiredKeysAreInvisibleEverywhere() {
        let f = Fixture()
        func load() {
            f.admin(.flushAll)
            f.run(.set(key: "str", value: bytes("5")))
            f.run(.hset(key: "hash", fields: [fv("f", "1")]))
            f.run(.sadd(key: "set", members: [bytes("m")]))
            f.run(.xaddID("stream", 1, 1, ("f", "v")))
            f.run(.xgroupCreate(key: "stream", group: "g", start: .id(.zero), makeStream: false))
            for k in ["str", "hash", "set", "stream"] { f.run(.pexpire(key: k, milliseconds: 10)) }
            f.advance(11)
        }
        load()
        #expect(f.admin(.dbSize) == .integer(0))
        #expect(f.admin(.keys(pattern: "*")) == .array([]))
        #expect(f.run(.exists(keys: ["str", "hash", "set", "stream"])) == .integer(0))
        #expect(f.run(.pttl(key: "str")) == .integer(-2))
        #expect(f.run(.get(key: "str")) == .null)
        #expect(f.run(.pexpire(key: "str", milliseconds: 100)) == .integer(0))
        #expect(f.run(.del(keys: ["str", "hash", "set", "stream"])) == .integer(0))
        #expect(f.run(.hget(key: "hash", field: bytes("f"))) == .null)
        #expect(f.run(.hlen(key: "hash")) == .integer(0))
        #expect(f.run(.smembers(key: "set")) == .array([]))
        #expect(f.run(.scard(key: "set")) == .integer(0))
        #expect(f.run(.xlen(key: "stream")) == .integer(0))
        #expect(f.run(.xrange(key: "stream", start: .zero, end: .max)) == .array([]))
        #expect(f.run(.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "stream", position: .undelivered)]))
            == .error("NOGROUP No such key 'stream' or consumer group 'g' in XREADGROUP with GROUP option"))
        #expect(f.run(.xinfoGroups(key: "stream")) == .error("ERR no such key"))
        #expect(f.run(.xpendingSummary(key: "stream", group: "g")) == .error("NOGROUP No such key 'stream' or consumer group 'g'"))
        #expect(f.run(.xgroupCreate(key: "stream", group: "g", start: .latest, makeStream: false))
            == .error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."))
        // Writes start from scratch, not from the expired value.
        load()
        #expect(f.run(.incrBy(key: "str", amount: 1)) == .integer(1))
        #expect(f.run(.pttl(key: "str")) == .integer(-1))
        #expect(f.run(.hincrBy(key: "hash", field: bytes("f"), amount: 1)) == .integer(1))
        #expect(f.run(.sadd(key: "set", members: [bytes("m")])) == .integer(1))
        #expect(f.run(.set(key: "str", value: bytes("v"), condition: .ifAbsent)) == .null)
        #expect(f.run(.xaddID("stream", 1, 1, ("f", "v"))) == bulk("1-1"))
        #expect(f.run(.compareAndDelete(key: "gone", expected: bytes("x"))) == .integer(0))
        #expect(f.model.expiredKeyCount == 8)
    }
}
