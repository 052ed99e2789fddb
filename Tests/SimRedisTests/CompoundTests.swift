import RelayRuntime
import Testing
@testable import SimRedis

@Suite("Redis model: compound operations (script semantics)")
struct CompoundTests {
    typealias Scripts = RedisModel.Scripts

    func scriptError(_ message: String, _ script: RedisModel.ScriptSource, line: Int) -> RedisReply {
        .error("\(message) script: \(script.sha), on @user_script:\(line).")
    }

    @Test func scriptNamesAndCallSites() {
        #expect(SHA1.hex([]) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hex(Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hex(Array(String(repeating: "a", count: 1000).utf8)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        // What Redis 7.0.15 printed for this script body.
        #expect(Scripts.compareAndDelete.sha == "7f8f6677b8f2b4b65b9b9905151ced126e6b7e49")
        for (script, site) in Scripts.callSites {
            #expect(script.line(of: site) > 0, "call site \(site) not found in its script")
        }
    }

    @Test func compareAndDelete() {
        let f = Fixture()
        f.run(.set(key: "k", value: bytes("me")))
        #expect(f.run(.compareAndDelete(key: "k", expected: bytes("other"))) == .integer(0))
        #expect(f.run(.compareAndDelete(key: "k", expected: bytes("me"))) == .integer(1))
        #expect(f.run(.exists(keys: ["k"])) == .integer(0))
        #expect(f.run(.compareAndDelete(key: "k", expected: bytes("me"))) == .integer(0))
        f.run(.hset(key: "h", fields: [fv("f", "v")]))
        #expect(f.run(.compareAndDelete(key: "h", expected: bytes("me"))) == scriptError(wrongType.errorText, Scripts.compareAndDelete, line: 1))
    }

