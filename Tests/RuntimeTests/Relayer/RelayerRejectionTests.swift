import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel
import Testing

/// One test per rejection path: the exact reason and client-facing status,
/// that nothing was charged (or the charge was refunded), and that nothing
/// was published.
@Suite struct RelayerRejectionTests {
    /// Asserts the common "refused for free" facts and returns the rejection.
    static func refusedForFree(
        _ world: RelayerWorld, _ answer: RelayAnswer, header: Pocket_Session_SessionHeader?, status: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RelayRejection? {
        guard let rejection = expectRejected(answer, sourceLocation: sourceLocation) else { return nil }
        #expect(rejection.httpStatus == status, "\(rejection)", sourceLocation: sourceLocation)
        if let header {
            #expect(try await world.meter(header) == 0, "charged for a refused relay", sourceLocation: sourceLocation)
        }
        #expect(try await world.published().isEmpty, "published a refused relay", sourceLocation: sourceLocation)
        #expect(world.backend.requests.isEmpty, "forwarded a refused relay", sourceLocation: sourceLocation)
        #expect(world.telemetry.total(RelayerMetrics.relaysRejected.name) >= 1, sourceLocation: sourceLocation)
        // The reference's error reply: unsigned, with the header and a relayer_proxy error.
        let reply = try CanonicalCodec.decode(Pocket_Service_RelayResponse.self, from: rejection.errorResponseBytes)
        #expect(reply.meta.supplierOperatorSignature.isEmpty, sourceLocation: sourceLocation)
        #expect(reply.relayMinerError.codespace == "relayer_proxy", sourceLocation: sourceLocation)
        #expect(reply.relayMinerError.code == rejection.relayMinerErrorCode, sourceLocation: sourceLocation)
        #expect(reply.relayMinerError.message == rejection.message, sourceLocation: sourceLocation)
        #expect(reply.payload.byteArray == Array(rejection.message.utf8), sourceLocation: sourceLocation)
        if let header { #expect(reply.meta.sessionHeader == header, sourceLocation: sourceLocation) }
        return rejection
    }

    // MARK: Ring signature

    @Test func badRingSignatureIsRefusedBeforeAnyCharge() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            var request = try world.signedRequest(header: header).request
            // Tamper with the signed payload: the signature no longer covers the request.
            request.payload = Data(RelayerWorld.defaultPayload + [0x22, 0x00])
            let answer = await world.relay(try CanonicalCodec.encode(request))
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .invalidRingSignature(.invalid))
            #expect(r.grpcStatus == .permissionDenied)
            #expect(r.relayMinerErrorCode == 1)
            #expect(r.message.contains("ring signature verification failed"))
        }
    }

    @Test func malformedRingSignatureIsRefusedWithoutChainQueries() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            var request = try world.signedRequest(header: header).request
            request.meta.signature = Data([0, 0, 0, 1, 9, 9])
            world.chain.resetCalls()
            let answer = await world.relay(try CanonicalCodec.encode(request))
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .invalidRingSignature(.malformed(.tooShort(ringSize: 1, length: 6))))
            #expect(world.chain.callCount == 0)
        }
    }

    /// A ring far larger than any application's is refused before its points are parsed.
    @Test func hugeRingIsRefusedBeforeParsing() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            var request = try world.signedRequest(header: header).request
            request.meta.signature = Data([0x00, 0x01, 0x86, 0xa0] + [UInt8](repeating: 0x02, count: 100))
            world.chain.resetCalls()
            let answer = await world.relay(try CanonicalCodec.encode(request))
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 400))
            #expect(r.reason == .ringTooLarge(size: 100_000, limit: 64))
            #expect(world.chain.callCount == 0)
        }
    }

    @Test func ringMemberOutsideTheApplicationsRingIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            // A staked gateway the app does not delegate to signs with a ring containing itself.
            let ring = [world.app.publicKey, world.stranger.publicKey]
            let signed = try world.signedRequest(header: header, signer: world.stranger, ring: ring)
            let answer = await world.relay(signed.bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .invalidRingSignature(.foreignMember))
            #expect(r.message.contains("outside the application's ring"))
        }
    }

    /// The meter is charged only after the signature is verified: with a
    /// budget one relay short of full, an invalid signature spends nothing and
    /// the next valid relay still fits.
    @Test func invalidSignatureNeverCharges() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header(for: world.poorApp)
            let poorRing = [world.poorApp.publicKey, world.poorApp.publicKey]
            let valid = try world.signedRequest(header: header, signer: world.poorApp, ring: poorRing)
            _ = try #require(expectServed(await world.relay(valid.bytes)))
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
            for _ in 0..<5 {
                var forged = valid.request
                forged.payload = Data(RelayerWorld.defaultPayload + [0x22, 0x01, 0x61])
                let r = try #require(expectRejected(await world.relay(try CanonicalCodec.encode(forged))))
                #expect(r.reason == .invalidRingSignature(.invalid))
            }
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
            let again = try world.signedRequest(header: header, signer: world.poorApp, ring: poorRing)
            _ = try #require(expectServed(await world.relay(again.bytes)))
            #expect(try await world.meter(header) == 2 * RelayerWorld.relayCost)
        }
    }

    // MARK: Session

    @Test func wrongSessionIDIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let real = try await world.header()
            var header = real
            header.sessionID = String(repeating: "ab", count: 32)
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .sessionMismatch(field: .sessionID, expected: real.sessionID, actual: header.sessionID))
            #expect(try await world.meter(real) == 0)
        }
    }

    @Test func wrongSessionStartIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let real = try await world.header()
            var header = real
            header.sessionStartBlockHeight = real.sessionStartBlockHeight + 1
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .sessionMismatch(field: .sessionStartHeight, expected: "1", actual: "2"))
        }
    }

    @Test func wrongSessionEndIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let real = try await world.header()
            var header = real
            header.sessionEndBlockHeight = real.sessionEndBlockHeight + 1
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .sessionMismatch(field: .sessionEndHeight, expected: "10", actual: "11"))
        }
    }

    /// Another (real) application's address with this session's id: the chain's
    /// session for that app has another id.
    @Test func wrongApplicationIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let real = try await world.header()
            let poorReal = try await world.header(for: world.poorApp)
            var header = real
            header.applicationAddress = world.poorApp.publicKey.address()
            let signed = try world.signedRequest(header: header, signer: world.poorApp, ring: [world.poorApp.publicKey, world.poorApp.publicKey])
            let answer = await world.relay(signed.bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .sessionMismatch(field: .sessionID, expected: poorReal.sessionID, actual: real.sessionID))
            #expect(try await world.meter(poorReal) == 0)
        }
    }

    /// A service the relayer serves but the application is not staked for: the chain has no such session.
    @Test func serviceWithoutASessionIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            var header = try await world.header()
            header.serviceID = RelayerWorld.otherService
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            guard case .sessionNotFound(let app, let service, let height, _) = r.reason else {
                Issue.record("expected sessionNotFound, got \(r.reason)")
                return
            }
            #expect((app, service, height) == (world.appAddress, RelayerWorld.otherService, 2))
            #expect(r.relayMinerErrorCode == 6)
        }
    }

    /// Each header field is compared with the chain's: a chain session that
    /// differs in exactly one field is reported as that field's mismatch.
    @Test(arguments: SessionHeaderField.allCases)
    func everyHeaderFieldIsCompared(field: SessionHeaderField) throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let expected: String
            switch field {
            case .applicationAddress: expected = world.poorApp.publicKey.address()
            case .serviceID: expected = "tampered"
            case .sessionID: expected = String(repeating: "cd", count: 32)
            case .sessionStartHeight: expected = "0"
            case .sessionEndHeight: expected = "99"
            }
            world.chain.tamperSessions { h in
                switch field {
                case .applicationAddress: h.applicationAddress = expected
                case .serviceID: h.serviceID = expected
                case .sessionID: h.sessionID = expected
                case .sessionStartHeight: h.sessionStartBlockHeight = 0
                case .sessionEndHeight: h.sessionEndBlockHeight = 99
                }
            }
            let actual: String
            switch field {
            case .applicationAddress: actual = header.applicationAddress
            case .serviceID: actual = header.serviceID
            case .sessionID: actual = header.sessionID
            case .sessionStartHeight: actual = String(header.sessionStartBlockHeight)
            case .sessionEndHeight: actual = String(header.sessionEndBlockHeight)
            }
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .sessionMismatch(field: field, expected: expected, actual: actual))
            #expect(r.message.contains(field.rawValue))
        }
    }

    @Test func supplierNotInTheSessionIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let outsider = world.outsider.publicKey.address()
            let answer = await world.relay(try world.signedRequest(header: header, supplier: outsider).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .supplierNotInSession(supplier: outsider, sessionID: header.sessionID))
            #expect(r.supplier == outsider)
            #expect(try await world.meter(header, supplier: outsider) == 0)
            #expect(try await world.published(supplier: outsider).isEmpty)
        }
    }

    /// A supplier of the session this relayer holds no key for is refused
    /// before any chain or Redis access.
    @Test func supplierWithoutKeyIsRefusedBeforeAnyIO() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let keyless = world.keylessSupplier.publicKey.address()
            world.chain.resetCalls()
            world.redis.resetLog()
            let answer = await world.relay(try world.signedRequest(header: header, supplier: keyless).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .supplierNotServed(keyless))
            #expect(r.grpcStatus == .failedPrecondition)
            #expect(r.relayMinerErrorCode == 3)
            #expect(world.chain.callCount == 0)
            #expect(world.redis.commandNames.isEmpty)
        }
    }

    /// Localnet: session [1, 10], grace 1 → accepted through height 11, refused from 12.
    @Test func expiredSessionIsRefusedAfterItsGracePeriod() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            await world.advance(to: 12)
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 403))
            #expect(r.reason == .sessionExpired(sessionEnd: 10, gracePeriodEnd: 11, currentHeight: 12))
            #expect(r.webSocketCloseCode == 4000)
            #expect(r.message.contains("session expired"))
        }
    }

    /// Inside the grace period the ended session is looked up at its end height and the relay is served and mined.
    @Test func lateRelayInsideTheGracePeriodIsAccepted() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            await world.advance(to: 11)
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(served.mining.isAcknowledgedMinable)
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
            let entries = try await world.published()
            #expect(entries.count == 1)
            let mined = try Pocket_Relayminer_MinedRelayMessage(serializedBytes: try #require(entries.first?.value(of: RedisKeys.relayField)))
            #expect(mined.arrivalBlockHeight == 11)
            #expect(mined.sessionEndHeight == 10)
            #expect(world.chain.callLog.contains("session(10)"))
        }
    }

    @Test func implausibleHeightsAreRefusedWithoutIO() throws {
        let world = RelayerWorld { $0.plausibility = RelayerConfig.Plausibility(maxSessionLengthBlocks: 100, maxBlocksAhead: 5, maxBlocksBehind: 50) }
        try world.run {
            await world.advance(to: 2)
            var header = try await world.header()
            header.sessionStartBlockHeight = 20
            header.sessionEndBlockHeight = 29
            world.chain.resetCalls()
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 400))
            guard case .implausibleSessionHeights(20, 29, 2, let detail) = r.reason else {
                Issue.record("expected implausible heights, got \(r.reason)")
                return
            }
            #expect(detail == "it starts 18 blocks after the current height")
            #expect(world.chain.callCount == 0)
        }
    }

    // MARK: Meter

    /// Budget 100 uPOKT, 42 per relay: two relays fit, the third is refused with
    /// 429 and its charge given back.
    @Test func overBudgetIsRefusedAndTheChargeGivenBack() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header(for: world.poorApp)
            let ring = [world.poorApp.publicKey, world.poorApp.publicKey]
            for _ in 0..<2 {
                _ = try #require(expectServed(await world.relay(try world.signedRequest(header: header, signer: world.poorApp, ring: ring).bytes)))
            }
            #expect(try await world.meter(header) == 84)
            let forwardedBefore = world.backend.requests.count
            let answer = await world.relay(try world.signedRequest(header: header, signer: world.poorApp, ring: ring).bytes)
            let r = try #require(expectRejected(answer))
            #expect(r.httpStatus == 429)
            #expect(r.grpcStatus == .resourceExhausted)
            #expect(r.reason == .overBudget(consumedUPOKT: 84, costUPOKT: 42, limitUPOKT: RelayerWorld.poorLimit))
            #expect(r.relayMinerErrorCode == 7)
            #expect(r.relayMinerErrorDescription == "offchain rate limit hit by relayer proxy")
            #expect(r.message.hasPrefix("session relay limit reached: claimable portion fully consumed"))
            #expect(r.webSocketCloseCode == 4002)
            #expect(try await world.meter(header) == 84)
            #expect(world.backend.requests.count == forwardedBefore)
            #expect(try await world.published().count == 2)
        }
    }

    /// Fail closed by default: Redis down at the meter refuses with 503 and forwards nothing.
    @Test func meterUnavailableFailsClosed() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.redis.fail { if case .incrBy = $0 { return true }; return false }
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 503))
            guard case .meterUnavailable(.unavailable) = r.reason else {
                Issue.record("expected meterUnavailable, got \(r.reason)")
                return
            }
        }
    }

    /// Fail open when configured: served, published, counted as bypassed.
    @Test func meterUnavailableCanFailOpen() throws {
        let world = RelayerWorld { $0.meter.onRedisFailure = .failOpen }
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.redis.fail { if case .incrBy = $0 { return true }; return false }
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(served.mining.isAcknowledgedMinable)
            #expect(try await world.meter(header) == 0)
            #expect(world.telemetry.total(RelayerMetrics.meterBypassed.name) == 1)
        }
    }

    // MARK: Request shape

    @Test func unknownServiceIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            var header = try await world.header()
            header.serviceID = "nope"
            world.chain.resetCalls()
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 404))
            #expect(r.reason == .unknownService("nope"))
            #expect(r.grpcStatus == .notFound)
            #expect(r.message.hasPrefix("unknown service: nope"))
            #expect(world.chain.callCount == 0)
            #expect(world.telemetry.total(RelayerMetrics.relaysRejected.name) == 1)
        }
    }

    @Test func transportTheServiceDoesNotOfferIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let answer = await world.relay(try world.signedRequest(header: header).bytes, rpcType: .cometBFT)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 404))
            #expect(r.reason == .transportNotServed(service: RelayerWorld.service, transport: .cometBFT))
        }
    }

    @Test func malformedProtobufIsRefusedBeforeAnyIO() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            world.chain.resetCalls()
            world.redis.resetLog()
            // Field 1 (meta) declared 16 bytes long, 2 present.
            let answer = await world.relay([0x0a, 0x10, 0x01, 0x02])
            let r = try #require(try await Self.refusedForFree(world, answer, header: nil, status: 400))
            guard case .malformedRequest = r.reason else {
                Issue.record("expected malformed, got \(r.reason)")
                return
            }
            #expect(r.grpcStatus == .invalidArgument)
            #expect(r.message.hasPrefix("invalid relay request: body must be a valid RelayRequest protobuf"))
            #expect(world.chain.callCount == 0)
            #expect(world.redis.commandNames.isEmpty)
        }
    }

    @Test func payloadThatIsNotAPOKTHTTPRequestIsRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let answer = await world.relay(try world.signedRequest(header: header, payload: [0xff, 0xff, 0xff]).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 400))
            guard case .malformedRequest(let detail) = r.reason else {
                Issue.record("expected malformed, got \(r.reason)")
                return
            }
            #expect(detail.hasPrefix("payload is not a POKTHTTPRequest"))
        }
    }

    @Test func missingFieldsAreRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            #expect(expectRejected(await world.relay([]))?.reason == .missingField(.sessionHeader))
            var noSupplier = try world.signedRequest(header: header).request
            noSupplier.meta.supplierOperatorAddress = ""
            #expect(expectRejected(await world.relay(try CanonicalCodec.encode(noSupplier)))?.reason == .missingField(.supplierOperatorAddress))
            var noService = header
            noService.serviceID = ""
            #expect(expectRejected(await world.relay(try world.signedRequest(header: noService).bytes))?.reason == .missingField(.serviceID))
            var unsigned = try world.signedRequest(header: header).request
            unsigned.meta.signature = Data()
            #expect(expectRejected(await world.relay(try CanonicalCodec.encode(unsigned)))?.reason == .missingField(.signature))
            #expect(try await world.meter(header) == 0)
            #expect(try await world.published().isEmpty)
        }
    }

    /// Over the global limit: refused before decoding. Over the service's limit: refused after decoding, before I/O.
    @Test func oversizedBodiesAreRefused() throws {
        let world = RelayerWorld { $0.maxRequestBodyBytes = 128 * 1024 }
        try world.run {
            await world.advance(to: 2)
            let huge = [UInt8](repeating: 0, count: 128 * 1024 + 1)
            let r1 = try #require(try await Self.refusedForFree(world, await world.relay(huge), header: nil, status: 413))
            #expect(r1.reason == .requestTooLarge(size: huge.count, limit: 128 * 1024))
            #expect(r1.webSocketCloseCode == 1009)

            let header = try await world.header()
            var http = Sdk_Types_POKTHTTPRequest()
            http.method = "POST"
            http.bodyBz = Data(repeating: 0x61, count: 70 * 1024)
            let big = try world.signedRequest(header: header, payload: try CanonicalCodec.encode(http))
            world.chain.resetCalls()
            let r2 = try #require(try await Self.refusedForFree(world, await world.relay(big.bytes), header: header, status: 413))
            #expect(r2.reason == .requestTooLarge(size: big.bytes.count, limit: 64 * 1024))
            #expect(world.chain.callCount == 0)
        }
    }

    @Test func relaysBeforeTheFirstBlockAreRefusedAsNotReady() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            // A second relayer that has not seen a block yet.
            let ports = RuntimePorts(redis: world.redis, keys: StaticKeys([world.supplier]), clock: world.kernel.clock,
                                     entropy: world.kernel.entropy, telemetry: world.telemetry)
            let fresh = Relayer(
                config: world.config, ports: ports, chain: world.chain, backend: world.backend, blocks: BlockTracker(chain: world.chain, clock: world.kernel.clock, telemetry: world.telemetry, component: "fresh")
            )
            let answer = await fresh.handle(IncomingRelay(body: try world.signedRequest(header: header).bytes, rpcType: .jsonRPC))
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 503))
            guard case .notReady = r.reason else {
                Issue.record("expected notReady, got \(r.reason)")
                return
            }
        }
    }

    @Test func chainUnavailableIsRefusedWith503() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.chain.setUnavailable(true)
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(try await Self.refusedForFree(world, answer, header: header, status: 503))
            #expect(r.reason == .chainUnavailable(.unavailable("injected: chain node unreachable")))
        }
    }

    // MARK: Backend

    @Test func backendDownIsRefusedAndRefunded() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let down = BackendError.unavailable(service: RelayerWorld.service, reason: "all endpoints unhealthy")
            world.backend.behave(.fail(down))
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(expectRejected(answer))
            #expect(r.httpStatus == 503)
            #expect(r.reason == .backendUnavailable(down))
            #expect(world.backend.requests.count == 1)
            #expect(try await world.meter(header) == 0)
            #expect(try await world.published().isEmpty)
            #expect(world.telemetry.total(RelayerMetrics.meterRefunds.name) == 1)
            #expect(world.redis.commandNames.filter { $0 == "INCRBY" }.count == 2)

            let broken = BackendError.transport(service: RelayerWorld.service, reason: "connection reset")
            world.backend.behave(.fail(broken))
            let r2 = try #require(expectRejected(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(r2.httpStatus == 502)
            #expect(r2.reason == .backendFailed(broken))
            #expect(try await world.meter(header) == 0)
        }
    }

    @Test func backendPastItsDeadlineIsRefusedAndRefunded() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.backend.behave(.slow(.seconds(60)))
            let before = world.kernel.clock.now
            let answer = await world.relay(try world.signedRequest(header: header).bytes)
            let r = try #require(expectRejected(answer))
            #expect(r.httpStatus == 504)
            #expect(r.reason == .backendTimeout(service: RelayerWorld.service, afterMilliseconds: 5_000))
            #expect(before.duration(to: world.kernel.clock.now) == .seconds(5))
            #expect(try await world.meter(header) == 0)
            #expect(try await world.published().isEmpty)
        }
    }

    /// 5xx: the answer is signed and returned (the gateway sees the backend's
    /// status), the charge refunded, nothing mined.
    @Test func backend5xxIsServedRefundedAndNotMinable() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.backend.behave(.answer(status: 503, headers: [], body: Array("overloaded".utf8)))
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(served.mining == .backendError(status: 503))
            #expect(served.relayHash == nil)
            #expect(served.backendStatus == 503)
            #expect(RelayResponseBuilder.verifySupplierSignature(responseBytes: served.responseBytes, publicKey: world.supplier.publicKey))
            let http = try CanonicalCodec.decode(Sdk_Types_POKTHTTPResponse.self, from: served.response.payload.byteArray)
            #expect(http.statusCode == 503)
            #expect(try await world.meter(header) == 0)
            #expect(try await world.published().isEmpty)
        }
    }

    /// 4xx are client errors: served, paid and mined (as the reference).
    @Test func backend4xxIsMined() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.backend.behave(.answer(status: 404, headers: [], body: Array("no such method".utf8)))
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(served.mining.isAcknowledgedMinable)
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
        }
    }

    // MARK: Publish

    /// Redis fails at the append: the client still gets its signed answer, the
    /// relay is counted served_unpublished (never silent).
    @Test func redisDownAtPublishServesUnpublished() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.redis.fail { if case .appendUnlessSealed = $0 { return true }; return false }
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            guard case .unpublished(.unavailable) = served.mining else {
                Issue.record("expected unpublished, got \(served.mining)")
                return
            }
            #expect(served.mining.label == "served_unpublished")
            #expect(RelayResponseBuilder.verifySupplierSignature(responseBytes: served.responseBytes, publicKey: world.supplier.publicKey))
            #expect(try await world.published().isEmpty)
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
            #expect(world.telemetry.counterSnapshot.contains { $0.0 == "ha_relayer_relays_served_total{service=svc,mining=served_unpublished}" && $0.1 == 1 })
        }
    }

    /// The session is sealed (its claim is being built): served, not minable, counted late.
    @Test func sealedSessionIsServedButNotMinable() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            try await world.seal(header)
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(served.mining == .late)
            #expect(served.relayHash != nil)
            #expect(RelayResponseBuilder.verifySupplierSignature(responseBytes: served.responseBytes, publicKey: world.supplier.publicKey))
            #expect(try await world.published().isEmpty)
            #expect(world.telemetry.counterSnapshot.contains { $0.0 == "ha_relayer_relays_served_total{service=svc,mining=late}" && $0.1 == 1 })
        }
    }
}
