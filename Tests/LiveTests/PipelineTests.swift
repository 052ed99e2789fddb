@_spi(Testing) import RelayRuntime
@_spi(Testing) @testable import RelayRuntimeLive
import Testing

@Suite(.enabled(if: RedisTestServer.available, RedisTestServer.skipMessage), .timeLimit(.minutes(1)))
struct PipelineTests {
    @Test func repliesComeBackInOrder() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            let sets = (0..<500).map { RedisCommand.set(key: "k\($0)", value: bytes("v\($0)")) }
            let gets = (0..<500).map { RedisCommand.get(key: "k\($0)") }
            let replies = try await redis.pipeline(sets + gets)
            #expect(replies.count == 1000)
            #expect(Array(replies[..<500]) == Array(repeating: .ok, count: 500))
            #expect(Array(replies[500...]) == (0..<500).map { .bulk("v\($0)") })
            #expect(try await redis.pipeline([]) == [])
        }
    }

    @Test func errorRepliesStayInTheirSlot() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            let replies = try await redis.pipeline([
                .set(key: "a", value: bytes("1")),
                .sadd(key: "a", members: [bytes("x")]),
                .incrBy(key: "a", amount: 2),
                .get(key: "a"),
            ])
            #expect(replies == [
                .ok,
                .error("WRONGTYPE Operation against a key holding the wrong kind of value"),
                .integer(3),
                .bulk("3"),
            ])
        }
    }

    /// Concurrent callers share the multiplexed connections; every caller
    /// gets its own replies (no cross-talk) and the pool stays within its limit.
    @Test func concurrentCallersGetTheirOwnReplies() async throws {
        try await RedisTestServer.with(poolSize: 3) { _, redis in
            try await redis.ping()
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for task in 0..<20 {
                    group.addTask {
                        for i in 0..<50 {
                            let key = "t\(task):\(i)"
                            try await redis.set(key, bytes(key))
                            guard try await redis.get(key) == bytes(key) else { return false }
                            if i % 10 == 0 {
                                let pair = try await redis.pipeline([.incrBy(key: "total", amount: 1), .get(key: key)])
                                guard pair.count == 2, case .integer = pair[0], pair[1] == .bulk(key) else { return false }
                            }
                        }
                        return true
                    }
                }
                for try await ok in group { #expect(ok) }
            }
            #expect(try await redis.get("total") == bytes("100"))
            #expect(try await redis.dbSize() == 1001)
            #expect(redis.statistics.sharedConnections <= 3)
            #expect(redis.statistics.sharedConnections >= 1)
        }
    }

    @Test func pipelineWithABlockingCommandUsesADedicatedConnection() async throws {
        try await RedisTestServer.with { _, redis in
            try await redis.ping()
            try await redis.xgroupCreate("st", group: "g", start: .latest)
            let id = StreamID(milliseconds: 5, sequence: 0)
            let replies = try await redis.pipeline([
                .xadd(key: "st", id: .explicit(id), fields: [FieldValue("f", bytes("v"))]),
                .xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "st", position: .undelivered)], blockMilliseconds: 1000),
            ])
            #expect(replies == [
                .bulk("5-0"),
                .array([.array([.bulk("st"), .array([.array([.bulk("5-0"), .array([.bulk("f"), .bulk("v")])])])])]),
            ])
            #expect(redis.statistics.dedicatedConnections == 1)
        }
    }
}
