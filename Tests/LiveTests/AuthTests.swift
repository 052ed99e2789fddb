@_spi(Testing) import RelayRuntime
@_spi(Testing) @testable import RelayRuntimeLive
import RedisTooling
import Testing

/// AUTH (password only and user + password) and SELECT on every connection,
/// against a server started with `--requirepass`.
@Suite(.enabled(if: RedisTestServer.available, RedisTestServer.skipMessage), .timeLimit(.minutes(1)))
struct AuthTests {
    @Test func passwordAndDatabaseFromTheURL() async throws {
        let server = try await LocalRedisServer.start(arguments: ["--requirepass", "s3cret"])
        let db3 = try await LiveRedisClient.connect(url: "redis://:s3cret@127.0.0.1:\(server.port)/3")
        try await db3.set("k", bytes("in-db-3"))
        let db0 = try await LiveRedisClient.connect(url: "redis://default:s3cret@127.0.0.1:\(server.port)")
        #expect(try await db0.get("k") == nil)
        #expect(try await db0.dbSize() == 0)
        let db3Again = try await LiveRedisClient.connect(url: "redis://default:s3cret@127.0.0.1:\(server.port)/3", poolSize: 2)
        #expect(try await db3Again.get("k") == bytes("in-db-3"))
        // Every pooled connection of db3 selected db 3, not just the first.
        let many = try await db3.pipeline((0..<50).map { _ in .get(key: "k") })
        #expect(many == Array(repeating: .bulk("in-db-3"), count: 50))

        // An ACL user with its own password.
        #expect(try await db0.execute(["ACL", "SETUSER", "relayer", "on", ">relayer-pw", "~*", "+@all"]) == .ok)
        let relayer = try await LiveRedisClient.connect(url: "redis://relayer:relayer-pw@127.0.0.1:\(server.port)/3")
        #expect(try await relayer.get("k") == bytes("in-db-3"))
        for client in [db3, db0, db3Again, relayer] { await client.close() }
        await server.stop()
    }

    @Test func wrongPasswordIsATypedAuthenticationError() async throws {
        let server = try await LocalRedisServer.start(arguments: ["--requirepass", "s3cret"])
        let endpoint = "127.0.0.1:\(server.port)"
        do {
            _ = try await LiveRedisClient.connect(url: "redis://:wrong@\(endpoint)")
            Issue.record("connected with a wrong password")
        } catch {
            #expect(error == .authenticationFailed(endpoint: endpoint, user: nil,
                                                   message: "WRONGPASS invalid username-password pair or user is disabled."))
        }
        do {
            _ = try await LiveRedisClient.connect(url: "redis://relayer:wrong@\(endpoint)")
            Issue.record("connected with an unknown user")
        } catch {
            guard case .authenticationFailed(_, let user, let message) = error else { Issue.record("\(error)"); return }
            #expect(user == "relayer")
            #expect(message.hasPrefix("WRONGPASS"))
        }
        do {
            _ = try await LiveRedisClient.connect(url: "redis://\(endpoint)")
            Issue.record("connected without a password")
        } catch {
            guard case .authenticationFailed(_, nil, let message) = error else { Issue.record("\(error)"); return }
            #expect(message.hasPrefix("NOAUTH"))
        }
        // A lazily connecting client reports it through the port, as a non-transient error.
        let lazy = LiveRedisClient(configuration: try LiveRedisConfiguration(url: "redis://:wrong@\(endpoint)"))
        let viaPort = await redisError { try await lazy.ping() }
        #expect(viaPort?.kind == "server")
        #expect(viaPort?.message.contains("WRONGPASS") == true)
        #expect(viaPort?.isTransient == false)
        #expect(lazy.statistics.openConnections == 0)
        await lazy.close()
        await server.stop()
    }

    @Test func databaseOutOfRangeIsATypedError() async throws {
        let server = try await LocalRedisServer.start()
        do {
            _ = try await LiveRedisClient.connect(url: "redis://127.0.0.1:\(server.port)/99")
            Issue.record("SELECT 99 succeeded")
        } catch {
            guard case .databaseSelectionFailed(let endpoint, 99, let message) = error else { Issue.record("\(error)"); return }
            #expect(endpoint == "127.0.0.1:\(server.port)")
            #expect(message == "ERR DB index is out of range")
        }
        await server.stop()
    }

    @Test func refusedConnectionIsUnavailable() async throws {
        let port = try LocalRedisServer.freePort()
        do {
            _ = try await LiveRedisClient.connect(url: "redis://127.0.0.1:\(port)")
            Issue.record("connected to a closed port")
        } catch {
            #expect(error == .redis(.unavailable("127.0.0.1:\(port): connection refused")))
        }
    }
}
