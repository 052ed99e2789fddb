import Foundation
import Testing
import PocketProtocol

/// Known-answer values A.4–A.6 (docs/protocol.md#known-answer-values), rebuilt from field values (not decoded), so
/// the encoder itself must reproduce gogoproto's bytes.
@Suite struct AppendixARelayTests {
    static func header() -> Pocket_Session_SessionHeader {
        var h = Pocket_Session_SessionHeader()
        h.applicationAddress = AppendixA.applicationAddress
        h.serviceID = AppendixA.serviceID
        h.sessionID = AppendixA.sessionID
        h.sessionStartBlockHeight = AppendixA.sessionStart
        h.sessionEndBlockHeight = AppendixA.sessionEnd
        return h
    }

    static func unsignedRequest() -> Pocket_Service_RelayRequest {
        var r = Pocket_Service_RelayRequest()
        r.meta.sessionHeader = header()
        r.meta.supplierOperatorAddress = AppendixA.supplierAddress
        r.payload = Data(AppendixA.requestPayload)
        return r
    }

    static func signedResponse() throws -> Pocket_Service_RelayResponse {
        var r = Pocket_Service_RelayResponse()
        r.meta.sessionHeader = header()
        r.payload = Data(AppendixA.responsePayload)
        try r.updatePayloadHash()
        r.meta.supplierOperatorSignature = Data(AppendixA.supplierSignature)
        return r
    }

    @Test func sessionHeaderBytes() throws {
        #expect(try CanonicalCodec.encode(Self.header()) == AppendixA.sessionHeaderBytes)
        #expect(AppendixA.sessionHeaderBytes.count == 122)
    }

    @Test func unsignedRequestBytesAndMessage() throws {
        let request = Self.unsignedRequest()
        #expect(try CanonicalCodec.encode(request) == AppendixA.unsignedRequestBytes)
        #expect(try request.signableBytes() == AppendixA.unsignedRequestBytes)
        #expect(try request.signableHash() == AppendixA.requestSignableHash)
        #expect(Hash.sha256(AppendixA.unsignedRequestBytes) == AppendixA.requestSignableHash)
    }

    @Test func signedRequestBytesKeepTheSameMessage() throws {
        var request = Self.unsignedRequest()
        request.meta.signature = Data(AppendixA.ringSignature)
        #expect(try CanonicalCodec.encode(request) == AppendixA.signedRequestBytes)
        #expect(try request.signableHash() == AppendixA.requestSignableHash)
        let decoded = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: AppendixA.signedRequestBytes)
        #expect(decoded == request)
        #expect(try decoded.signableHash() == AppendixA.requestSignableHash)
    }

    @Test func responsePayloadHashSignableBytesAndWireBytes() throws {
        let response = try Self.signedResponse()
        #expect(Bytes(response.payloadHash) == AppendixA.responsePayloadHash)
        #expect(try response.signableBytes() == AppendixA.responseSignableBytes)
        #expect(try response.signableHash() == AppendixA.responseSignableHash)
        #expect(try CanonicalCodec.encode(response) == AppendixA.responseBytes)

        let received = try ReceivedRelayResponse(bytes: AppendixA.responseBytes)
        #expect(received.payloadHashPresent)
        #expect(try received.signableBytes() == AppendixA.responseSignableBytes)
        #expect(try received.signableHash() == AppendixA.responseSignableHash)
    }

    @Test func relayBytesAndHash() throws {
        var request = Self.unsignedRequest()
        request.meta.signature = Data(AppendixA.ringSignature)
        let relay = try DehydratedRelay(request: request, response: try Self.signedResponse())
        #expect(relay.bytes == AppendixA.relayBytes)
        #expect(relay.hash == AppendixA.relayHash)
        #expect(relay.smstPath == Hash.sha256(AppendixA.relayHash))
        #expect(relay.smstPath.hex == "ddf1ee15f1efa66a74ea631a88b05c90b31fccc285fc968079d0991fb4b27550")
        #expect(relay.isVolumeApplicable(targetHash: RelayDifficulty.baseTargetHash))
    }

    @Test func relayFromDecodedWireBytesMatchesToo() throws {
        let request = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: AppendixA.signedRequestBytes)
        let response = try ReceivedRelayResponse(bytes: AppendixA.responseBytes).message
        #expect(try DehydratedRelay(request: request, response: response).hash == AppendixA.relayHash)
    }
}
