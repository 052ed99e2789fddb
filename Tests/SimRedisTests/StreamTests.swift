import RelayRuntime
import Testing
@testable import SimRedis

@Suite("Redis model: streams")
struct StreamTests {
    @Test func xaddIDsAndErrors() {
        let f = Fixture()
        #expect(f.run(.xaddID("s", 0, 0, ("f", "v"))) == .error("ERR The ID specified in XADD must be greater than 0-0"))
        #expect(f.run(.exists(keys: ["s"])) == .integer(0))
        #expect(f.run(.xaddID("s", 5, 1, ("f", "v"))) == bulk("5-1"))
        #expect(f.run(.xaddID("s", 5, 1, ("f", "v"))) == .error("ERR The ID specified in XADD is equal or smaller than the target stream top item"))
        #expect(f.run(.xaddID("s", 4, 9, ("f", "v"))) == .error("ERR The ID specified in XADD is equal or smaller than the target stream top item"))
        #expect(f.run(.xadd(key: "s", fields: [])) == .error("ERR wrong number of arguments for 'xadd' command"))
        #expect(f.run(.xadd(key: "s", fields: [fv("f", "v")], trim: .maxLength(-1, approximate: false))) == .error("ERR The MAXLEN argument must be >= 0."))
        // Auto ids: the clock's milliseconds, or last+1 when the clock is not ahead.
        let now = UInt64(f.clock.milliseconds)
        #expect(f.run(.xadd(key: "a", fields: [fv("f", "v")])) == bulk("\(now)-0"))
        #expect(f.run(.xadd(key: "a", fields: [fv("f", "v")])) == bulk("\(now)-1"))
        f.advance(3)
        #expect(f.run(.xadd(key: "a", fields: [fv("f", "v")])) == bulk("\(now + 3)-0"))
        f.run(.xaddID("future", now + 1000, 7, ("f", "v")))
        #expect(f.run(.xadd(key: "future", fields: [fv("f", "v")])) == bulk("\(now + 1000)-8"))
        // NOMKSTREAM.
        #expect(f.run(.xadd(key: "none", fields: [fv("f", "v")], noMakeStream: true)) == .null)
        #expect(f.run(.exists(keys: ["none"])) == .integer(0))
        #expect(f.run(.xadd(key: "s", id: .explicit(sid(6, 0)), fields: [fv("f", "v")], noMakeStream: true)) == bulk("6-0"))
        // The last possible id.
        #expect(f.run(.xadd(key: "s", id: .explicit(.max), fields: [fv("f", "v")])) == bulk("18446744073709551615-18446744073709551615"))
        #expect(f.run(.xadd(key: "s", fields: [fv("f", "v")])) == .error("ERR The stream has exhausted the last possible ID, unable to add more items"))
        f.run(.set(key: "str", value: bytes("x")))
        #expect(f.run(.xaddID("str", 1, 1, ("f", "v"))) == wrongType)
        #expect(f.run(.xlen(key: "str")) == wrongType)
        #expect(f.run(.xrange(key: "str", start: .zero, end: .max)) == wrongType)
    }

