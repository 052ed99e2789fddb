@_spi(Testing) import RelayRuntime
@_spi(Testing) @testable import RelayRuntimeLive
import Testing

/// Every command family of the port against a real redis-server.
@Suite(.enabled(if: RedisTestServer.available, RedisTestServer.skipMessage), .timeLimit(.minutes(1)))
struct LiveCommandTests {
    @Test func stringsAndTTL() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            #expect(try await redis.set("k", bytes("v")) == true)
            #expect(try await redis.get("k") == bytes("v"))
            #expect(try await redis.set("k", bytes("other"), condition: .ifAbsent) == false)
            #expect(try await redis.set("k", bytes("v2"), condition: .ifPresent) == true)
            #expect(try await redis.set("absent", bytes("x"), condition: .ifPresent) == false)
            #expect(try await redis.get("k") == bytes("v2"))
            #expect(try await redis.pttl("k") == -1)
            #expect(try await redis.pttl("missing") == -2)

            try await redis.set("ttl", bytes("t"), expiry: .milliseconds(60_000))
            let ttl = try await redis.pttl("ttl")
            #expect(ttl > 0 && ttl <= 60_000)
            try await redis.set("ttl", bytes("t2"), expiry: .keepTTL)
            #expect(try await redis.pttl("ttl") > 0)
            try await redis.set("ttl", bytes("t3"))
            #expect(try await redis.pttl("ttl") == -1)
            #expect(try await redis.pexpire("ttl", milliseconds: 30_000) == true)
            #expect(try await redis.pexpire("missing", milliseconds: 30_000) == false)
            #expect(try await redis.pttl("ttl") > 0)

            #expect(try await redis.incrBy("n", 5) == 5)
            #expect(try await redis.incrBy("n", -2) == 3)
            #expect(try await redis.exists(["k", "n", "missing"]) == 2)
            #expect(try await redis.keys(matching: "*") == ["k", "n", "ttl"])
            #expect(try await redis.del(["k", "n", "missing"]) == 2)
            #expect(try await redis.get("k") == nil)

            let binary: [UInt8] = [0, 1, 0, 13, 10, 255, 0]
            try await redis.set("bin", binary)
            #expect(try await redis.get("bin") == binary)
            let large = [UInt8]((0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await redis.set("large", large)
            #expect(try await redis.get("large") == large)

            // Error replies are values from `send`, typed errors from the helpers.
            #expect(try await redis.send(.incrBy(key: "bin", amount: 1)) == .error("ERR value is not an integer or out of range"))
            let typed = await redisError { try await redis.incrBy("bin", 1) }
            #expect(typed == .server("ERR value is not an integer or out of range"))
            let wrongType = await redisError { try await redis.hset("bin", [FieldValue("f", bytes("v"))]) }
            #expect(wrongType?.kind == "wrongType")
            #expect(try await redis.dbSize() == 3) // ttl, bin, large
            #expect(try await redis.send(admin: .flushAll) == .ok)
            #expect(try await redis.send(admin: .dbSize) == .integer(0))
        }
    }

