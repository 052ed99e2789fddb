import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel
import Testing

@Suite struct RelayerDuplexTests {
    static let subscribe = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#.utf8)

    static func open(_ world: RelayerWorld) async throws -> (DuplexSession, ScriptedDuplex) {
        guard case .opened(let session) = await world.relayer.openDuplex(serviceID: RelayerWorld.service, path: "/ws") else {
            throw DuplexTestError.notOpened
        }
        let backend = try #require(world.backend.openedDuplexes.last)
        return (session, backend)
    }

    enum DuplexTestError: Error { case notOpened }

    /// A valid request frame is checked, charged and its raw payload forwarded;
    /// every backend message is its own signed response and its own mined relay.
    @Test func framesAreValidatedAndEveryBackendMessageIsMined() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let (session, backend) = try await Self.open(world)
            let request = try world.signedRequest(header: header, payload: Self.subscribe)
            guard case .forwarded = await session.clientFrame(.binary(request.bytes)) else {
                Issue.record("the request frame was not forwarded")
                return
            }
            #expect(backend.sent == [.binary(Self.subscribe)])
            #expect(try await world.meter(header) == RelayerWorld.relayCost)

            backend.push(.text(#"{"id":1,"result":"0xsub"}"#))
            backend.push(.text(#"{"method":"eth_subscription","params":{"result":"head 1"}}"#))
            var frames = session.backendFrames.makeAsyncIterator()
            var hashes: [[UInt8]] = []
            for expected in [#"{"id":1,"result":"0xsub"}"#, #"{"method":"eth_subscription","params":{"result":"head 1"}}"#] {
                guard case .relay(let served) = await frames.next() else {
                    Issue.record("expected a signed backend frame")
                    return
                }
                #expect(RelayResponseBuilder.verifySupplierSignature(responseBytes: served.responseBytes, publicKey: world.supplier.publicKey))
                // Raw payload, no HTTP wrapping.
                #expect(served.response.payload.byteArray == Array(expected.utf8))
                #expect(served.response.meta.sessionHeader == header)
                #expect(served.mining.isAcknowledgedMinable)
                hashes.append(try #require(served.relayHash))
            }
            #expect(hashes[0] != hashes[1])
            #expect(try await world.published().count == 2)
            // The first answer used the request's charge; the push paid for itself.
            #expect(try await world.meter(header) == 2 * RelayerWorld.relayCost)
            await session.close()
            #expect(backend.isClosed)
            #expect(await frames.next() == nil)
        }
    }

    /// Unlike the reference, a frame that is not a RelayRequest is refused and never reaches the backend.
    @Test func framesThatAreNotRelayRequestsAreRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let (session, backend) = try await Self.open(world)
            guard case .rejected(let r, let closes) = await session.clientFrame(.text(#"{"jsonrpc":"2.0","method":"eth_blockNumber"}"#)) else {
                Issue.record("a raw JSON frame was forwarded")
                return
            }
            guard case .malformedRequest = r.reason else {
                Issue.record("expected malformed, got \(r.reason)")
                return
            }
            #expect(!closes)
            #expect(r.webSocketCloseCode == 4001)
            #expect(backend.sent.isEmpty)

            // A badly signed request frame is refused too, and costs nothing.
            var forged = try world.signedRequest(header: header, payload: Self.subscribe).request
            forged.payload = Data(Array("{}".utf8))
            guard case .rejected(let r2, _) = await session.clientFrame(.binary(try CanonicalCodec.encode(forged))) else {
                Issue.record("a forged frame was forwarded")
                return
            }
            #expect(r2.reason == .invalidRingSignature(.invalid))
            #expect(backend.sent.isEmpty)
            #expect(try await world.meter(header) == 0)
            await session.close()
        }
    }

    /// Pushes are charged: once the budget is spent the bridge closes with 4002.
    @Test func subscriptionPushesStopAtTheBudget() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header(for: world.poorApp)
            let (session, backend) = try await Self.open(world)
            let request = try world.signedRequest(header: header, payload: Self.subscribe, signer: world.poorApp,
                                                  ring: [world.poorApp.publicKey, world.poorApp.publicKey])
            guard case .forwarded = await session.clientFrame(.binary(request.bytes)) else {
                Issue.record("the request frame was not forwarded")
                return
            }
            for i in 0..<3 { backend.push(.text("push \(i)")) }
            var frames = session.backendFrames.makeAsyncIterator()
            for _ in 0..<2 {
                guard case .relay = await frames.next() else {
                    Issue.record("expected a relay frame")
                    return
                }
            }
            guard case .close(let r) = await frames.next() else {
                Issue.record("expected the bridge to close")
                return
            }
            #expect(r.reason == .overBudget(consumedUPOKT: 84, costUPOKT: 42, limitUPOKT: RelayerWorld.poorLimit))
            #expect(r.webSocketCloseCode == 4002)
            #expect(backend.isClosed)
            #expect(await frames.next() == nil)
            #expect(try await world.meter(header) == 84)
            #expect(try await world.published().count == 2)
            await session.close()
        }
    }