    @Test func emptyStreams() {
        let f = Fixture()
        // MAXLEN 0 leaves an empty stream that still exists and remembers its last id.
        #expect(f.run(.xaddID("s", 7, 0, ("f", "v"), trim: .maxLength(0, approximate: false))) == bulk("7-0"))
        #expect(f.run(.xlen(key: "s")) == .integer(0))
        #expect(f.run(.exists(keys: ["s"])) == .integer(1))
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max)) == .array([]))
        #expect(f.run(.xaddID("s", 7, 0, ("f", "v"))) == .error("ERR The ID specified in XADD is equal or smaller than the target stream top item"))
        #expect(f.run(.xlen(key: "nope")) == .integer(0))
        #expect(f.run(.xrange(key: "nope", start: .zero, end: .max)) == .array([]))
        #expect(f.run(.xdel(key: "nope", ids: [sid(1, 1)])) == .integer(0))
        #expect(f.run(.xtrim(key: "nope", trim: .maxLength(0, approximate: false))) == .integer(0))
        // A group on an empty stream: $ is the last id, reads find nothing.
        #expect(f.run(.xgroupCreate(key: "e", group: "g", start: .latest, makeStream: true)) == .ok)
        #expect(f.run(.xlen(key: "e")) == .integer(0))
        #expect(f.run(.readNew("e", consumer: "c")) == .null)
        #expect(f.run(.readHistory("e", consumer: "c")) == .array([.array([bulk("e"), .array([])])]))
        #expect(f.run(.xpendingSummary(key: "e", group: "g")) == .array([.integer(0), .null, .null, .null]))
        #expect(f.run(.xautoclaim(key: "e", group: "g", consumer: "c", minIdleMilliseconds: 0, start: .zero))
            == .array([bulk("0-0"), .array([]), .array([])]))
        #expect(f.run(.xinfoGroups(key: "e")) == .array([.array([
            bulk("name"), bulk("g"), bulk("consumers"), .integer(1), bulk("pending"), .integer(0),
            bulk("last-delivered-id"), bulk("0-0"), bulk("entries-read"), .null, bulk("lag"), .integer(0),
        ])]))
    }

    @Test func xrangeCountAndBounds() {
        let f = Fixture()
        for i in 1...5 { f.run(.xaddID("s", UInt64(i), 0, ("n", "\(i)"))) }
        #expect(f.run(.xrange(key: "s", start: sid(2, 0), end: sid(4, 0))) == .array([entry("2-0", ("n", "2")), entry("3-0", ("n", "3")), entry("4-0", ("n", "4"))]))
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max, count: 2)) == .array([entry("1-0", ("n", "1")), entry("2-0", ("n", "2"))]))
        // COUNT 0 (and negative) is a null reply, but only for an existing stream.
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max, count: 0)) == .null)
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max, count: -3)) == .null)
        #expect(f.run(.xrange(key: "nope", start: .zero, end: .max, count: 0)) == .array([]))
        #expect(f.run(.xrange(key: "s", start: sid(4, 0), end: sid(2, 0))) == .array([]))
        #expect(f.run(.xdel(key: "s", ids: [sid(2, 0), sid(2, 0), sid(9, 9)])) == .integer(1))
        #expect(f.run(.xdel(key: "s", ids: [])) == .error("ERR wrong number of arguments for 'xdel' command"))
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max, count: 2)) == .array([entry("1-0", ("n", "1")), entry("3-0", ("n", "3"))]))
        #expect(f.run(.xlen(key: "s")) == .integer(4))
    }

    /// Exact trimming, and `~` trimming by whole listpack nodes; the expected
    /// numbers are what Redis 7.0.15 answered for the same commands.
    @Test func trimmingExactAndApproximate() {
        let f = Fixture()
        for i in 1...250 { f.run(.xaddID("s", UInt64(i), 1, ("f", "v"))) }
        #expect(f.model.streamSnapshot("s")?.nodeCount == 3)
        #expect(f.run(.xtrim(key: "s", trim: .maxLength(120, approximate: true))) == .integer(100))
        #expect(f.run(.xlen(key: "s")) == .integer(150))
        #expect(f.run(.xtrim(key: "s", trim: .maxLength(120, approximate: true))) == .integer(0))
        #expect(f.run(.xaddID("s", 251, 1, ("f", "v"), trim: .maxLength(10, approximate: true))) == bulk("251-1"))
        #expect(f.run(.xlen(key: "s")) == .integer(51))

        // 200-byte values: the 4096-byte node limit cuts nodes first.
        let big = String(repeating: "x", count: 200)
        for i in 1...60 { f.run(.xaddID("b", UInt64(i), 1, ("f", big))) }
        #expect(f.run(.xtrim(key: "b", trim: .maxLength(10, approximate: true))) == .integer(38))
        #expect(f.run(.xlen(key: "b")) == .integer(22))
        #expect(f.run(.xtrim(key: "b", trim: .minID(sid(50, 0), approximate: true))) == .integer(0))
        #expect(f.run(.xlen(key: "b")) == .integer(22))

        // Exact MINID / MAXLEN with tombstones in the node.
        for i in 1...30 { f.run(.xaddID("e", UInt64(i), 1, ("f", "12345"))) }
        #expect(f.run(.xdel(key: "e", ids: [sid(1, 1), sid(2, 1)])) == .integer(2))
        #expect(f.run(.xtrim(key: "e", trim: .minID(sid(5, 0), approximate: false))) == .integer(2))
        #expect(f.run(.xlen(key: "e")) == .integer(26))
        #expect(f.run(.xtrim(key: "e", trim: .maxLength(3, approximate: false))) == .integer(23))
        #expect(f.run(.xrange(key: "e", start: .zero, end: .max)) == .array([entry("28-1", ("f", "12345")), entry("29-1", ("f", "12345")), entry("30-1", ("f", "12345"))]))
        #expect(f.run(.xtrim(key: "e", trim: .maxLength(-1, approximate: false))) == .error("ERR The MAXLEN argument must be >= 0."))
    }

    /// Regression (found by the differential test): an exact trim removing
    /// most of one node compacts the entry table half-way; it must go on.
    @Test func exactTrimThroughATableCompaction() {
        let f = Fixture()
        for i in 1...100 { f.run(.xaddID("s", UInt64(i), 0, ("f", "v"))) }
        #expect(f.model.streamSnapshot("s")?.nodeCount == 1)
        #expect(f.run(.xtrim(key: "s", trim: .maxLength(10, approximate: false))) == .integer(90))
        #expect(f.run(.xlen(key: "s")) == .integer(10))
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max, count: 1)) == .array([entry("91-0", ("f", "v"))]))
        for i in 101...200 { f.run(.xaddID("s", UInt64(i), 0, ("f", "v"))) }
        #expect(f.run(.xtrim(key: "s", trim: .minID(sid(195, 0), approximate: false))) == .integer(104))
        #expect(f.run(.xlen(key: "s")) == .integer(6))
    }

    @Test func groupCreateDestroyDelConsumer() {
        let f = Fixture()
        let needsKey = RedisReply.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
        #expect(f.run(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: false)) == needsKey)
        #expect(f.run(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true)) == .ok)
        #expect(f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: true)) == .error("BUSYGROUP Consumer Group name already exists"))
        f.run(.set(key: "str", value: bytes("x")))
        #expect(f.run(.xgroupCreate(key: "str", group: "g", start: .latest, makeStream: true)) == wrongType)
        #expect(f.run(.xgroupDestroy(key: "nope", group: "g")) == needsKey)
        #expect(f.run(.xgroupDestroy(key: "s", group: "other")) == .integer(0))
        #expect(f.run(.xgroupDelConsumer(key: "s", group: "other", consumer: "c")) == .error("NOGROUP No such consumer group 'other' for key name 's'"))
        #expect(f.run(.xgroupDelConsumer(key: "nope", group: "g", consumer: "c")) == needsKey)
        #expect(f.run(.xgroupDelConsumer(key: "str", group: "g", consumer: "c")) == wrongType)
        f.run(.xaddID("s", 1, 0, ("f", "v")))
        f.run(.xaddID("s", 2, 0, ("f", "v")))
        // The group was created at $ of the empty stream (0-0): both entries are new.
        #expect(f.run(.readNew("s", consumer: "c")) == .array([.array([bulk("s"), .array([entry("1-0", ("f", "v")), entry("2-0", ("f", "v"))])])]))
        #expect(f.run(.xpendingSummary(key: "s", group: "g")) == .array([.integer(2), bulk("1-0"), bulk("2-0"), .array([.array([bulk("c"), bulk("2")])])]))
        // Deleting a consumer drops its pending entries from the group.
        #expect(f.run(.xgroupDelConsumer(key: "s", group: "g", consumer: "c")) == .integer(2))
        #expect(f.run(.xgroupDelConsumer(key: "s", group: "g", consumer: "c")) == .integer(0))
        #expect(f.run(.xpendingSummary(key: "s", group: "g")) == .array([.integer(0), .null, .null, .null]))
        #expect(f.run(.xgroupDestroy(key: "s", group: "g")) == .integer(1))
        #expect(f.run(.xinfoGroups(key: "s")) == .array([]))
    }

    @Test func readGroupDeliveryPendingAndAck() {
        let f = Fixture()
        for i in 1...3 { f.run(.xaddID("s", UInt64(i), 0, ("n", "\(i)"))) }
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        #expect(f.run(.readNew("s", consumer: "a", count: 1)) == .array([.array([bulk("s"), .array([entry("1-0", ("n", "1"))])])]))
        #expect(f.run(.readNew("s", consumer: "b")) == .array([.array([bulk("s"), .array([entry("2-0", ("n", "2")), entry("3-0", ("n", "3"))])])]))
        #expect(f.run(.readNew("s", consumer: "a")) == .null)
        f.advance(50)
        // History: the consumer's own pending entries; each read is a delivery.
        #expect(f.run(.readHistory("s", consumer: "b", after: sid(2, 0))) == .array([.array([bulk("s"), .array([entry("3-0", ("n", "3"))])])]))
        #expect(f.run(.readHistory("s", consumer: "b", count: 1)) == .array([.array([bulk("s"), .array([entry("2-0", ("n", "2"))])])]))
        let ext = RedisCommand.xpending(key: "s", group: "g", start: .zero, end: .max, count: 10)
        #expect(pendingRows(f.run(ext)) == ["1-0 a 1", "2-0 b 2", "3-0 b 2"])
        #expect(idleTimes(f.run(ext)) == [50, 0, 0])
        #expect(pendingRows(f.run(.xpending(key: "s", group: "g", start: sid(2, 0), end: .max, count: 1))) == ["2-0 b 2"])
        #expect(pendingRows(f.run(.xpending(key: "s", group: "g", start: .zero, end: .max, count: 10, consumer: "a"))) == ["1-0 a 1"])
        #expect(f.run(.xpending(key: "s", group: "g", start: .zero, end: .max, count: 10, consumer: "nobody")) == .array([]))
        #expect(pendingRows(f.run(.xpending(key: "s", group: "g", minIdleMilliseconds: 10, start: .zero, end: .max, count: 10))) == ["1-0 a 1"])
        #expect(f.run(.xpending(key: "s", group: "g", start: .zero, end: .max, count: -1)) == .array([]))
        #expect(f.run(.xpendingSummary(key: "s", group: "g"))
            == .array([.integer(3), bulk("1-0"), bulk("3-0"), .array([.array([bulk("a"), bulk("1")]), .array([bulk("b"), bulk("2")])])]))
        #expect(f.run(.xack(key: "s", group: "g", ids: [sid(2, 0), sid(2, 0), sid(9, 0)])) == .integer(1))
        #expect(f.run(.xack(key: "s", group: "nogroup", ids: [sid(1, 0)])) == .integer(0))
        #expect(f.run(.xack(key: "nope", group: "g", ids: [sid(1, 0)])) == .integer(0))
        #expect(f.run(.xack(key: "s", group: "g", ids: [])) == .error("ERR wrong number of arguments for 'xack' command"))
        #expect(pendingRows(f.run(ext)) == ["1-0 a 1", "3-0 b 2"])
        // NOACK delivers without pending entries.
        f.run(.xaddID("s", 4, 0, ("n", "4")))
        #expect(f.run(.readNew("s", consumer: "a", noAck: true)) == .array([.array([bulk("s"), .array([entry("4-0", ("n", "4"))])])]))
        #expect(pendingRows(f.run(ext)) == ["1-0 a 1", "3-0 b 2"])
        // Deleted entries come back as [id, nil] in the history, without a delivery.
        f.run(.xdel(key: "s", ids: [sid(3, 0)]))
        #expect(f.run(.readHistory("s", consumer: "b")) == .array([.array([bulk("s"), .array([.array([bulk("3-0"), .null])])])]))
        #expect(pendingRows(f.run(ext)) == ["1-0 a 1", "3-0 b 2"])
        // Errors.
        #expect(f.run(.readNew("s", group: "x", consumer: "a")) == .error("NOGROUP No such key 's' or consumer group 'x' in XREADGROUP with GROUP option"))
        #expect(f.run(.readNew("s", consumer: "a", block: -1)) == .error("ERR timeout is negative"))
        #expect(f.run(.xreadgroup(group: "g", consumer: "a", streams: [])) == .error("ERR wrong number of arguments for 'xreadgroup' command"))
        #expect(f.run(.xreadgroup(group: "g", consumer: "a", streams: [], count: 1)) == .error("ERR syntax error"))
        #expect(f.run(.xpendingSummary(key: "s", group: "x")) == .error("NOGROUP No such key 's' or consumer group 'x'"))
        f.run(.set(key: "str", value: bytes("x")))
        #expect(f.run(.readNew("str", consumer: "a")) == wrongType)
        #expect(f.run(.xack(key: "str", group: "g", ids: [sid(1, 0)])) == wrongType)
        #expect(f.run(.xpendingSummary(key: "str", group: "g")) == wrongType)
        // The maximum id as a history cursor means ">".
        f.run(.xaddID("s", 5, 0, ("n", "5")))
        #expect(f.run(.readHistory("s", consumer: "a", after: .max)) == .array([.array([bulk("s"), .array([entry("5-0", ("n", "5"))])])]))
    }

    @Test func readGroupOverSeveralStreams() {
        let f = Fixture()
        f.run(.xaddID("a", 1, 0, ("f", "1")))
        f.run(.xaddID("b", 1, 0, ("f", "2")))
        f.run(.xgroupCreate(key: "a", group: "g", start: .id(.zero), makeStream: false))
        f.run(.xgroupCreate(key: "b", group: "g", start: .latest, makeStream: false))
        let both = RedisCommand.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "a", position: .undelivered), StreamCursor(key: "b", position: .undelivered)])
        // Only streams with something to serve appear.
        #expect(f.run(both) == .array([.array([bulk("a"), .array([entry("1-0", ("f", "1"))])])]))
        #expect(f.run(.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "a", position: .undelivered), StreamCursor(key: "missing", position: .undelivered)]))
            == .error("NOGROUP No such key 'missing' or consumer group 'g' in XREADGROUP with GROUP option"))
    }

    /// Lag and entries-read as Redis 7.0 reports them (checked against 7.0.15).
    @Test func xinfoGroupsLag() {
        let f = Fixture()
        for i in 1...3 { f.run(.xaddID("s", UInt64(i), 1, ("f", "v"))) }
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        f.run(.xgroupCreate(key: "s", group: "g2", start: .latest, makeStream: false))
        func row(_ name: String, consumers: Int64, pending: Int64, last: String, read: RedisReply, lag: RedisReply) -> RedisReply {
            .array([bulk("name"), bulk(name), bulk("consumers"), .integer(consumers), bulk("pending"), .integer(pending),
                    bulk("last-delivered-id"), bulk(last), bulk("entries-read"), read, bulk("lag"), lag])
        }
        #expect(f.run(.xinfoGroups(key: "s")) == .array([row("g", consumers: 0, pending: 0, last: "0-0", read: .null, lag: .integer(3)),
                                                         row("g2", consumers: 0, pending: 0, last: "3-1", read: .null, lag: .integer(0))]))
        f.run(.readNew("s", consumer: "c", count: 1))
        #expect(f.run(.xinfoGroups(key: "s")) == .array([row("g", consumers: 1, pending: 1, last: "1-1", read: .integer(1), lag: .integer(2)),
                                                         row("g2", consumers: 0, pending: 0, last: "3-1", read: .null, lag: .integer(0))]))
        // A tombstone after the group's cursor makes the lag unknown…
        f.run(.xdel(key: "s", ids: [sid(2, 1)]))
        #expect(f.run(.xinfoGroups(key: "s")) == .array([row("g", consumers: 1, pending: 1, last: "1-1", read: .integer(1), lag: .null),
                                                         row("g2", consumers: 0, pending: 0, last: "3-1", read: .null, lag: .integer(0))]))
        // …and reading past it, Redis 7.0's counter does not count the
        // deleted entry: entries-read 2 and lag 1 with nothing left to read
        // (what 7.0.15 answers too).
        f.run(.readNew("s", consumer: "c"))
        #expect(f.run(.xinfoGroups(key: "s")) == .array([row("g", consumers: 1, pending: 2, last: "3-1", read: .integer(2), lag: .integer(1)),
                                                         row("g2", consumers: 0, pending: 0, last: "3-1", read: .null, lag: .integer(0))]))
        #expect(f.run(.xinfoGroups(key: "nope")) == .error("ERR no such key"))
    }

    /// Trimming below a group's last-delivered id: pending entries stay in the
    /// PEL (and surface as [id, nil]), claims drop them.
    @Test func trimmingBelowLastDeliveredID() {
        let f = Fixture()
        for i in 1...5 { f.run(.xaddID("s", UInt64(i), 0, ("n", "\(i)"))) }
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        f.run(.readNew("s", consumer: "c", count: 4))
        #expect(f.run(.xtrim(key: "s", trim: .maxLength(1, approximate: false))) == .integer(4))
        #expect(f.run(.xrange(key: "s", start: .zero, end: .max)) == .array([entry("5-0", ("n", "5"))]))
        #expect(f.run(.xpendingSummary(key: "s", group: "g")) == .array([.integer(4), bulk("1-0"), bulk("4-0"), .array([.array([bulk("c"), bulk("4")])])]))
        #expect(f.run(.readHistory("s", consumer: "c", count: 2)) == .array([.array([bulk("s"), .array([.array([bulk("1-0"), .null]), .array([bulk("2-0"), .null])])])]))
        // The group still continues after its cursor.
        #expect(f.run(.readNew("s", consumer: "c")) == .array([.array([bulk("s"), .array([entry("5-0", ("n", "5"))])])]))
        #expect(f.run(.xinfoGroups(key: "s")) == .array([.array([
            bulk("name"), bulk("g"), bulk("consumers"), .integer(1), bulk("pending"), .integer(5),
            bulk("last-delivered-id"), bulk("5-0"), bulk("entries-read"), .integer(5), bulk("lag"), .integer(0),
        ])]))
        // XAUTOCLAIM reports and drops the deleted ones.
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "d", minIdleMilliseconds: 0, start: .zero, count: 10))
            == .array([bulk("0-0"), .array([entry("5-0", ("n", "5"))]), ids("1-0", "2-0", "3-0", "4-0")]))
        #expect(pendingRows(f.run(.xpending(key: "s", group: "g", start: .zero, end: .max, count: 10))) == ["5-0 d 2"])
    }

    @Test func xclaimSemantics() {
        let f = Fixture()
        for i in 1...4 { f.run(.xaddID("s", UInt64(i), 0, ("n", "\(i)"))) }
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        f.run(.readNew("s", consumer: "a", count: 3))
        f.advance(100)
        let ext = RedisCommand.xpending(key: "s", group: "g", start: .zero, end: .max, count: 10)
        // Too young: nothing claimed, and the consumer is not created.
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 1000, ids: [sid(1, 0)])) == .array([]))
        #expect(f.model.streamSnapshot("s")?.groups.first?.consumers.map(\.name) == ["a"])
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 50, ids: [sid(1, 0), sid(4, 0), sid(9, 9)]))
            == .array([entry("1-0", ("n", "1"))]))
        #expect(pendingRows(f.run(ext)) == ["1-0 b 2", "2-0 a 1", "3-0 a 1"])
        #expect(idleTimes(f.run(ext)) == [0, 100, 100])
        // JUSTID does not count a delivery; RETRYCOUNT sets it; IDLE sets the idle time.
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 0, ids: [sid(2, 0)], options: ClaimOptions(justID: true))) == ids("2-0"))
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 0, ids: [sid(3, 0)],
                              options: ClaimOptions(idleMilliseconds: 5000, retryCount: 7, justID: true))) == ids("3-0"))
        #expect(pendingRows(f.run(ext)) == ["1-0 b 2", "2-0 b 1", "3-0 b 7"])
        #expect(idleTimes(f.run(ext)) == [0, 0, 5000])
        // Negative RETRYCOUNT is ignored; a bogus IDLE (in the future) means now.
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "a", minIdleMilliseconds: 0, ids: [sid(3, 0)],
                              options: ClaimOptions(idleMilliseconds: -50, retryCount: -1))) == .array([entry("3-0", ("n", "3"))]))
        #expect(pendingRows(f.run(ext)) == ["1-0 b 2", "2-0 b 1", "3-0 a 8"])
        #expect(idleTimes(f.run(ext)) == [0, 0, 0])
        // FORCE creates a pending entry for an entry never delivered (count 1, then +1 for the claim).
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "c", minIdleMilliseconds: 999_999, ids: [sid(4, 0)], options: ClaimOptions(force: true)))
            == .array([entry("4-0", ("n", "4"))]))
        #expect(pendingRows(f.run(ext)) == ["1-0 b 2", "2-0 b 1", "3-0 a 8", "4-0 c 2"])
        // Entries deleted from the stream are dropped from the PEL by XCLAIM (7.0), not returned.
        f.run(.xdel(key: "s", ids: [sid(1, 0), sid(2, 0)]))
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "a", minIdleMilliseconds: 999_999, ids: [sid(1, 0), sid(2, 0)])) == .array([]))
        #expect(pendingRows(f.run(ext)) == ["3-0 a 8", "4-0 c 2"])
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "a", minIdleMilliseconds: 0, ids: [])) == .error("ERR wrong number of arguments for 'xclaim' command"))
        #expect(f.run(.xclaim(key: "s", group: "g", consumer: "a", minIdleMilliseconds: 0, ids: [], options: ClaimOptions(force: true))) == .array([]))
        #expect(f.run(.xclaim(key: "s", group: "x", consumer: "a", minIdleMilliseconds: 0, ids: [sid(3, 0)])) == .error("NOGROUP No such key 's' or consumer group 'x'"))
        #expect(f.run(.xclaim(key: "nope", group: "g", consumer: "a", minIdleMilliseconds: 0, ids: [sid(3, 0)])) == .error("NOGROUP No such key 'nope' or consumer group 'g'"))
    }

    @Test func xautoclaimSemantics() {
        let f = Fixture()
        for i in 1...6 { f.run(.xaddID("s", UInt64(i), 0, ("n", "\(i)"))) }
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        f.run(.readNew("s", consumer: "a", count: 3))
        f.advance(100)
        f.run(.readNew("s", consumer: "a"))
        let ext = RedisCommand.xpending(key: "s", group: "g", start: .zero, end: .max, count: 10)
        // Cursor: the next pending id after the last one examined.
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 50, start: .zero, count: 2))
            == .array([bulk("3-0"), .array([entry("1-0", ("n", "1")), entry("2-0", ("n", "2"))]), .array([])]))
        // Young entries are skipped (they cost attempts, not count).
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 50, start: sid(3, 0), count: 2, justID: true))
            == .array([bulk("0-0"), ids("3-0"), .array([])]))
        #expect(pendingRows(f.run(ext)) == ["1-0 b 2", "2-0 b 2", "3-0 b 1", "4-0 a 1", "5-0 a 1", "6-0 a 1"])
        // Deleted entries count against COUNT and are reported.
        f.run(.xdel(key: "s", ids: [sid(4, 0), sid(5, 0)]))
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "c", minIdleMilliseconds: 0, start: sid(4, 0), count: 2))
            == .array([bulk("6-0"), .array([]), ids("4-0", "5-0")]))
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "c", minIdleMilliseconds: 0, start: sid(6, 0)))
            == .array([bulk("0-0"), .array([entry("6-0", ("n", "6"))]), .array([])]))
        #expect(pendingRows(f.run(ext)) == ["1-0 b 2", "2-0 b 2", "3-0 b 1", "6-0 c 2"])
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "c", minIdleMilliseconds: 0, start: .zero, count: 0)) == .error("ERR COUNT must be > 0"))
        #expect(f.run(.xautoclaim(key: "s", group: "x", consumer: "c", minIdleMilliseconds: 0, start: .zero)) == .error("NOGROUP No such key 's' or consumer group 'x'"))
        f.run(.set(key: "str", value: bytes("x")))
        #expect(f.run(.xautoclaim(key: "str", group: "g", consumer: "c", minIdleMilliseconds: 0, start: .zero)) == wrongType)
        // COUNT is checked before the key.
        #expect(f.run(.xautoclaim(key: "str", group: "g", consumer: "c", minIdleMilliseconds: 0, start: .zero, count: -1)) == .error("ERR COUNT must be > 0"))
    }

    /// Delivery counts through a claim hand-over chain, and the attempts limit.
    @Test func deliveryCountsAfterClaims() {
        let f = Fixture()
        for i in 1...25 { f.run(.xaddID("s", UInt64(i), 0, ("n", "\(i)"))) }
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        f.run(.readNew("s", consumer: "a"))
        f.run(.readHistory("s", consumer: "a"))   // 2 deliveries each
        f.run(.xclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 0, ids: [sid(1, 0)]))   // 3
        f.run(.xautoclaim(key: "s", group: "g", consumer: "c", minIdleMilliseconds: 0, start: sid(1, 0), count: 1))  // 4
        f.run(.xclaim(key: "s", group: "g", consumer: "c", minIdleMilliseconds: 0, ids: [sid(1, 0)], options: ClaimOptions(justID: true))) // still 4
        #expect(pendingRows(f.run(.xpending(key: "s", group: "g", start: sid(1, 0), end: sid(2, 0), count: 10))) == ["1-0 c 4", "2-0 a 2"])
        // With COUNT 2 an XAUTOCLAIM examines at most 20 entries.
        f.advance(10)
        f.run(.xclaim(key: "s", group: "g", consumer: "a", minIdleMilliseconds: 0, ids: (1...22).map { sid(UInt64($0), 0) }, options: ClaimOptions(justID: true)))
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "z", minIdleMilliseconds: 5, start: .zero, count: 2))
            == .array([bulk("21-0"), .array([]), .array([])]))
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "z", minIdleMilliseconds: 5, start: sid(21, 0), count: 2, justID: true))
            == .array([bulk("25-0"), ids("23-0", "24-0"), .array([])]))
    }

    @Test func idleFilterUsesTheClock() {
        let f = Fixture()
        f.run(.xaddID("s", 1, 0, ("n", "1")))
        f.run(.xgroupCreate(key: "s", group: "g", start: .id(.zero), makeStream: false))
        f.run(.readNew("s", consumer: "a"))
        f.advance(999)
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 1000, start: .zero)) == .array([bulk("0-0"), .array([]), .array([])]))
        f.advance(1)
        #expect(f.run(.xautoclaim(key: "s", group: "g", consumer: "b", minIdleMilliseconds: 1000, start: .zero, justID: true)) == .array([bulk("0-0"), ids("1-0"), .array([])]))
    }
}
