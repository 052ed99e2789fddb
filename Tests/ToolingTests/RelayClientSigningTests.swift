import Foundation
import PocketProtocol
import RelayClient
import Testing

/// Requests built by the client against the live chain reader: the ring is
/// the application's on-chain ring, the signature verifies with the protocol
/// layer's relay-miner check, and every request is signed afresh.
@Suite(.timeLimit(.minutes(2)))
struct RelayClientSigningTests {
    /// The expected member set the relay miner derives for `app` (app + delegated gateways, or the placeholder).
    static func acceptedRing(app: PrivateKey, gateways: [PrivateKey]) -> Set<PublicKey> {
        Set([app.publicKey] + (gateways.isEmpty ? [RingMembership.placeholderPublicKey] : gateways.map(\.publicKey)))
    }

    @Test func aBuiltRequestsRingSignatureVerifiesAgainstTheApplicationsRingAndTwoRequestsDiffer() async throws {
        try await RelayClientChain.run { world in
            let keys = RelaySigningKeys(application: RelayClientKeys.app)
            let preparer = try world.preparer(for: keys, transport: .jsonrpc)
            let first = try await preparer.prepare(index: 0)
            let second = try await preparer.prepare(index: 1)

            let session = try await preparer.resolver.current()
            #expect(session.startHeight == 1 && session.endHeight == 4)
            #expect(session.ring == [RelayClientKeys.app.publicKey, RelayClientKeys.gateway.publicKey])
            #expect(first.signed.request.meta.sessionHeader == session.header)
            #expect(first.supplier == session.supplierAddresses[0])
            #expect(first.supplierKey == RelayClientKeys.supplierKey(first.supplier)?.publicKey)

            let expected = Self.acceptedRing(app: RelayClientKeys.app, gateways: [RelayClientKeys.gateway])
            for prepared in [first, second] {
                // Decode the bytes that go on the wire, as the relayer does, and verify.
                let decoded = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: prepared.signed.bytes)
                let result = RingMembership.accepts(signature: Bytes(decoded.meta.signature), message: try decoded.signableHash(), expected: expected)
                #expect(throws: Never.self) { try result.get() }
            }
            // Same payload, same session, same supplier: only the fresh ring signature differs.
            #expect(first.signed.signableHash == second.signed.signableHash)
            #expect(first.signed.request.meta.signature != second.signed.request.meta.signature)
            #expect(first.signed.bytes != second.signed.bytes)
        }
    }

    @Test func aDelegatedGatewaySignsForTheApplicationAndTheSoloApplicationSignsOverAppApp() async throws {
        try await RelayClientChain.run { world in
            let gatewayKeys = RelaySigningKeys(gateway: RelayClientKeys.gateway, applicationAddress: RelayClientKeys.app.publicKey.address())
            let viaGateway = try await world.preparer(for: gatewayKeys, transport: .jsonrpc).prepare(index: 0)
            let decoded = try RingSignature(serialized: Bytes(viaGateway.signed.request.meta.signature))
            #expect(decoded.ring == [RelayClientKeys.app.publicKey, RelayClientKeys.gateway.publicKey])
            #expect(decoded.verify(message: viaGateway.signed.signableHash))
            #expect(viaGateway.signed.request.meta.sessionHeader.applicationAddress == RelayClientKeys.app.publicKey.address())

            let solo = try await world.preparer(for: RelaySigningKeys(application: RelayClientKeys.soloApp), transport: .jsonrpc).prepare(index: 0)
            let soloRing = try RingSignature(serialized: Bytes(solo.signed.request.meta.signature))
            #expect(soloRing.ring == [RelayClientKeys.soloApp.publicKey, RelayClientKeys.soloApp.publicKey])
            let accepted = RingMembership.accepts(signature: Bytes(solo.signed.request.meta.signature), message: solo.signed.signableHash,
                                                  expected: Self.acceptedRing(app: RelayClientKeys.soloApp, gateways: []))
            #expect(throws: Never.self) { try accepted.get() }
        }
    }

    @Test func aGatewayTheApplicationDoesNotDelegateToIsRefusedWithAClearError() async throws {
        try await RelayClientChain.run { world in
            let keys = RelaySigningKeys(gateway: RelayClientKeys.otherGateway, applicationAddress: RelayClientKeys.app.publicKey.address())
            let preparer = try world.preparer(for: keys, transport: .jsonrpc)
            let error = await #expect(throws: RelayClientError.self) { try await preparer.prepare(index: 0) }
            #expect(error?.description.contains("is not in the ring of application \(RelayClientKeys.app.publicKey.address())") == true)
        }
    }

    @Test func roundRobinCyclesThroughTheSessionsSuppliers() async throws {
        try await RelayClientChain.run { world in
            let keys = RelaySigningKeys(application: RelayClientKeys.app)
            let preparer = try world.preparer(for: keys, transport: .jsonrpc, selection: .roundRobin)
            let session = try await preparer.resolver.current()
            #expect(Set(session.supplierAddresses) == Set(RelayClientKeys.suppliers.map { $0.publicKey.address() }))
            let suppliers = try await (0..<4).asyncMap { try await preparer.prepare(index: $0).supplier }
            #expect(suppliers == [0, 1, 0, 1].map { session.supplierAddresses[$0] })
        }
    }

    @Test func payloadsAreTheWireShapesTheRelayerExpects() throws {
        let jsonrpc = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try RelayPayloads.payload(.init(transport: .jsonrpc)))
        #expect(jsonrpc.method == "POST")
        #expect(String(decoding: jsonrpc.bodyBz, as: UTF8.self) == RelayPayloads.defaultJSONRPCBody)
        #expect(jsonrpc.header["Content-Type"]?.values == ["application/json"])

        let comet = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try RelayPayloads.payload(.init(transport: .cometbft)))
        #expect(String(decoding: comet.bodyBz, as: UTF8.self).contains(#""method":"status""#))

        let rest = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try RelayPayloads.payload(.init(transport: .rest, path: "/v1/height")))
        #expect(rest.method == "GET" && rest.url == "/v1/height" && rest.bodyBz.isEmpty)

        let stream = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try RelayPayloads.payload(.init(transport: .stream, batches: 3)))
        #expect(stream.url == "/stream/sse?batches=3")

        let grpc = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try RelayPayloads.payload(.init(transport: .grpc)))
        #expect(grpc.url == "/demo.DemoService/GetBlockHeight")
        #expect(Bytes(grpc.bodyBz) == [0, 0, 0, 0, 0])
        #expect(grpc.header["Content-Type"]?.values == ["application/grpc"])

        // WebSocket carries the raw message, no POKTHTTPRequest.
        #expect(try RelayPayloads.payload(.init(transport: .websocket, body: "hello")) == Array("hello".utf8))
        #expect(RelayPayloads.grpcFrame(Array(repeating: 7, count: 300)).prefix(5) == [0, 0, 0, 1, 44])
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