    @Test func compareAndExtend() {
        let f = Fixture()
        f.run(.set(key: "k", value: bytes("me"), expiry: .milliseconds(100)))
        #expect(f.run(.compareAndExtend(key: "k", expected: bytes("other"), milliseconds: 5000)) == .integer(0))
        #expect(f.run(.pttl(key: "k")) == .integer(100))
        #expect(f.run(.compareAndExtend(key: "k", expected: bytes("me"), milliseconds: 5000)) == .integer(1))
        #expect(f.run(.pttl(key: "k")) == .integer(5000))
        #expect(f.run(.compareAndExtend(key: "k", expected: bytes("me"), milliseconds: .max))
            == scriptError("ERR invalid expire time in 'pexpire' command", Scripts.compareAndExtend, line: 1))
        // A non-positive TTL deletes the key (PEXPIRE semantics) and answers 1.
        #expect(f.run(.compareAndExtend(key: "k", expected: bytes("me"), milliseconds: -1)) == .integer(1))
        #expect(f.run(.exists(keys: ["k"])) == .integer(0))
    }

    @Test func acquireLease() {
        let f = Fixture()
        let lease = { (owner: String, ms: Int64) in RedisCommand.acquireLease(key: "L", epochKey: "E", owner: bytes(owner), milliseconds: ms) }
        // Free lease: INCR the epoch, take it.
        #expect(f.run(lease("a", 1000)) == .integer(1))
        #expect(f.run(.get(key: "L")) == bulk("a"))
        #expect(f.run(.pttl(key: "L")) == .integer(1000))
        // Held by another owner.
        #expect(f.run(lease("b", 1000)) == .integer(0))
        // Renewal by the owner keeps the epoch.
        f.advance(400)
        #expect(f.run(lease("a", 2000)) == .integer(1))
        #expect(f.run(.pttl(key: "L")) == .integer(2000))
        // Expired: the next owner gets a new epoch.
        f.advance(2001)
        #expect(f.run(lease("b", 1000)) == .integer(2))
        #expect(f.run(.get(key: "E")) == bulk("2"))
        // The owner with the epoch key gone re-creates it.
        f.run(.del(keys: ["E"]))
        #expect(f.run(lease("b", 1000)) == .integer(1))
        // tonumber() of the stored epoch: Lua's reading of odd strings.
        f.run(.set(key: "E", value: bytes(" 7 ")))
        #expect(f.run(lease("b", 1000)) == .integer(7))
        f.run(.set(key: "E", value: bytes("0x10")))
        #expect(f.run(lease("b", 1000)) == .integer(16))
        f.run(.set(key: "E", value: bytes("-2.7")))
        #expect(f.run(lease("b", 1000)) == .integer(-2))
        f.run(.set(key: "E", value: bytes("1e3")))
        #expect(f.run(lease("b", 1000)) == .integer(1000))
        f.run(.set(key: "E", value: bytes("abc")))
        #expect(f.run(lease("b", 1000)) == .null)
        // Errors, with the script's partial effects kept.
        f.run(.del(keys: ["L"]))
        #expect(f.run(lease("c", 1000)) == scriptError("ERR value is not an integer or out of range", Scripts.acquireLease, line: 3))
        #expect(f.run(.exists(keys: ["L"])) == .integer(0))
        f.run(.set(key: "E", value: bytes("5")))
        #expect(f.run(lease("c", 0)) == scriptError("ERR invalid expire time in 'set' command", Scripts.acquireLease, line: 4))
        #expect(f.run(.get(key: "E")) == bulk("6"))
        #expect(f.run(.exists(keys: ["L"])) == .integer(0))
        f.run(.hset(key: "L", fields: [fv("f", "v")]))
        #expect(f.run(lease("c", 1000)) == scriptError(wrongType.errorText, Scripts.acquireLease, line: 1))
        f.run(.set(key: "L", value: bytes("c")))
        f.run(.del(keys: ["E"]))
        f.run(.sadd(key: "E", members: [bytes("x")]))
        #expect(f.run(lease("c", 1000)) == scriptError(wrongType.errorText, Scripts.acquireLease, line: 9))
        // The owner renewing with TTL 0 drops its own lease but still answers the epoch.
        f.run(.set(key: "E", value: bytes("9")))
        #expect(f.run(lease("c", 0)) == .integer(9))
        #expect(f.run(.exists(keys: ["L"])) == .integer(0))
    }

    @Test func ackAndDelete() {
        let f = Fixture()
        for i in 1...3 { f.run(.xaddID("s", UInt64(i), 0, ("f", "v"))) }
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        f.run(.readNew("s", consumer: "c", count: 2))
        #expect(f.run(.ackAndDelete(key: "s", group: "g", ids: [sid(1, 0), sid(3, 0), sid(9, 0)])) == .array([.integer(1), .integer(2)]))
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max)) == .array([entry("2-0", ("f", "v"))]))
        #expect(pendingRows(f.run(.xpending(key: "s", group: "g", start: .zero, end: .max, count: 10))) == ["2-0 c 1"])
        // A missing group acknowledges nothing but still deletes.
        #expect(f.run(.ackAndDelete(key: "s", group: "nogroup", ids: [sid(2, 0)])) == .array([.integer(0), .integer(1)]))
        #expect(f.run(.ackAndDelete(key: "nope", group: "g", ids: [sid(2, 0)])) == .array([.integer(0), .integer(0)]))
        #expect(f.run(.ackAndDelete(key: "s", group: "g", ids: [])) == scriptError("ERR Wrong number of args calling Redis command from script", Scripts.ackAndDelete, line: 1))
        f.run(.set(key: "str", value: bytes("x")))
        #expect(f.run(.ackAndDelete(key: "str", group: "g", ids: [sid(1, 0)])) == scriptError(wrongType.errorText, Scripts.ackAndDelete, line: 1))
    }

    @Test func fenced() {
        let f = Fixture()
        f.run(.set(key: "E", value: bytes("3")))
        #expect(f.run(.fenced(epochKey: "E", epoch: 2, command: .set(key: "a", value: bytes("b")))) == .error("FENCED stale epoch"))
        #expect(f.run(.exists(keys: ["a"])) == .integer(0))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .set(key: "a", value: bytes("b")))) == .ok)
        #expect(f.run(.get(key: "a")) == bulk("b"))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .ping)) == .status("PONG"))
        #expect(f.run(.fenced(epochKey: "missing", epoch: 3, command: .ping)) == .error("FENCED stale epoch"))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .hset(key: "h", fields: [fv("x", "1")]))) == .integer(1))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .hgetall(key: "a"))) == scriptError(wrongType.errorText, Scripts.fenced, line: 14))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .del(keys: [])))
            == scriptError("ERR Wrong number of args calling Redis command from script", Scripts.fenced, line: 14))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .compareAndDelete(key: "a", expected: bytes("b"))))
            == scriptError("ERR This Redis command is not allowed from script", Scripts.fenced, line: 14))
        // Integers travel through Lua numbers (doubles) inside scripts.
        f.run(.set(key: "n", value: bytes("9007199254740992")))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .incrBy(key: "n", amount: 1))) == .integer(9_007_199_254_740_992))
        #expect(f.run(.get(key: "n")) == bulk("9007199254740993"))
        // Replies with nils survive the round trip.
        f.run(.xaddID("s", 1, 0, ("f", "v")))
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .readNew("s", consumer: "c"))) == .array([.array([bulk("s"), .array([entry("1-0", ("f", "v"))])])]))
        f.run(.xdel(key: "s", ids: [sid(1, 0)]))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .readHistory("s", consumer: "c"))) == .array([.array([bulk("s"), .array([.array([bulk("1-0"), .null])])])]))
        #expect(f.run(.fenced(epochKey: "E", epoch: 3, command: .xrange(key: "s", start: .zero, end: .max, count: 0))) == .null)
        f.run(.hset(key: "E2", fields: [fv("f", "v")]))
        #expect(f.run(.fenced(epochKey: "E2", epoch: 3, command: .ping)) == scriptError(wrongType.errorText, Scripts.fenced, line: 1))
    }

    @Test func blockingReadInsideAScriptIsRefused() {
        let f = Fixture()
        f.run(.set(key: "E", value: bytes("1")))
        f.run(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
        #expect(f.run(.fenced(epochKey: "E", epoch: 1, command: .readNew("s", consumer: "c", block: 10)))
            == scriptError("ERR XREADGROUP command is not allowed with BLOCK option from scripts", Scripts.fenced, line: 14))
    }

    @Test func appendUnlessSealedAndSealStream() {
        let f = Fixture()
        let now = UInt64(f.clock.milliseconds)
        let append = RedisCommand.appendUnlessSealed(key: "s", sealKey: "seal", fields: [fv("data", "r1")])
        #expect(f.run(append) == bulk("\(now)-0"))
        #expect(f.run(append) == bulk("\(now)-1"))
        f.run(.set(key: "E", value: bytes("4")))
        let seal = RedisCommand.sealStream(epochKey: "E", epoch: 4, sealKey: "seal", streamKey: "s")
        #expect(f.run(.sealStream(epochKey: "E", epoch: 3, sealKey: "seal", streamKey: "s")) == .error("FENCED stale epoch"))
        #expect(f.run(seal) == bulk("\(now)-1"))
        #expect(f.run(.hgetall(key: "seal")) == .array([bulk("last_id"), bulk("\(now)-1")]))
        // Sealed: appends are refused, re-sealing answers the same id.
        #expect(f.run(append) == .null)
        #expect(f.run(.xlen(key: "s")) == .integer(2))
        f.advance(5)
        #expect(f.run(seal) == bulk("\(now)-1"))
        // An empty or missing stream seals at 0-0.
        #expect(f.run(.sealStream(epochKey: "E", epoch: 4, sealKey: "seal2", streamKey: "none")) == bulk("0-0"))
        #expect(f.run(.appendUnlessSealed(key: "s", sealKey: "x", fields: [])) == scriptError("ERR Wrong number of args calling Redis command from script", Scripts.appendUnlessSealed, line: 2))
        f.run(.set(key: "str", value: bytes("x")))
        #expect(f.run(.appendUnlessSealed(key: "str", sealKey: "x", fields: [fv("a", "b")])) == scriptError(wrongType.errorText, Scripts.appendUnlessSealed, line: 2))
        #expect(f.run(.sealStream(epochKey: "E", epoch: 4, sealKey: "seal3", streamKey: "str")) == scriptError(wrongType.errorText, Scripts.sealStream, line: 4))
        #expect(f.run(.sealStream(epochKey: "E", epoch: 4, sealKey: "str", streamKey: "s")) == scriptError(wrongType.errorText, Scripts.sealStream, line: 2))
    }
}

extension RedisReply {
    var errorText: String {
        if case .error(let m) = self { return m }
        return ""
    }
}
