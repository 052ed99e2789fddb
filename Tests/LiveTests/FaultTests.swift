@_spi(Testing) import RelayRuntime
@_spi(Testing) @testable import RelayRuntimeLive
import RedisTooling
import Testing

/// Server crashes, deadlines, blocking commands and shutdown.
@Suite(.enabled(if: RedisTestServer.available, RedisTestServer.skipMessage), .timeLimit(.minutes(1)))
struct FaultTests {
    /// The server is SIGKILLed while a pipeline is in flight (held back by
    /// CLIENT PAUSE, so it is certainly in flight), then restarted on the same
    /// port: typed errors while it is gone, recovery without a new client,
    /// and no leaked connections afterwards.
    @Test func serverKilledMidPipelineThenRestartedClientRecovers() async throws {
        let server = try await LocalRedisServer.start()
        let endpoint = "127.0.0.1:\(server.port)"
        let redis = LiveRedisClient(configuration: RedisTestServer.configuration(port: server.port, poolSize: 2))
        let admin = RedisTestServer.admin(port: server.port)
        try await redis.set("before", bytes("1"))
        #expect(try await admin.execute(["CLIENT", "PAUSE", "30000", "WRITE"]) == .ok)

        async let inFlight = redisError { try await redis.pipeline((0..<1000).map { .set(key: "k\($0)", value: bytes("v")) }) }
        #expect(try await RedisTestServer.eventually { try await RedisTestServer.info(admin, "clients", "blocked_clients") == "1" })
        await server.kill()

        let lost = await inFlight
        #expect(lost?.kind == "connectionLost")
        #expect(lost?.message.hasPrefix("\(endpoint) PIPELINE(1000: SET, SET, SET, …)") == true)
        let down = await redisError { try await redis.ping() }
        #expect(down == .unavailable("\(endpoint): connection refused"))
        let stillDown = await redisError { try await redis.set("x", bytes("y")) }
        #expect(stillDown?.kind == "unavailable")

        try await server.restart()
        var errorsWhileRecovering: Set<String> = []
        let recovered = try await RedisTestServer.eventually {
            do {
                try await redis.ping()
                return true
            } catch {
                errorsWhileRecovering.insert((error as? RedisError)?.kind ?? "\(error)")
                return false
            }
        }
        #expect(recovered)
        #expect(errorsWhileRecovering.isSubset(of: ["unavailable"]))
        try await redis.set("after", bytes("2"))
        #expect(try await redis.get("after") == bytes("2"))
        #expect(try await redis.get("before") == nil) // a fresh server: nothing persisted

        // Load from many callers, then count connections on both sides.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<10 { group.addTask { for i in 0..<20 { try await redis.set("t\(t)-\(i)", bytes("v")) } } }
            try await group.waitForAll()
        }
        #expect(redis.statistics.sharedConnections <= 2)
        #expect(redis.statistics.openConnections <= 2)
        #expect(try await RedisTestServer.clientCount(admin) <= 2 + 1)
        #expect(try await RedisTestServer.clientCount(admin) == redis.statistics.openConnections)
        await redis.close()
        await admin.close()
        await server.stop()
    }

    /// A reply that misses its deadline gives `.timeout` and the connection
    /// is dropped (its reply stream can no longer be trusted); the next command opens a new one.
    @Test func deadlineGivesTimeoutAndDiscardsTheConnection() async throws {
        let server = try await LocalRedisServer.start()
        let redis = LiveRedisClient(configuration: RedisTestServer.configuration(port: server.port, poolSize: 1, commandTimeout: .milliseconds(300)))
        let admin = RedisTestServer.admin(port: server.port)
        try await redis.set("a", bytes("1"))
        #expect(redis.statistics.connectionsOpened == 1)
        #expect(try await admin.execute(["CLIENT", "PAUSE", "20000", "WRITE"]) == .ok)

        let timedOut = await redisError { try await redis.set("b", bytes("2")) }
        #expect(timedOut?.kind == "timeout")
        #expect(timedOut?.message.hasPrefix("127.0.0.1:\(server.port) SET: no reply") == true)
        #expect(try await RedisTestServer.eventually { redis.statistics.sharedConnections == 0 })

        #expect(try await admin.execute(["CLIENT", "UNPAUSE"]) == .ok)
        #expect(try await redis.get("a") == bytes("1"))
        #expect(redis.statistics.connectionsOpened == 2)
        #expect(redis.statistics.sharedConnections == 1)
        await redis.close()
        await admin.close()
        await server.stop()
    }

    /// A blocking XREADGROUP waits on its own connection: with a pool of one,
    /// other commands still run, and the XADD they make wakes the reader.
    @Test func blockingReadDoesNotStarveThePool() async throws {
        try await RedisTestServer.with(poolSize: 1) { server, redis in
            try await redis.ping()
            let admin = RedisTestServer.admin(port: server.port)
            try await redis.xgroupCreate("jobs", group: "g", start: .latest)
            async let read = redis.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "jobs", position: .undelivered)],
                                             blockMilliseconds: 30_000)
            #expect(try await RedisTestServer.eventually { try await RedisTestServer.info(admin, "clients", "blocked_clients") == "1" })
            try await redis.ping()
            let id = try #require(try await redis.xadd("jobs", fields: [FieldValue("job", bytes("42"))]))
            let got = try await read
            #expect(got == [StreamRead(key: "jobs", entries: [StreamEntry(id: id, fields: [FieldValue("job", bytes("42"))])])])
            #expect(redis.statistics.sharedConnections == 1)
            #expect(redis.statistics.dedicatedConnections == 1)
            await admin.close()
        }
    }

    /// `close()` releases the shared, dedicated and subscriber connections;
    /// later calls fail with `.unavailable`.
    @Test func closeReleasesEverything() async throws {
        let server = try await LocalRedisServer.start()
        let redis = LiveRedisClient(configuration: RedisTestServer.configuration(port: server.port))
        let admin = RedisTestServer.admin(port: server.port)
        try await redis.set("a", bytes("1"))
        let subscription = try await redis.subscribe(channels: ["ch"])
        try await redis.xgroupCreate("st", group: "g", start: .latest)
        _ = try await redis.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "st", position: .undelivered)], blockMilliseconds: 10)
        #expect(redis.statistics == LiveRedisStatistics(sharedConnections: 1, dedicatedConnections: 1, subscriptionConnections: 1,
                                                        connectionsOpened: 2, connectFailures: 0))
        #expect(try await RedisTestServer.clientCount(admin) == 3)

        await redis.close()
        #expect(redis.statistics.openConnections == 0)
        #expect(try await RedisTestServer.eventually { try await RedisTestServer.clientCount(admin) == 0 })
        var iterator = subscription.messages.makeAsyncIterator()
        #expect(await iterator.next() == nil)
        let afterClose = await redisError { try await redis.ping() }
        #expect(afterClose == .unavailable("127.0.0.1:\(server.port): client closed"))
        let subscribeAfterClose = await redisError { try await redis.subscribe(channels: ["ch"]) }
        #expect(subscribeAfterClose?.kind == "unavailable")
        let blockingAfterClose = await redisError {
            try await redis.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "st", position: .undelivered)], blockMilliseconds: 10)
        }
        #expect(blockingAfterClose?.kind == "unavailable")
        await admin.close()
        await server.stop()
    }

    /// A subscription outlives a server restart: it resubscribes by itself
    /// (messages published while it was away are lost, at-most-once).
    @Test func subscriptionResubscribesAfterRestart() async throws {
        let server = try await LocalRedisServer.start()
        let redis = LiveRedisClient(configuration: RedisTestServer.configuration(port: server.port))
        let subscription = try await redis.subscribe(channels: ["blocks"])
        var iterator = subscription.messages.makeAsyncIterator()
        #expect(try await redis.publish("blocks", bytes("h1")) == 1)
        #expect(await iterator.next() == PubSubMessage(channel: "blocks", payload: bytes("h1")))

        await server.kill()
        try await server.restart()
        #expect(try await RedisTestServer.eventually { (try? await redis.publish("blocks", bytes("h2"))) == 1 })
        #expect(await iterator.next() == PubSubMessage(channel: "blocks", payload: bytes("h2")))
        #expect(redis.statistics.subscriptionConnections == 1)
        await subscription.close()
        await redis.close()
        await server.stop()
    }
}
