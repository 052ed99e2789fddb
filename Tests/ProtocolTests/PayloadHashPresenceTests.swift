import Foundation
import Testing
import PocketProtocol

/// docs/protocol.md#relay-signing and #quirks-to-keep (4): the payload leaves the response signable
/// bytes iff `payload_hash` is on the wire, even with length 0.
@Suite struct PayloadHashPresenceTests {
    /// meta{session header of A.4} as encoded on the wire.
    static let meta: Bytes = [0x0a, 0x7c, 0x0a, 0x7a] + AppendixA.sessionHeaderBytes
    static let payload: Bytes = [0x12, 0x03, 0x61, 0x62, 0x63]           // payload "abc"

    @Test func presentButEmptyHashDropsThePayload() throws {
        let wire = Self.meta + Self.payload + [0x22, 0x00]
        let received = try ReceivedRelayResponse(bytes: wire)
        #expect(received.payloadHashPresent)
        #expect(received.message.payloadHash.isEmpty)
        #expect(try received.signableBytes() == Self.meta)
        #expect(try received.signableHash() == Hash.sha256(Self.meta))
        // proto3 alone cannot see it: inferring presence from the value keeps the payload.
        #expect(try received.message.signableBytes() == Self.meta + Self.payload)
        // Go does not emit an empty bytes field when re-marshalling.
        #expect(try CanonicalCodec.encode(received.message) == Self.meta + Self.payload)
    }

    @Test func absentHashKeepsThePayload() throws {
        let received = try ReceivedRelayResponse(bytes: Self.meta + Self.payload)
        #expect(!received.payloadHashPresent)
        #expect(try received.signableBytes() == Self.meta + Self.payload)
    }

    @Test func lastOccurrenceWinsButPresenceSticks() throws {
        let wire = Self.meta + Self.payload + [0x22, 0x01, 0x99] + [0x22, 0x00]
        let received = try ReceivedRelayResponse(bytes: wire)
        #expect(received.payloadHashPresent)
        #expect(received.message.payloadHash.isEmpty)
        #expect(try received.signableBytes() == Self.meta)
    }

    @Test func presenceInsideARelay() throws {
        let response = Self.meta + [0x22, 0x00]
        #expect(response.count == 128)
        let relay: Bytes = [0x0a, 0x02, 0x0a, 0x00, 0x12, 0x80, 0x01] + response
        let received = try ReceivedRelay(bytes: relay)
        #expect(received.responsePayloadHashPresent)
        let withoutHash: Bytes = [0x0a, 0x02, 0x0a, 0x00, 0x12, UInt8(Self.meta.count)] + Self.meta
        #expect(!(try ReceivedRelay(bytes: withoutHash)).responsePayloadHashPresent)
        // A field 4 inside the *request* is not the response's payload_hash.
        let inRequest: Bytes = [0x0a, 0x04, 0x0a, 0x00, 0x22, 0x00]
        #expect(!(try ReceivedRelay(bytes: inRequest)).responsePayloadHashPresent)
    }

    @Test func updatePayloadHashRefusesAnEmptyPayload() throws {
        var response = Pocket_Service_RelayResponse()
        #expect(throws: RelaySigningError.emptyPayload) { try response.updatePayloadHash() }
        response.payload = Data(AppendixA.responsePayload)
        try response.updatePayloadHash()
        #expect(Bytes(response.payloadHash) == AppendixA.responsePayloadHash)
    }

    @Test func supplierSignatureIsNeverSigned() throws {
        var response = Pocket_Service_RelayResponse()
        response.payload = Data([1])
        try response.updatePayloadHash()
        let unsigned = try response.signableBytes()
        response.meta.supplierOperatorSignature = Data(repeating: 7, count: 64)
        #expect(try response.signableBytes() == unsigned)
        #expect(unsigned == [0x0a, 0x00, 0x22, 0x20] + Hash.sha256([1]))
    }
}
