import RelayRuntime
import SimKernel
import Testing
@testable import SimRedis

/// BLOCK under the simulator: waits cost virtual time only, and return at
/// exactly the virtual instant Redis would answer.
@Suite("Redis model: blocking reads under SimKernel")
struct BlockingTests {
    /// Milliseconds since the kernel's epoch.
    static func elapsed(_ kernel: SimKernel) -> Int64 {
        (kernel.clock.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds) / 1_000_000
    }

    struct Timed: Sendable, Equatable {
        let atMilliseconds: Int64
        let reply: RedisReply
    }

    static func timedSend(_ client: RedisModelClient, _ command: RedisCommand, _ kernel: SimKernel) async throws -> Timed {
        let reply = try await client.send(command)
        return Timed(atMilliseconds: elapsed(kernel), reply: reply)
    }

    @Test func blockIsWokenByALaterXADDFromAnotherClient() throws {
        let kernel = SimKernel(seed: 1)
        let (read, added) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let reader = RedisModelClient(model: model, name: "miner")
            let writer = RedisModelClient(model: model, name: "relayer")
            _ = try await writer.send(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
            async let read = Self.timedSend(reader, .readNew("s", consumer: "c", block: 5000), kernel)
            try await kernel.clock.sleep(for: .milliseconds(250))
            let added = try await writer.send(.xaddID("s", 1, 0, ("data", "r1")))
            return (try await read, added)
        }
        #expect(added == bulk("1-0"))
        #expect(read == Timed(atMilliseconds: 250, reply: .array([.array([bulk("s"), .array([entry("1-0", ("data", "r1"))])])])))
    }

    @Test func blockTimesOutAtItsDeadline() throws {
        let kernel = SimKernel(seed: 1)
        let (timed, blocked) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let client = RedisModelClient(model: model)
            _ = try await client.send(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
            try await kernel.clock.sleep(for: .milliseconds(40))
            let timed = try await Self.timedSend(client, .readNew("s", consumer: "c", block: 300), kernel)
            return (timed, model.blockedReaderCount)
        }
        #expect(timed == Timed(atMilliseconds: 340, reply: .null))
        #expect(blocked == 0)
    }

    @Test func blockedReadersAreServedFirstComeFirstServed() throws {
        let kernel = SimKernel(seed: 1)
        let results = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let a = RedisModelClient(model: model, name: "a")
            let b = RedisModelClient(model: model, name: "b")
            let other = RedisModelClient(model: model, name: "other-group")
            let w = RedisModelClient(model: model, name: "w")
            _ = try await w.send(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
            _ = try await w.send(.xgroupCreate(key: "s", group: "h", start: .latest, makeStream: true))
            return try await withThrowingTaskGroup(of: (String, Timed).self) { group in
                group.addTask { ("a", try await Self.timedSend(a, .readNew("s", consumer: "a", block: 0), kernel)) }
                group.addTask {
                    try await kernel.clock.sleep(for: .milliseconds(1))
                    return ("b", try await Self.timedSend(b, .readNew("s", consumer: "b", block: 0), kernel))
                }
                group.addTask {
                    try await kernel.clock.sleep(for: .milliseconds(2))
                    return ("h", try await Self.timedSend(other, .readNew("s", group: "h", consumer: "x", block: 0), kernel))
                }
                try await kernel.clock.sleep(for: .milliseconds(10))
                _ = try await w.send(.xaddID("s", 1, 0, ("n", "1")))
                try await kernel.clock.sleep(for: .milliseconds(10))
                _ = try await w.send(.xaddID("s", 2, 0, ("n", "2")))
                var out: [String: Timed] = [:]
                for try await (name, t) in group { out[name] = t }
                return out
            }
        }
        #expect(results["a"] == Timed(atMilliseconds: 10, reply: .array([.array([bulk("s"), .array([entry("1-0", ("n", "1"))])])])))
        #expect(results["h"] == Timed(atMilliseconds: 10, reply: .array([.array([bulk("s"), .array([entry("1-0", ("n", "1"))])])])))
        #expect(results["b"] == Timed(atMilliseconds: 20, reply: .array([.array([bulk("s"), .array([entry("2-0", ("n", "2"))])])])))
    }

