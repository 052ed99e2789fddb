import Foundation
import PocketProtocol
@testable import RelayRuntime
import SimKernel
import Testing

@Suite struct RelayerCacheTests {
    /// Concurrent relays at a fresh block share one chain query per piece of data (single flight).
    @Test func concurrentRelaysShareChainQueries() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let requests = try (0..<6).map { _ in try world.signedRequest(header: header).bytes }
            world.chain.resetCalls()
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for bytes in requests { group.addTask { await world.relay(bytes).served?.mining.isAcknowledgedMinable ?? false } }
                var all: [Bool] = []
                for await ok in group { all.append(ok) }
                return all
            }
            #expect(outcomes == Array(repeating: true, count: 6))
            let log = world.chain.callLog
            #expect(log.filter { $0 == "application" }.count == 1)
            #expect(log.filter { $0.hasPrefix("session(") }.count == 1)
            #expect(log.filter { $0 == "account" }.count == 2)
            #expect(log.filter { $0.hasPrefix("cupr(") }.count == 1)
            #expect(log.filter { $0.hasPrefix("difficulty(") }.count == 1)
            #expect(try await world.meter(header) == 6 * RelayerWorld.relayCost)
            #expect(try await world.published().count == 6)
        }
    }

    /// A gateway delegated after the ring was cached: a foreign-member
    /// signature makes the relayer re-read the application once per block,
    /// not once per request.
    @Test func aNewDelegationIsPickedUpOncePerBlock() throws {
        let world = RelayerWorld { $0.cache.liveMaxAgeBlocks = 100 }
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            // The chain first reports the app without its gateway.
            world.chain.tamperApplications { $0.delegateeGatewayAddresses = [] }
            let r = try #require(expectRejected(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(r.reason == .invalidRingSignature(.foreignMember))
            // Same block: no refresh, however many foreign requests arrive.
            world.chain.resetCalls()
            _ = await world.relay(try world.signedRequest(header: header).bytes)
            #expect(world.chain.callLog.filter { $0 == "application" }.isEmpty)

            // The delegation becomes visible; next block the ring is refreshed once.
            world.chain.tamperApplications(nil)
            await world.advance(to: 3)
            world.chain.resetCalls()
            _ = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(world.chain.callLog.filter { $0 == "application" }.count == 1)
            // A stranger in the same block does not trigger another refresh.
            world.chain.resetCalls()
            let stranger = try world.signedRequest(header: header, signer: world.stranger, ring: [world.app.publicKey, world.stranger.publicKey])
            #expect(expectRejected(await world.relay(stranger.bytes))?.reason == .invalidRingSignature(.foreignMember))
            #expect(world.chain.callLog.filter { $0 == "application" }.isEmpty)
        }
    }

    /// Bounded: over capacity the oldest entries (by fetch height, then key) go first.
    @Test func cacheStoreEvictsOldestFirst() throws {
        let kernel = SimKernel(seed: 1)
        try kernel.run { () async throws in
            let store = ChainCacheStore<Int64, String>(capacity: 10, maxAgeBlocks: nil)
            for key in Int64(0)..<11 {
                store.beginLoading(key)
                store.finishLoading(key, .success("v\(key)"), at: 100 + key)
            }
            // 11 > 10: dropped to 9, the two oldest fetches evicted.
            #expect(store.count == 9)
            #expect(store.fresh(0, at: 200) == nil)
            #expect(store.fresh(1, at: 200) == nil)
            #expect(try store.fresh(2, at: 200)?.result.get() == "v2")
            // Live entries expire by age; a "not found" is remembered for its block only.
            let live = ChainCacheStore<Int64, String>(capacity: 10, maxAgeBlocks: 2)
            live.beginLoading(1)
            live.finishLoading(1, .success("x"), at: 10)
            #expect(live.fresh(1, at: 11) != nil)
            #expect(live.fresh(1, at: 12) == nil)
            live.beginLoading(2)
            live.finishLoading(2, .failure(.notFound("nope")), at: 10)
            #expect(live.fresh(2, at: 10) != nil)
            #expect(live.fresh(2, at: 11) == nil)
            live.beginLoading(3)
            live.finishLoading(3, .failure(.unavailable("down")), at: 10)
            #expect(live.fresh(3, at: 10) == nil)
        }
    }
}

