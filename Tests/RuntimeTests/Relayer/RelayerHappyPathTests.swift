import Foundation
import PocketProtocol
import RelayRuntime
import SimKernel
import Testing

@Suite struct RelayerHappyPathTests {
    /// A valid relay is served with a response signed by the supplier, charged
    /// once, and published with every `MinedRelayMessage` field exact — before
    /// `handle` returns.
    @Test func servesSignsChargesAndPublishesTheExactMinedRelay() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 3)
            let header = try await world.header()
            let signed = try world.signedRequest(header: header)
            let answer = await world.relay(signed.bytes)
            let served = try #require(expectServed(answer))

            // The client's answer: a RelayResponse for the request's session, signed by the supplier.
            let response = try CanonicalCodec.decode(Pocket_Service_RelayResponse.self, from: served.responseBytes)
            #expect(response.meta.sessionHeader == header)
            #expect(!response.hasRelayMinerError)
            #expect(response.payloadHash.byteArray == Hash.sha256(response.payload.byteArray))
            #expect(RelayResponseBuilder.verifySupplierSignature(responseBytes: served.responseBytes, publicKey: world.supplier.publicKey))
            #expect(!RelayResponseBuilder.verifySupplierSignature(responseBytes: served.responseBytes, publicKey: world.keylessSupplier.publicKey))
            let http = try CanonicalCodec.decode(Sdk_Types_POKTHTTPResponse.self, from: response.payload.byteArray)
            #expect(http.statusCode == 200)
            #expect(http.header["Content-Type"]?.values == ["application/json"])
            #expect(http.bodyBz.byteArray == Array(#"{"jsonrpc":"2.0","id":1,"result":"0x10"}"#.utf8))
            #expect(served.backendStatus == 200)

            // The backend got the payload's request, with who it is for.
            let forwarded = try #require(world.backend.requests.first)
            #expect(forwarded.method == "POST")
            #expect(forwarded.path == "/v1?x=1")
            #expect(forwarded.transport == .jsonRPC)
            #expect(forwarded.body == Array(#"{"jsonrpc":"2.0","method":"eth_blockNumber","id":1}"#.utf8))
            #expect(forwarded.headers.contains(Header("Content-Type", "application/json")))
            #expect(forwarded.headers.contains(Header("Pocket-Supplier", world.supplierAddress)))
            #expect(forwarded.headers.contains(Header("Pocket-Application", world.appAddress)))

            // Charged once, after verification.
            #expect(try await world.meter(header) == RelayerWorld.relayCost)

            // Published before the answer, with the exact fields.
            let entries = try await world.published()
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            guard case .published(let id) = served.mining else {
                Issue.record("expected published, got \(served.mining)")
                return
            }
            #expect(entry.id == id)
            let data = try #require(entry.value(of: RedisKeys.relayField))
            let mined = try Pocket_Relayminer_MinedRelayMessage(serializedBytes: data)
            let dehydrated = try DehydratedRelay(request: signed.request, response: response)
            #expect(mined.relayHash.byteArray == dehydrated.hash)
            #expect(mined.relayBytes.byteArray == dehydrated.bytes)
            #expect(served.relayHash == dehydrated.hash)
            #expect(mined.computeUnitsPerRelay == RelayerWorld.computeUnitsPerRelay)
            #expect(mined.sessionID == header.sessionID)
            #expect(mined.sessionStartHeight == header.sessionStartBlockHeight)
            #expect(mined.sessionEndHeight == header.sessionEndBlockHeight)
            #expect(mined.supplierOperatorAddress == world.supplierAddress)
            #expect(mined.serviceID == RelayerWorld.service)
            #expect(mined.applicationAddress == world.appAddress)
            #expect(mined.arrivalBlockHeight == 3)
            #expect(mined.publishedAtUnixNano == world.kernel.clock.now.unixNanoseconds)

            // The mined relay carries the request as received and the response without payload,
            // and its supplier signature verifies (what the chain checks in a proof).
            let relay = try ReceivedRelay(bytes: mined.relayBytes.byteArray)
            #expect(relay.message.req == signed.request)
            #expect(relay.message.res.payload.isEmpty)
            #expect(SupplierSignature.verify(relay.message.res.meta.supplierOperatorSignature.byteArray,
                                             message: try relay.responseSignableHash(), publicKey: world.supplier.publicKey))

            #expect(world.telemetry.total(RelayerMetrics.relaysServed.name) == 1)
            #expect(world.telemetry.total(RelayerMetrics.relaysRejected.name) == 0)
        }
    }

    /// The application's own key (ring [app, app] with no gateway) is accepted too,
    /// and chain data is cached: a second relay in the same block queries nothing.
    @Test func secondRelayOfTheBlockUsesTheCaches() throws {
        let world = RelayerWorld()
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let first = try world.signedRequest(header: header, signer: world.app, ring: [world.app.publicKey, world.app.publicKey])
            _ = try #require(expectServed(await world.relay(first.bytes)))
            world.chain.resetCalls()
            let second = try world.signedRequest(header: header)
            let served = try #require(expectServed(await world.relay(second.bytes)))
            #expect(served.mining.isAcknowledgedMinable)
            #expect(world.chain.callLog == [])
            #expect(try await world.meter(header) == 2 * RelayerWorld.relayCost)
            #expect(try await world.published().count == 2)
        }
    }

    /// Relays whose hash is not below the difficulty target are served and
    /// charged but never published.
    @Test func nonApplicableRelaysAreServedButNotPublished() throws {
        let world = RelayerWorld(difficultyTarget: [UInt8](repeating: 0, count: 32))
        try world.run {
            await world.advance(to: 2)
            let header = try await world.header()
            let served = try #require(expectServed(await world.relay(try world.signedRequest(header: header).bytes)))
            #expect(served.mining == .notApplicable)
            #expect(served.relayHash != nil)
            #expect(try await world.published().isEmpty)
            #expect(RelayResponseBuilder.verifySupplierSignature(responseBytes: served.responseBytes, publicKey: world.supplier.publicKey))
        }
    }
}
