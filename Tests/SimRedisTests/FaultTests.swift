@_spi(Testing) import RelayRuntime
import SimKernel
import Testing
@_spi(Testing) @testable import SimRedis

@Suite("Redis model: faults and pub/sub")
struct FaultTests {
    static func elapsed(_ kernel: SimKernel) -> Int64 {
        (kernel.clock.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds) / 1_000_000
    }

    /// The error a call threw, or nil.
    static func failure(_ body: () async throws -> Void) async -> RedisError? {
        do {
            try await body()
            return nil
        } catch let error as RedisError {
            return error
        } catch {
            return .server("unexpected error \(error)")
        }
    }

    @Test func serverUnavailable() throws {
        let kernel = SimKernel(seed: 1)
        let (refused, back, counters) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let c = RedisModelClient(model: model, name: "n1")
            _ = try await c.send(.set(key: "k", value: bytes("v")))
            model.setUnavailable(true)
            let refused = await Self.failure { _ = try await c.send(.get(key: "k")) }
            let refusedSub = await Self.failure { _ = try await c.subscribe(channels: ["ch"]) }
            #expect(refusedSub == .unavailable("n1: server unavailable"))
            model.setUnavailable(false)
            let back = try await c.send(.get(key: "k"))
            return (refused, back, model.faultCounters)
        }
        #expect(refused == .unavailable("n1: server unavailable"))
        #expect(back == bulk("v"))
        #expect(counters.outages == 1)
        #expect(counters.refusedUnavailable == 2)
    }

    @Test func slowServerAndSlowClientCostVirtualTime() throws {
        let kernel = SimKernel(seed: 1)
        let (times, counters) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let c = RedisModelClient(model: model)
            model.setExtraLatency(.milliseconds(5))
            _ = try await c.send(.ping)
            let t1 = Self.elapsed(kernel)
            c.setExtraLatency(.milliseconds(20))
            _ = try await c.pipeline([.ping, .ping])
            let t2 = Self.elapsed(kernel)
            model.setExtraLatency(.zero)
            c.setExtraLatency(.zero)
            _ = try await c.send(.ping)
            return ([t1, t2, Self.elapsed(kernel)], c.faultCounters)
        }
        #expect(times == [5, 55, 55])
        #expect(counters.delayedCommands == 3)
        #expect(counters.addedLatency == .milliseconds(55))
    }

    @Test func droppedReplyAfterTheWriteHappened() throws {
        let kernel = SimKernel(seed: 1)
        let (error, value, serverCounters, clientCounters) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let c = RedisModelClient(model: model, name: "relayer")
            model.dropReplies(next: 1, matching: .names(["INCRBY"]))
            _ = try await c.send(.set(key: "other", value: bytes("x")))
            let error = await Self.failure { _ = try await c.send(.incrBy(key: "meter", amount: 7)) }
            c.dropReplies(next: 1)
            let second = await Self.failure { _ = try await c.send(.incrBy(key: "meter", amount: 1)) }
            #expect(second == .connectionLost("relayer: reply to INCRBY lost (the command was executed)"))
            let value = try await c.send(.get(key: "meter"))
            return (error, value, model.faultCounters, c.faultCounters)
        }
        #expect(error == .connectionLost("relayer: reply to INCRBY lost (the command was executed)"))
        #expect(value == bulk("8"))
        #expect(serverCounters.repliesDropped == 1)
        #expect(clientCounters.repliesDropped == 2)
    }

    @Test func restartWithAndWithoutPersistence() throws {
        let kernel = SimKernel(seed: 1)
        let (kept, lost, blockedError, subscriptionEnded, counters) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let c = RedisModelClient(model: model, name: "miner")
            _ = try await c.send(.set(key: "a", value: bytes("1")))
            _ = try await c.send(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
            let sub = try await c.subscribe(channels: ["blocks"])
            // A blocked reader and a subscription are cut by the restart.
            async let blocked = Self.failure { _ = try await c.send(.readNew("s", consumer: "c", block: 0)) }
            try await kernel.clock.sleep(for: .milliseconds(10))
            model.restart(persistence: true)
            let blockedError = await blocked
            var ended = true
            for await _ in sub.messages { ended = false }
            let kept = try await c.send(.get(key: "a"))
            // Without persistence everything is gone; the client reconnects by itself.
            _ = try await c.send(.set(key: "b", value: bytes("2")))
            let lostKeys = model.restart(persistence: false)
            #expect(lostKeys == 3)
            let lost = try await c.send(admin: .dbSize)
            return (kept, lost, blockedError, ended, model.faultCounters)
        }
        #expect(kept == bulk("1"))
        #expect(lost == .integer(0))
        #expect(blockedError == .connectionLost("server restarted"))
        #expect(subscriptionEnded)
        #expect(counters.restarts == 2)
        #expect(counters.restartsWithoutPersistence == 1)
        #expect(counters.keysLost == 3)
        #expect(counters.blockedReadersDisconnected == 1)
        #expect(counters.subscriptionsEnded == 1)
    }

    @Test func partitionedClient() throws {
        let kernel = SimKernel(seed: 1)
        let (refused, cut, others, after, counters) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let cut = RedisModelClient(model: model, name: "n1")
            let healthy = RedisModelClient(model: model, name: "n2")
            _ = try await cut.send(.xgroupCreate(key: "s", group: "g", start: .latest, makeStream: true))
            async let blocked = Self.failure { _ = try await cut.send(.readNew("s", consumer: "c", block: 0)) }
            try await kernel.clock.sleep(for: .milliseconds(1))
            cut.setPartitioned(true)
            let refused = await Self.failure { _ = try await cut.send(.ping) }
            let others = try await healthy.send(.ping)
            cut.setPartitioned(false)
            let after = try await cut.send(.ping)
            return (refused, await blocked, others, after, cut.faultCounters)
        }
        #expect(refused == .unavailable("n1: partitioned from the server"))
        #expect(cut == .connectionLost("n1: partitioned from the server"))
        #expect(others == .status("PONG"))
        #expect(after == .status("PONG"))
        #expect(counters.refusedPartitioned == 1)
        #expect(counters.blockedReadersDisconnected == 1)
    }

    @Test func outageDuringALatencyMeansTheCommandNeverArrived() throws {
        let kernel = SimKernel(seed: 1)
        let (error, exists) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let c = RedisModelClient(model: model, name: "n1")
            c.setExtraLatency(.milliseconds(50))
            async let write = Self.failure { _ = try await c.send(.set(key: "k", value: bytes("v"))) }
            try await kernel.clock.sleep(for: .milliseconds(10))
            model.setUnavailable(true)
            model.setUnavailable(false)
            let error = await write
            return (error, model.execute(.exists(keys: ["k"])))
        }
        #expect(error == .connectionLost("n1: server went away before the command reached the server"))
        #expect(exists == .integer(0))
    }

    @Test func closedClient() throws {
        let kernel = SimKernel(seed: 1)
        let error = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let c = RedisModelClient(model: model, name: "n1")
            await c.close()
            return await Self.failure { _ = try await c.send(.ping) }
        }
        #expect(error == .unavailable("n1: connection closed"))
    }

    @Test func publishIsAtMostOnce() throws {
        let kernel = SimKernel(seed: 1)
        let (counts, received) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let pub = RedisModelClient(model: model, name: "pub")
            let s1 = RedisModelClient(model: model, name: "s1")
            let s2 = RedisModelClient(model: model, name: "s2")
            var counts: [RedisReply] = []
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("lost"))))
            let a = try await s1.subscribe(channels: ["ch", "ch", "other"])
            let b = try await s2.subscribe(channels: ["ch"])
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("m1"))))
            counts.append(try await pub.send(.publish(channel: "other", message: bytes("m2"))))
            await b.close()
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("m3"))))
            await a.close()
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("m4"))))
            var got: [String] = []
            for await m in a.messages { got.append("a:\(m.channel):\(String(decoding: m.payload, as: UTF8.self))") }
            for await m in b.messages { got.append("b:\(m.channel):\(String(decoding: m.payload, as: UTF8.self))") }
            return (counts, got)
        }
        #expect(counts == [.integer(0), .integer(2), .integer(1), .integer(1), .integer(0)])
        #expect(received == ["a:ch:m1", "a:other:m2", "a:ch:m3", "b:ch:m1"])
    }

    /// While pub/sub loss is on, PUBLISH still reports its receivers but
    /// nothing arrives; subscriptions survive it and receive again after.
    @Test func pubSubLossDropsDeliveriesButKeepsSubscriptions() throws {
        let kernel = SimKernel(seed: 1)
        let (counts, received, counters) = try kernel.run {
            let model = RedisModel(clock: kernel.clock)
            let pub = RedisModelClient(model: model, name: "pub")
            let s1 = RedisModelClient(model: model, name: "s1")
            let s2 = RedisModelClient(model: model, name: "s2")
            let a = try await s1.subscribe(channels: ["ch"])
            let b = try await s2.subscribe(channels: ["ch"])
            var counts: [RedisReply] = []
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("before"))))
            model.setPubSubLoss(true)
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("lost-1"))))
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("lost-2"))))
            counts.append(try await pub.send(.publish(channel: "nobody", message: bytes("lost-3"))))
            model.setPubSubLoss(false)
            counts.append(try await pub.send(.publish(channel: "ch", message: bytes("after"))))
            await a.close()
            await b.close()
            var got: [String] = []
            for await m in a.messages { got.append("a:" + String(decoding: m.payload, as: UTF8.self)) }
            for await m in b.messages { got.append("b:" + String(decoding: m.payload, as: UTF8.self)) }
            return (counts, got, model.faultCounters)
        }
        #expect(counts == [.integer(2), .integer(2), .integer(2), .integer(0), .integer(2)])
        #expect(received == ["a:before", "a:after", "b:before", "b:after"])
        #expect(counters.pubSubMessagesLost == 4)
        #expect(counters.subscriptionsEnded == 0)
    }
}