@Suite struct RelayRejectionMappingTests {
    static let cases: [(RelayRejection.Reason, Int, String, Int, UInt32)] = [
        (.malformedRequest("x"), 400, "INVALID_ARGUMENT", 4001, 1),
        (.missingField(.payload), 400, "INVALID_ARGUMENT", 4001, 1),
        (.implausibleSessionHeights(start: 1, end: 2, currentHeight: 30_000, detail: "old"), 400, "INVALID_ARGUMENT", 4001, 1),
        (.ringTooLarge(size: 100, limit: 64), 400, "INVALID_ARGUMENT", 4001, 1),
        (.requestTooLarge(size: 2, limit: 1), 413, "RESOURCE_EXHAUSTED", 1009, 1),
        (.unknownService("s"), 404, "NOT_FOUND", 4001, 3),
        (.transportNotServed(service: "s", transport: .grpc), 404, "UNIMPLEMENTED", 4001, 4),
        (.supplierNotServed("p"), 403, "FAILED_PRECONDITION", 4001, 3),
        (.invalidRingSignature(.invalid), 403, "PERMISSION_DENIED", 4001, 1),
        (.sessionMismatch(field: .sessionID, expected: "a", actual: "b"), 403, "PERMISSION_DENIED", 4001, 1),
        (.supplierNotInSession(supplier: "p", sessionID: "s"), 403, "PERMISSION_DENIED", 4001, 1),
        (.sessionExpired(sessionEnd: 10, gracePeriodEnd: 11, currentHeight: 12), 403, "PERMISSION_DENIED", 4000, 1),
        (.sessionNotFound(application: "a", serviceID: "s", height: 1, detail: "d"), 403, "PERMISSION_DENIED", 4001, 6),
        (.overBudget(consumedUPOKT: 1, costUPOKT: 1, limitUPOKT: 1), 429, "RESOURCE_EXHAUSTED", 4002, 7),
        (.backendFailed(.transport(service: "s", reason: "r")), 502, "UNAVAILABLE", 1011, 5),
        (.backendUnavailable(.unavailable(service: "s", reason: "r")), 503, "UNAVAILABLE", 1013, 5),
        (.backendTimeout(service: "s", afterMilliseconds: 1), 504, "DEADLINE_EXCEEDED", 1011, 5),
        (.meterUnavailable(.unavailable("down")), 503, "UNAVAILABLE", 1013, 5),
        (.chainUnavailable(.timeout("slow")), 503, "UNAVAILABLE", 1013, 5),
        (.internalError("bug"), 500, "INTERNAL", 1011, 5),
    ]

    @Test func everyReasonMapsToAClearClientAnswer() throws {
        for (reason, http, grpc, ws, code) in Self.cases {
            let r = RelayRejection(reason)
            #expect(r.httpStatus == http, "\(r.name)")
            #expect(r.grpcStatus.name == grpc, "\(r.name)")
            #expect(r.webSocketCloseCode == ws, "\(r.name)")
            #expect(r.relayMinerErrorCode == code, "\(r.name)")
            #expect(!r.message.isEmpty)
            let reply = try CanonicalCodec.decode(Pocket_Service_RelayResponse.self, from: r.errorResponseBytes)
            #expect(reply.relayMinerError.description_p == r.relayMinerErrorDescription)
            #expect(reply.payloadHash.isEmpty)
        }
    }

    @Test func jsonBodyIsEscaped() {
        let r = RelayRejection(.malformedRequest("a \"quoted\"\nline\u{1}"))
        let text = String(decoding: r.jsonBody, as: UTF8.self)
        #expect(text.hasPrefix(#"{"error":"invalid relay request"#))
        #expect(text.contains(#"a \"quoted\"\nline\u0001"#))
        #expect(text.hasSuffix(#""}"#))
    }

    @Test func rpcTypeHeadersParse() {
        #expect(BackendTransport(rpcTypeHeader: "3") == .jsonRPC)
        #expect(BackendTransport(rpcTypeHeader: " JSON_RPC ") == .jsonRPC)
        #expect(BackendTransport(rpcTypeHeader: "websocket") == .websocket)
        #expect(BackendTransport(rpcTypeHeader: "COMET_BFT") == .cometBFT)
        #expect(BackendTransport(rpcTypeHeader: "9") == nil)
        #expect(BackendTransport(rpcTypeHeader: "soap") == nil)
    }

    @Test func configValidationNamesEveryProblem() {
        var config = RelayerConfig(services: [RelayerConfig.Service(id: "a", transports: [], backendDeadline: .zero, serviceFactor: -1)])
        config.cache.capacity = 1
        #expect(config.validate() == [
            "service a: no transports configured",
            "service a: backend deadline must be positive",
            "service a: service factor must be positive, got -1.0",
            "cache capacity 1 is too small (minimum 16)",
        ])
        #expect(RelayerConfig(services: [RelayerConfig.Service(id: "ok")]).validate().isEmpty)
    }
}
