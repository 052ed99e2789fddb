import Foundation
import Testing
@testable import PocketProtocol

@Suite struct RelayRequestBuilderTests {
    static let app = PrivateKey.fromSecret("builder-app")
    static let gatewayA = PrivateKey.fromSecret("builder-gateway-a")
    static let gatewayB = PrivateKey.fromSecret("builder-gateway-b")
    static let supplier = PrivateKey.fromSecret("builder-supplier").publicKey.address()
    static let payload = Bytes(#"{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}"#.utf8)

    static var header: Pocket_Session_SessionHeader {
        var h = Pocket_Session_SessionHeader()
        h.applicationAddress = app.publicKey.address()
        h.serviceID = "anvil"
        h.sessionID = String(repeating: "ab", count: 32)
        h.sessionStartBlockHeight = 11
        h.sessionEndBlockHeight = 20
        return h
    }

    /// The set the chain (and the relay miner) accepts for the app at the session end.
    static func chainExpectedSet(delegated: [PrivateKey], pending: [UInt64: [String]] = [:]) -> Set<PublicKey> {
        let keys = [app, gatewayA, gatewayB]
        var byAddress: [String: PublicKey] = [RingMembership.placeholderAddress: RingMembership.placeholderPublicKey]
        for key in keys { byAddress[key.publicKey.address()] = key.publicKey }
        let addresses = RingMembership.expectedAddresses(
            application: app.publicKey.address(), delegatedGateways: delegated.map { $0.publicKey.address() },
            pendingUndelegations: pending, sessionEndHeight: 20)
        return Set(addresses.map { byAddress[$0]! })
    }

    @Test func gatewaySignedRequestVerifiesAndIsAcceptedByTheChainRing() throws {
        var rng = SeededRNG(seed: 1)
        let ring = RelayRequestBuilder.ring(application: Self.app.publicKey, delegatedGateways: [Self.gatewayA.publicKey, Self.gatewayB.publicKey])
        #expect(ring == [Self.app.publicKey, Self.gatewayA.publicKey, Self.gatewayB.publicKey])
        let signed = try RelayRequestBuilder.build(
            sessionHeader: Self.header, supplierOperatorAddress: Self.supplier, payload: Self.payload,
            signer: Self.gatewayB, ring: ring, using: &rng)

        // What the relay miner receives: decode, re-derive the message, verify.
        let decoded = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: signed.bytes)
        #expect(decoded == signed.request)
        #expect(decoded.meta.sessionHeader == Self.header)
        #expect(decoded.meta.supplierOperatorAddress == Self.supplier)
        #expect(Bytes(decoded.payload) == Self.payload)
        #expect(try decoded.signableHash() == signed.signableHash)
        let signature = try RingSignature(serialized: Bytes(decoded.meta.signature))
        #expect(decoded.meta.signature.count == 69 + 65 * 3)
        #expect(signature.ring == ring)
        #expect(signature.verify(message: signed.signableHash))
        #expect(signature.keyImage == (try RingSignature.sign(
            message: signed.signableHash, ring: ring, signerIndex: 2, privateKey: Self.gatewayB, using: &rng)).keyImage)

        let accepted = RingMembership.accepts(signature: Bytes(decoded.meta.signature), message: try decoded.signableHash(),
                                              expected: Self.chainExpectedSet(delegated: [Self.gatewayA, Self.gatewayB]))
        #expect(throws: Never.self) { try accepted.get() }
    }

    @Test func applicationWithoutDelegationsSignsOverAppApp() throws {
        var rng = SeededRNG(seed: 2)
        #expect(RelayRequestBuilder.ringAddresses(application: "pokt1app", delegatedGateways: []) == ["pokt1app", "pokt1app"])
        #expect(RelayRequestBuilder.ringAddresses(application: "pokt1app", delegatedGateways: ["pokt1g2", "pokt1g1"]) == ["pokt1app", "pokt1g2", "pokt1g1"])
        let ring = RelayRequestBuilder.ring(application: Self.app.publicKey, delegatedGateways: [])
        #expect(ring == [Self.app.publicKey, Self.app.publicKey])
        let signed = try RelayRequestBuilder.build(
            sessionHeader: Self.header, supplierOperatorAddress: Self.supplier, payload: Self.payload,
            signer: Self.app, ring: ring, using: &rng)
        #expect(signed.request.meta.signature.count == 199)
        // The chain's set for an app with no gateways is {app, placeholder}; [app, app] passes as a subset.
        let expected = Self.chainExpectedSet(delegated: [])
        #expect(expected == [Self.app.publicKey, RingMembership.placeholderPublicKey])
        let result = RingMembership.accepts(signature: Bytes(signed.request.meta.signature), message: signed.signableHash, expected: expected)
        #expect(throws: Never.self) { try result.get() }
    }

    @Test func aGatewayTheAppDoesNotDelegateToIsAForeignMember() throws {
        var rng = SeededRNG(seed: 3)
        let ring = RelayRequestBuilder.ring(application: Self.app.publicKey, delegatedGateways: [Self.gatewayB.publicKey])
        let signed = try RelayRequestBuilder.build(
            sessionHeader: Self.header, supplierOperatorAddress: Self.supplier, payload: Self.payload,
            signer: Self.gatewayB, ring: ring, using: &rng)
        let result = RingMembership.accepts(signature: Bytes(signed.request.meta.signature), message: signed.signableHash,
                                            expected: Self.chainExpectedSet(delegated: [Self.gatewayA]))
        #expect(throws: RingAcceptanceError.foreignMember) { try result.get() }
        // A gateway still pending undelegation at a later session end stays in the chain's set.
        let pending = Self.chainExpectedSet(delegated: [Self.gatewayA], pending: [30: [Self.gatewayB.publicKey.address()]])
        let again = RingMembership.accepts(signature: Bytes(signed.request.meta.signature), message: signed.signableHash, expected: pending)
        #expect(throws: Never.self) { try again.get() }
    }

    @Test func aSignerOutsideTheRingIsRefused() {
        var rng = SeededRNG(seed: 4)
        let ring = RelayRequestBuilder.ring(application: Self.app.publicKey, delegatedGateways: [Self.gatewayA.publicKey])
        #expect(throws: RelayRequestBuildError.signerNotInRing) {
            try RelayRequestBuilder.build(sessionHeader: Self.header, supplierOperatorAddress: Self.supplier,
                                          payload: Self.payload, signer: Self.gatewayB, ring: ring, using: &rng)
        }
    }

    @Test func theRandomSourceDeterminesTheBytes() throws {
        let ring = RelayRequestBuilder.ring(application: Self.app.publicKey, delegatedGateways: [Self.gatewayA.publicKey])
        func build(seed: UInt64) throws -> SignedRelayRequest {
            var rng = SeededRNG(seed: seed)
            return try RelayRequestBuilder.build(sessionHeader: Self.header, supplierOperatorAddress: Self.supplier,
                                                 payload: Self.payload, signer: Self.gatewayA, ring: ring, using: &rng)
        }
        let a = try build(seed: 10), b = try build(seed: 10), c = try build(seed: 11)
        #expect(a.bytes == b.bytes)
        #expect(a.bytes != c.bytes)
        // Same message, different nonces: the signable hash ignores the signature.
        #expect(a.signableHash == c.signableHash)
        // Signing changes only meta.signature: clearing it gives the signable bytes.
        var unsigned = a.request
        unsigned.meta.signature = Data()
        #expect(Hash.sha256(try CanonicalCodec.encode(unsigned)) == a.signableHash)
    }
}
