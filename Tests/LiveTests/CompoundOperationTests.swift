@_spi(Testing) import RelayRuntime
@_spi(Testing) @testable import RelayRuntimeLive
import Testing

/// The atomic compound operations (Lua via EVALSHA on Redis 7.0).
@Suite(.enabled(if: RedisTestServer.available, RedisTestServer.skipMessage), .timeLimit(.minutes(1)))
struct CompoundOperationTests {
    @Test func compareAndDeleteOnlyDeletesTheExpectedValue() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            try await redis.set("lease", bytes("owner-a"))
            #expect(try await redis.compareAndDelete("lease", expected: bytes("owner-b")) == false)
            #expect(try await redis.get("lease") == bytes("owner-a"))
            #expect(try await redis.compareAndDelete("lease", expected: bytes("owner-a")) == true)
            #expect(try await redis.get("lease") == nil)
            #expect(try await redis.compareAndDelete("lease", expected: bytes("owner-a")) == false)
        }
    }

    @Test func compareAndExtendOnlyExtendsTheExpectedValue() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            try await redis.set("lease", bytes("owner-a"), expiry: .milliseconds(10_000))
            #expect(try await redis.compareAndExtend("lease", expected: bytes("owner-b"), milliseconds: 600_000) == false)
            #expect(try await redis.pttl("lease") <= 10_000)
            #expect(try await redis.compareAndExtend("lease", expected: bytes("owner-a"), milliseconds: 600_000) == true)
            #expect(try await redis.pttl("lease") > 10_000)
            #expect(try await redis.compareAndExtend("missing", expected: bytes("owner-a"), milliseconds: 1_000) == false)
        }
    }

    @Test func acquireLeaseGivesNewEpochSameEpochOrNothing() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            #expect(try await redis.acquireLease("lease", epochKey: "lease:epoch", owner: bytes("a"), milliseconds: 60_000) == 1)
            #expect(try await redis.acquireLease("lease", epochKey: "lease:epoch", owner: bytes("a"), milliseconds: 60_000) == 1)
            #expect(try await redis.acquireLease("lease", epochKey: "lease:epoch", owner: bytes("b"), milliseconds: 60_000) == nil)
            #expect(try await redis.send(.acquireLease(key: "lease", epochKey: "lease:epoch", owner: bytes("b"), milliseconds: 60_000)) == .integer(0))
            #expect(try await redis.compareAndDelete("lease", expected: bytes("a")) == true)
            #expect(try await redis.acquireLease("lease", epochKey: "lease:epoch", owner: bytes("b"), milliseconds: 60_000) == 2)
            #expect(try await redis.get("lease") == bytes("b"))
            #expect(try await redis.get("lease:epoch") == bytes("2"))
            #expect(try await redis.pttl("lease") > 0)
        }
    }

    @Test func ackAndDeleteAcksAndDeletesAtomically() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            let ids = (1...3).map { StreamID(milliseconds: UInt64($0), sequence: 0) }
            for id in ids { try await redis.xadd("st", id: .explicit(id), fields: [FieldValue("f", bytes("v"))]) }
            try await redis.xgroupCreate("st", group: "g", start: .id(.zero))
            _ = try await redis.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "st", position: .undelivered)])
            let result = try await redis.ackAndDelete("st", group: "g", ids: [ids[0], ids[1]])
            #expect(result.acked == 2)
            #expect(result.deleted == 2)
            #expect(try await redis.xrange("st").map(\.id) == [ids[2]])
            #expect(try await redis.xpendingSummary("st", group: "g").count == 1)
            let again = try await redis.ackAndDelete("st", group: "g", ids: [ids[0]])
            #expect(again.acked == 0)
            #expect(again.deleted == 0)
        }
    }

    @Test func fencedRunsOnlyWithTheCurrentEpoch() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            try await redis.set("epoch", bytes("7"))
            let write = RedisCommand.hset(key: "seal", fields: [FieldValue("root", bytes("r1"))])
            #expect(try await redis.fenced(epochKey: "epoch", epoch: 7, write) == .integer(1))
            let stale = await redisError {
                try await redis.fenced(epochKey: "epoch", epoch: 6, .hset(key: "seal", fields: [FieldValue("root", bytes("stale"))]))
            }
            #expect(stale == .fenced("FENCED stale epoch"))
            // Through `send` the refusal is an error value, as the port promises.
            let raw = try await redis.send(.fenced(epochKey: "epoch", epoch: 6, command: .set(key: "x", value: bytes("y"))))
            #expect(raw == .error("FENCED stale epoch"))
            #expect(try await redis.hget("seal", bytes("root")) == bytes("r1"))
            #expect(try await redis.get("x") == nil)
            let missingEpoch = await redisError { try await redis.fenced(epochKey: "nope", epoch: 1, .set(key: "x", value: bytes("y"))) }
            #expect(missingEpoch?.kind == "fenced")
        }
    }

    /// The inner command's keys travel as KEYS[2…] and the script puts them
    /// back in place; a cross-slot fenced write never reaches the server.
    @Test func fencedDeclaresItsInnerKeysAndStaysInOneSlot() async throws {
        try await RedisTestServer.with { server, redis in
            let admin = RedisTestServer.admin(port: server.port)
            try await redis.set("{s}:epoch", bytes("4"))
            try await redis.set("{s}:a", bytes("1"))
            let write = RedisCommand.del(keys: ["{s}:a", "{s}:missing"])
            #expect(try await redis.fenced(epochKey: "{s}:epoch", epoch: 4, write) == .integer(1))
            let read = RedisCommand.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "{s}:relays", position: .undelivered)])
            try await redis.xgroupCreate("{s}:relays", group: "g", start: .latest)
            let id = try #require(try await redis.xadd("{s}:relays", fields: [FieldValue("data", bytes("r"))]))
            let delivered = try await redis.fenced(epochKey: "{s}:epoch", epoch: 4, read)
            #expect(delivered == .array([.array([.bulk("{s}:relays"), .array([.array([.bulk(id.description), .array([.bulk("data"), .bulk("r")])])])])]))

            let commandsBefore = try await RedisTestServer.info(admin, "stats", "total_commands_processed")
            let crossSlot = await redisError { try await redis.fenced(epochKey: "{s}:epoch", epoch: 4, .set(key: "{t}:x", value: bytes("y"))) }
            #expect(crossSlot == .crossSlot(command: "FENCED(SET)", keys: ["{s}:epoch", "{t}:x"]))
            let pipeline = await redisError { try await redis.pipeline([.set(key: "{s}:b", value: bytes("1")), .del(keys: ["{s}:b", "{t}:b"])]) }
            #expect(pipeline?.kind == "crossSlot")
            #expect(try await RedisTestServer.info(admin, "stats", "total_commands_processed") == commandsBefore.map { String(Int($0)! + 1) })
            #expect(try await redis.get("{s}:b") == nil) // the pipeline was refused whole

            // A hand-made EVAL whose key positions do not fit its command is refused, not run without the key.
            let body = RedisScripts.fenced
            #expect(try await admin.execute(["EVAL", body, "2", "{s}:epoch", "{s}:c", "4", "9", "SET", "v"])
                == .error("ERR fenced: a declared key has no place in the command"))
            #expect(try await redis.exists(["{s}:c"]) == 0)
            await admin.close()
        }
    }

    @Test func appendUnlessSealedStopsAtTheSeal() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.set("epoch", bytes("3"))
            let first = try #require(try await redis.appendUnlessSealed("relays", sealKey: "seal", fields: [FieldValue("data", bytes("r1"))]))
            let second = try #require(try await redis.appendUnlessSealed("relays", sealKey: "seal", fields: [FieldValue("data", bytes("r2"))]))
            #expect(first < second)
            let stale = await redisError { try await redis.sealStream(epochKey: "epoch", epoch: 2, sealKey: "seal", streamKey: "relays") }
            #expect(stale == .fenced("FENCED stale epoch"))
            #expect(try await redis.sealStream(epochKey: "epoch", epoch: 3, sealKey: "seal", streamKey: "relays") == second)
            #expect(try await redis.appendUnlessSealed("relays", sealKey: "seal", fields: [FieldValue("data", bytes("late"))]) == nil)
            #expect(try await redis.xlen("relays") == 2)
            // Re-sealing (e.g. after a failover) returns the recorded id.
            #expect(try await redis.sealStream(epochKey: "epoch", epoch: 3, sealKey: "seal", streamKey: "relays") == second)
            #expect(try await redis.sealStream(epochKey: "epoch", epoch: 3, sealKey: "empty-seal", streamKey: "no-stream") == .zero)
        }
    }

    /// Scripts go as EVALSHA; after SCRIPT FLUSH the NOSCRIPT reply is
    /// answered by one EVAL, invisibly to the caller.
    @Test func compoundOperationsUseEVALSHAAndRecoverFromNoScript() async throws {
        try await RedisTestServer.with { server, redis in
            try await redis.ping()
            let admin = RedisTestServer.admin(port: server.port)
            try await redis.set("k", bytes("v"))
            #expect(try await redis.compareAndDelete("k", expected: bytes("x")) == false)
            #expect(try await redis.acquireLease("l", epochKey: "e", owner: bytes("a"), milliseconds: 1000) == 1)
            #expect(try await RedisTestServer.info(admin, "commandstats", "cmdstat_evalsha")?.hasPrefix("calls=2,") == true)
            #expect(try await RedisTestServer.info(admin, "commandstats", "cmdstat_eval") == nil)

            #expect(try await admin.execute(["SCRIPT", "FLUSH"]) == .ok)
            #expect(try await redis.compareAndDelete("k", expected: bytes("v")) == true)
            #expect(try await RedisTestServer.info(admin, "commandstats", "cmdstat_eval")?.hasPrefix("calls=1,") == true)
            // A pipeline with NOSCRIPT in the middle keeps every reply in its place.
            #expect(try await admin.execute(["SCRIPT", "FLUSH"]) == .ok)
            try await redis.set("k", bytes("v"))
            let replies = try await redis.pipeline([
                .get(key: "k"),
                .compareAndDelete(key: "k", expected: bytes("v")),
                .get(key: "k"),
            ])
            #expect(replies == [.bulk("v"), .integer(1), .bulk("v")])
            #expect(try await redis.get("k") == nil)
            await admin.close()
        }
    }
}