    /// A request that never got an answer is refunded when the bridge closes.
    @Test func unansweredRequestsAreRefundedOnClose() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let (session, _) = try await Self.open(world)
            guard case .forwarded = await session.clientFrame(.binary(try world.signedRequest(header: header, payload: Self.subscribe).bytes)) else {
                Issue.record("the request frame was not forwarded")
                return
            }
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
            await session.close()
            #expect(try await world.meter(header) == 0)
            #expect(try await world.published().isEmpty)
        }
    }

    /// Once the latest request's session is past its grace period, backend frames close the bridge (4000).
    @Test func backendFramesAfterTheGracePeriodCloseTheBridge() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let (session, backend) = try await Self.open(world)
            guard case .forwarded = await session.clientFrame(.binary(try world.signedRequest(header: header, payload: Self.subscribe).bytes)) else {
                Issue.record("the request frame was not forwarded")
                return
            }
            await world.advance(to: 12)
            backend.push(.text("too late"))
            var frames = session.backendFrames.makeAsyncIterator()
            guard case .close(let r) = await frames.next() else {
                Issue.record("expected the bridge to close")
                return
            }
            #expect(r.reason == .sessionExpired(sessionEnd: 10, gracePeriodEnd: 11, currentHeight: 12))
            #expect(backend.isClosed)
            #expect(try await world.published().isEmpty)
            #expect(try await world.meter(header) == 0)
            await session.close()
        }
    }

    @Test func upgradesForUnknownServicesOrWithoutAWebSocketBackendAreRefused() throws {
        let world = RelayerWorld()
        try world.run {
            guard case .rejected(let r1) = await world.relayer.openDuplex(serviceID: "nope") else {
                Issue.record("opened a bridge for an unknown service")
                return
            }
            #expect(r1.httpStatus == 404)
            #expect(r1.reason == .unknownService("nope"))
            guard case .rejected(let r2) = await world.relayer.openDuplex(serviceID: RelayerWorld.otherService) else {
                Issue.record("opened a bridge for a service without a WebSocket backend")
                return
            }
            #expect(r2.reason == .transportNotServed(service: RelayerWorld.otherService, transport: .websocket))
            #expect(world.backend.openedDuplexes.isEmpty)
        }
    }

    /// WebSocket relays are not single requests: `handle` refuses them.
    @Test func webSocketRelaysOutsideADuplexSessionAreRefused() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let answer = await world.relay(try world.signedRequest(header: header, payload: Self.subscribe).bytes, rpcType: .websocket)
            let r = try #require(expectRejected(answer))
            #expect(r.httpStatus == 400)
            guard case .transportMismatch = r.reason else {
                Issue.record("expected transportMismatch, got \(r.reason)")
                return
            }
            #expect(try await world.meter(header) == 0)
        }
    }
}

@Suite struct RelayerDeterminismTests {
    /// Same seed, same relays: the same trace, byte for byte.
    @Test func aRelayRunReplaysBitForBit() throws {
        func runOnce() throws -> (String, [UInt8]?) {
            let world = RelayerWorld(seed: 42)
            let hash = try world.run { () async throws -> [UInt8]? in
                await world.advance(to: 2)
                let header = try await world.header()
                var last: [UInt8]?
                for _ in 0..<3 {
                    last = expectServed(await world.relay(try world.signedRequest(header: header).bytes))?.relayHash
                }
                _ = await world.relay([0x0a, 0x10])
                return last
            }
            return (world.kernel.trace.hashHex, hash)
        }
        let a = try runOnce()
        let b = try runOnce()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        #expect(a.1 != nil)
    }
}
