import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel
import Testing

@Suite struct RelayerStreamingTests {
    static let sse = [Header("Content-Type", "text/event-stream")]
    static let events: [[UInt8]] = ["data: 1\n\n", "data: 2\n\n", "data: 3\n\n"].map { Array($0.utf8) }

    /// Each chunk is its own signed response; the whole stream is ONE mined
    /// relay over the concatenation, published before the chunk stream ends.
    @Test func eachChunkIsSignedAndTheStreamIsMinedOnce() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.backend.behave(.stream(status: 200, headers: Self.sse, chunks: Self.events, failAfter: nil))
            let signed = try world.signedRequest(header: header)
            guard case .streaming(let stream) = await world.relay(signed.bytes) else {
                Issue.record("expected a streaming answer")
                return
            }
            #expect(stream.status == 200)
            #expect(stream.headers == Self.sse)
            var received: [[UInt8]] = []
            for try await chunk in stream.chunks {
                #expect(try await world.published().isEmpty, "mined before the stream ended")
                #expect(RelayResponseBuilder.verifySupplierSignature(responseBytes: chunk.responseBytes, publicKey: world.supplier.publicKey))
                let response = try CanonicalCodec.decode(Pocket_Service_RelayResponse.self, from: chunk.responseBytes)
                #expect(response.meta.sessionHeader == header)
                let http = try CanonicalCodec.decode(Sdk_Types_POKTHTTPResponse.self, from: response.payload.byteArray)
                #expect(http.statusCode == 200)
                #expect(http.header.isEmpty)
                #expect(http.bodyBz.byteArray == chunk.body)
                received.append(chunk.body)
            }
            #expect(received == Self.events)
            // The end of the stream is seen only after the relay was published.
            let entries = try await world.published()
            #expect(entries.count == 1)

            let outcome = await stream.finish()
            #expect(outcome.chunks == 3)
            #expect(outcome.bytes == Self.events.joined().count)
            #expect(outcome.backendFailure == nil)
            guard case .published(let id) = outcome.mining else {
                Issue.record("expected published, got \(outcome.mining)")
                return
            }
            #expect(entries.first?.id == id)
            let mined = try Pocket_Relayminer_MinedRelayMessage(serializedBytes: try #require(entries.first?.value(of: RedisKeys.relayField)))
            #expect(mined.relayHash.byteArray == outcome.relayHash)
            let relay = try ReceivedRelay(bytes: mined.relayBytes.byteArray)
            let wholePayload = try RelayResponseBuilder.httpPayload(status: 200, headers: [("Content-Type", "text/event-stream")], body: Array(Self.events.joined()))
            #expect(relay.message.res.payloadHash.byteArray == Hash.sha256(wholePayload))
            #expect(SupplierSignature.verify(relay.message.res.meta.supplierOperatorSignature.byteArray,
                                             message: try relay.responseSignableHash(), publicKey: world.supplier.publicKey))
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
            // finish() is idempotent.
            #expect(await stream.finish() == outcome)
        }
    }

    /// A stream that breaks after a chunk: the delivered part stands and is mined.
    @Test func aStreamThatFailsMidwayMinesWhatWasDelivered() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let broken = BackendError.transport(service: RelayerWorld.service, reason: "reset")
            world.backend.behave(.stream(status: 200, headers: Self.sse, chunks: [Self.events[0]], failAfter: broken))
            guard case .streaming(let stream) = await world.relay(try world.signedRequest(header: header).bytes) else {
                Issue.record("expected a streaming answer")
                return
            }
            var got = 0
            var failed = false
            do { for try await _ in stream.chunks { got += 1 } } catch { failed = true }
            #expect(got == 1)
            #expect(failed)
            let outcome = await stream.finish()
            #expect(outcome.chunks == 1)
            #expect(outcome.mining.isAcknowledgedMinable)
            #expect(outcome.backendFailure != nil)
            #expect(try await world.published().count == 1)
            #expect(try await world.meter(header) == RelayerWorld.relayCost)
        }
    }

    /// A stream that fails before any chunk reached the client: refunded, nothing mined.
    @Test func aStreamThatFailsBeforeAnyChunkIsRefunded() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.backend.behave(.stream(status: 200, headers: Self.sse, chunks: [], failAfter: .transport(service: RelayerWorld.service, reason: "reset")))
            guard case .streaming(let stream) = await world.relay(try world.signedRequest(header: header).bytes) else {
                Issue.record("expected a streaming answer")
                return
            }
            do { for try await _ in stream.chunks {} } catch {}
            let outcome = await stream.finish()
            guard case .streamFailed = outcome.mining else {
                Issue.record("expected streamFailed, got \(outcome.mining)")
                return
            }
            #expect(outcome.relayHash == nil)
            #expect(try await world.meter(header) == 0)
            #expect(try await world.published().isEmpty)
        }
    }

    /// The client went away after one chunk: finish() stops reading and mines what was delivered.
    @Test func anAbandonedStreamIsMinedOnFinish() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.backend.behave(.stream(status: 200, headers: Self.sse, chunks: Self.events, failAfter: nil))
            guard case .streaming(let stream) = await world.relay(try world.signedRequest(header: header).bytes) else {
                Issue.record("expected a streaming answer")
                return
            }
            var it = stream.chunks.makeAsyncIterator()
            let first = try await it.next()
            #expect(first?.body == Self.events[0])
            let outcome = await stream.finish()
            #expect(outcome.chunks == 1)
            #expect(outcome.bytes == Self.events[0].count)
            #expect(outcome.mining.isAcknowledgedMinable)
            #expect(try await it.next() == nil)
            #expect(try await world.published().count == 1)
        }
    }

    /// A streamed 5xx is answered whole, refunded and not mined.
    @Test func aStreamed5xxIsAnsweredWholeAndNotMined() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            world.backend.behave(.stream(status: 502, headers: [], chunks: [Array("bad ".utf8), Array("gateway".utf8)], failAfter: nil))
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(served.mining == .backendError(status: 502))
            let http = try CanonicalCodec.decode(Sdk_Types_POKTHTTPResponse.self, from: served.response.payload.byteArray)
            #expect(http.bodyBz.byteArray == Array("bad gateway".utf8))
            #expect(try await world.meter(header) == 0)
            #expect(try await world.published().isEmpty)
        }
    }
}