    @Test func hashes() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            #expect(try await redis.hset("h", [FieldValue("b", bytes("2")), FieldValue("a", bytes("1"))]) == 2)
            #expect(try await redis.hset("h", [FieldValue("a", bytes("one"))]) == 0)
            #expect(try await redis.hget("h", bytes("a")) == bytes("one"))
            #expect(try await redis.hget("h", bytes("zz")) == nil)
            #expect(try await redis.hgetAll("h") == [FieldValue("a", bytes("one")), FieldValue("b", bytes("2"))])
            #expect(try await redis.hincrBy("h", bytes("b"), 40) == 42)
            #expect(try await redis.hlen("h") == 2)
            #expect(try await redis.hdel("h", [bytes("a"), bytes("zz")]) == 1)
            #expect(try await redis.hgetAll("h") == [FieldValue("b", bytes("42"))])
            #expect(try await redis.hgetAll("missing") == [])
        }
    }

    @Test func sets() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            #expect(try await redis.sadd("s", [bytes("m2"), bytes("m1"), bytes("m2")]) == 2)
            #expect(try await redis.smembers("s") == [bytes("m1"), bytes("m2")])
            #expect(try await redis.sismember("s", bytes("m1")) == true)
            #expect(try await redis.sismember("s", bytes("zz")) == false)
            #expect(try await redis.scard("s") == 2)
            #expect(try await redis.srem("s", [bytes("m1"), bytes("zz")]) == 1)
            #expect(try await redis.smembers("s") == [bytes("m2")])
        }
    }

    @Test func streamsAndConsumerGroups() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            let id1 = StreamID(milliseconds: 1, sequence: 1), id2 = StreamID(milliseconds: 1, sequence: 2), id3 = StreamID(milliseconds: 2, sequence: 0)
            for id in [id1, id2, id3] {
                #expect(try await redis.xadd("st", id: .explicit(id), fields: [FieldValue("data", bytes(id.description))]) == id)
            }
            #expect(try await redis.xadd("nostream", fields: [FieldValue("f", bytes("v"))], noMakeStream: true) == nil)
            let auto = try #require(try await redis.xadd("auto", fields: [FieldValue("f", bytes("v"))]))
            #expect(auto.milliseconds > 0)
            #expect(try await redis.xlen("st") == 3)
            #expect(try await redis.xrange("st").map(\.id) == [id1, id2, id3])
            #expect(try await redis.xrange("st", from: id2, count: 1) == [StreamEntry(id: id2, fields: [FieldValue("data", bytes("1-2"))])])

            #expect(try await redis.xgroupCreate("st", group: "g", start: .id(.zero)) == true)
            #expect(try await redis.xgroupCreate("st", group: "g", start: .id(.zero)) == false)
            let noGroup = await redisError {
                try await redis.xreadgroup(group: "nope", consumer: "c", streams: [StreamCursor(key: "st", position: .undelivered)])
            }
            #expect(noGroup?.kind == "noGroup")

            let read = try await redis.xreadgroup(group: "g", consumer: "c1", streams: [StreamCursor(key: "st", position: .undelivered)], count: 2)
            #expect(read == [StreamRead(key: "st", entries: [
                StreamEntry(id: id1, fields: [FieldValue("data", bytes("1-1"))]),
                StreamEntry(id: id2, fields: [FieldValue("data", bytes("1-2"))]),
            ])])
            let summary = try await redis.xpendingSummary("st", group: "g")
            #expect(summary == PendingSummary(count: 2, smallestID: id1, greatestID: id2, consumers: [ConsumerPending(consumer: "c1", count: 2)]))
            #expect(try await redis.xack("st", group: "g", ids: [id1]) == 1)
            let pending = try await redis.xpending("st", group: "g", count: 10)
            #expect(pending.map(\.id) == [id2])
            #expect(pending.first?.consumer == "c1")
            #expect(pending.first?.deliveries == 1)

            let claimed = try await redis.xclaim("st", group: "g", consumer: "c2", minIdleMilliseconds: 0, ids: [id2])
            #expect(claimed == [StreamEntry(id: id2, fields: [FieldValue("data", bytes("1-2"))])])
            let justID = try await redis.xclaim("st", group: "g", consumer: "c3", minIdleMilliseconds: 0, ids: [id2], options: ClaimOptions(justID: true))
            #expect(justID == [StreamEntry(id: id2, fields: nil)])
            // Own pending entries after 0-0 (history read), no BLOCK.
            let history = try await redis.xreadgroup(group: "g", consumer: "c3", streams: [StreamCursor(key: "st", position: .pending(after: .zero))])
            #expect(history.first?.entries.map(\.id) == [id2])

            let groups = try await redis.xinfoGroups("st")
            #expect(groups.count == 1)
            #expect(groups.first?.name == "g")
            #expect(groups.first?.pending == 1)
            #expect(groups.first?.lastDeliveredID == id2)
            #expect(groups.first?.consumers == 3)
            #expect(try await redis.xgroupDelConsumer("st", group: "g", consumer: "c1") == 0)

            #expect(try await redis.xdel("st", [id1, StreamID(milliseconds: 99, sequence: 0)]) == 1)
            #expect(try await redis.xtrim("st", .maxLength(1, approximate: false)) == 1)
            #expect(try await redis.xrange("st").map(\.id) == [id3])
            #expect(try await redis.send(.xgroupDestroy(key: "st", group: "g")) == .integer(1))
        }
    }

    /// Redis 7.0's XAUTOCLAIM replies with 3 elements: cursor, entries, ids
    /// of pending entries that were deleted from the stream.
    @Test func xautoclaimReportsDeletedPendingEntries() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            let ids = (1...3).map { StreamID(milliseconds: UInt64($0), sequence: 0) }
            for id in ids { try await redis.xadd("st", id: .explicit(id), fields: [FieldValue("n", bytes(id.description))]) }
            try await redis.xgroupCreate("st", group: "g", start: .id(.zero))
            _ = try await redis.xreadgroup(group: "g", consumer: "dead", streams: [StreamCursor(key: "st", position: .undelivered)])
            try await redis.xdel("st", [ids[1]])
            let result = try await redis.xautoclaim("st", group: "g", consumer: "alive", minIdleMilliseconds: 0)
            #expect(result.next == .zero)
            #expect(result.entries == [
                StreamEntry(id: ids[0], fields: [FieldValue("n", bytes("1-0"))]),
                StreamEntry(id: ids[2], fields: [FieldValue("n", bytes("3-0"))]),
            ])
            #expect(result.deletedIDs == [ids[1]])
            // The raw reply has exactly three parts; 2-0 left the PEL on the first call.
            let raw = try await redis.send(.xautoclaim(key: "st", group: "g", consumer: "alive", minIdleMilliseconds: 0, start: .zero))
            guard case .array(let parts) = raw else { Issue.record("not an array: \(raw)"); return }
            #expect(parts.count == 3)
            #expect(parts[2] == .array([]))
            #expect(try await redis.xpendingSummary("st", group: "g").consumers == [ConsumerPending(consumer: "alive", count: 2)])
            let justIDs = try await redis.xautoclaim("st", group: "g", consumer: "third", minIdleMilliseconds: 0, count: 1, justID: true)
            #expect(justIDs.entries == [StreamEntry(id: ids[0], fields: nil)])
            #expect(justIDs.next == ids[2])
        }
    }

    @Test func xreadgroupBlockReturnsEmptyWhenNothingArrives() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            try await redis.xgroupCreate("st", group: "g", start: .latest)
            let read = try await redis.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "st", position: .undelivered)], blockMilliseconds: 50)
            #expect(read == [])
            #expect(redis.statistics.dedicatedConnections == 1)
        }
    }

    @Test func pubSubDeliversUntilClosed() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            let subscription = try await redis.subscribe(channels: ["news", "alerts", "news"])
            #expect(redis.statistics.subscriptionConnections == 1)
            #expect(try await redis.publish("news", bytes("hello")) == 1)
            #expect(try await redis.publish("other", bytes("ignored")) == 0)
            #expect(try await redis.publish("alerts", [0, 1, 2]) == 1)
            var iterator = subscription.messages.makeAsyncIterator()
            #expect(await iterator.next() == PubSubMessage(channel: "news", payload: bytes("hello")))
            #expect(await iterator.next() == PubSubMessage(channel: "alerts", payload: [0, 1, 2]))
            await subscription.close()
            #expect(await iterator.next() == nil)
            // UNSUBSCRIBE was confirmed before close returned, so nobody listens now.
            #expect(try await redis.publish("news", bytes("late")) == 0)
            #expect(redis.statistics.subscriptionConnections == 0)
            let empty = await redisError { try await redis.subscribe(channels: []) }
            #expect(empty?.kind == "server")
        }
    }
}