    @Test func blockedReadersLearnTheirStreamOrGroupIsGone() throws {
        let kernel = SimKernel(seed: 1)
        let (destroyed, deleted, expired, overwritten) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let r = RedisModelClient(model: model, name: "r")
            let w = RedisModelClient(model: model, name: "w")
            for key in ["s1", "s2", "s3", "s4"] {
                _ = try await w.send(.xgroupCreate(key: key, group: "g", start: .latest, makeStream: true))
            }
            _ = try await w.send(.pexpire(key: "s3", milliseconds: 500))
            async let destroyed = Self.timedSend(r, .readNew("s1", consumer: "c", block: 0), kernel)
            async let deleted = Self.timedSend(RedisModelClient(model: model), .readNew("s2", consumer: "c", block: 0), kernel)
            async let expired = Self.timedSend(RedisModelClient(model: model), .readNew("s3", consumer: "c", block: 10_000), kernel)
            async let overwritten = Self.timedSend(RedisModelClient(model: model), .readNew("s4", consumer: "c", block: 0), kernel)
            try await kernel.clock.sleep(for: .milliseconds(100))
            _ = try await w.send(.xgroupDestroy(key: "s1", group: "g"))
            try await kernel.clock.sleep(for: .milliseconds(100))
            _ = try await w.send(.del(keys: ["s2"]))
            _ = try await w.send(.set(key: "s4", value: bytes("now a string")))
            return (try await destroyed, try await deleted, try await expired, try await overwritten)
        }
        #expect(destroyed == Timed(atMilliseconds: 100, reply: .error("NOGROUP the consumer group this client was blocked on no longer exists")))
        #expect(deleted == Timed(atMilliseconds: 200, reply: .error("UNBLOCKED the stream key no longer exists")))
        #expect(overwritten == Timed(atMilliseconds: 200, reply: .error("UNBLOCKED the stream key no longer exists")))
        // The key expires once now > expire-at (500 ms): the reader hears it at 501 ms.
        #expect(expired == Timed(atMilliseconds: 501, reply: .error("UNBLOCKED the stream key no longer exists")))
    }

    @Test func blockedReadOfTwoStreamsIsServedByEither() throws {
        let kernel = SimKernel(seed: 1)
        let timed = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let r = RedisModelClient(model: model)
            let w = RedisModelClient(model: model)
            _ = try await w.send(.xgroupCreate(key: "a", group: "g", start: .latest, makeStream: true))
            _ = try await w.send(.xgroupCreate(key: "b", group: "g", start: .latest, makeStream: true))
            let both = RedisCommand.xreadgroup(group: "g", consumer: "c",
                                               streams: [StreamCursor(key: "a", position: .undelivered), StreamCursor(key: "b", position: .undelivered)],
                                               count: 5, blockMilliseconds: 1000)
            async let read = Self.timedSend(r, both, kernel)
            try await kernel.clock.sleep(for: .milliseconds(30))
            _ = try await w.pipeline([.xaddID("b", 1, 0, ("n", "1")), .xaddID("b", 2, 0, ("n", "2"))])
            return try await read
        }
        // Served right after the first XADD, with what was there then.
        #expect(timed == Timed(atMilliseconds: 30, reply: .array([.array([bulk("b"), .array([entry("1-0", ("n", "1"))])])])))
    }

    @Test func unblockReadersEndsBlockedReadsWithNull() throws {
        let kernel = SimKernel(seed: 1)
        let (timed, count) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let r = RedisModelClient(model: model)
            _ = try await r.send(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
            async let read = Self.timedSend(r, .readNew("s", consumer: "c", block: 0), kernel)
            try await kernel.clock.sleep(for: .milliseconds(3))
            let count = model.unblockReaders()
            return (try await read, count)
        }
        #expect(count == 1)
        #expect(timed == Timed(atMilliseconds: 3, reply: .null))
    }

    @Test func theSynchronousCoreAnswersABlockingReadAsATimeout() {
        let f = Fixture()
        f.run(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
        #expect(f.run(.readNew("s", consumer: "c", block: 0)) == .null)
        #expect(f.model.blockedReaderCount == 0)
    }

    @Test func replaysAreIdentical() throws {
        func once() throws -> [String] {
            let kernel = SimKernel(seed: 7)
            return try kernel.run {
                let model = RedisModel(clock: kernel.clock)
                let w = RedisModelClient(model: model)
                _ = try await w.send(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
                return try await withThrowingTaskGroup(of: String.self) { group in
                    for i in 0..<8 {
                        group.addTask {
                            let c = RedisModelClient(model: model, name: "c\(i)")
                            var seen: [String] = []
                            for _ in 0..<3 {
                                let t = try await Self.timedSend(c, .readNew("s", consumer: "c\(i)", count: 2, block: 35), kernel)
                                seen.append("\(t.atMilliseconds):\(t.reply)")
                            }
                            return "c\(i) " + seen.joined(separator: " ")
                        }
                    }
                    for n in 1...10 {
                        try await kernel.clock.sleep(for: .milliseconds(7))
                        _ = try await w.send(.xaddID("s", UInt64(n), 0, ("n", "\(n)")))
                    }
                    var out: [String] = []
                    for try await line in group { out.append(line) }
                    return out.sorted()
                }
            }
        }
        let first = try once()
        #expect(first.count == 8)
        #expect(try once() == first)
    }
}
