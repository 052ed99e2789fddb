import Foundation
import SwiftProtobuf
import Testing
import PocketProtocol

/// The gogoproto canonical-encoding rules of docs/protocol.md#wire-encoding, each checked
/// against swift-protobuf's actual behaviour through `CanonicalCodec`.
@Suite struct CanonicalEncodingTests {
    @Test func nonNullableMetaIsAlwaysEmitted() throws {
        // Plain swift-protobuf leaves an unset meta out; gogoproto never does.
        let plain: Bytes = try Pocket_Service_RelayRequest().serializedBytes()
        #expect(plain.isEmpty)
        #expect(try CanonicalCodec.encode(Pocket_Service_RelayRequest()) == [0x0a, 0x00])
        #expect(try CanonicalCodec.encode(Pocket_Service_RelayResponse()) == [0x0a, 0x00])

        var request = Pocket_Service_RelayRequest()
        request.payload = Data([0xaa])
        #expect(try CanonicalCodec.encode(request) == [0x0a, 0x00, 0x12, 0x01, 0xaa])
        #expect(try request.signableBytes() == [0x0a, 0x00, 0x12, 0x01, 0xaa])

        var response = Pocket_Service_RelayResponse()
        response.payload = Data([0xbb])
        #expect(try response.signableBytes() == [0x0a, 0x00, 0x12, 0x01, 0xbb])
    }

    @Test func relayFillsMetaOnlyInsidePresentHalves() throws {
        #expect(try CanonicalCodec.encode(Pocket_Service_Relay()) == [])
        var relay = Pocket_Service_Relay()
        relay.req = Pocket_Service_RelayRequest()
        #expect(try CanonicalCodec.encode(relay) == [0x0a, 0x02, 0x0a, 0x00])
        relay.res = Pocket_Service_RelayResponse()
        #expect(try CanonicalCodec.encode(relay) == [0x0a, 0x02, 0x0a, 0x00, 0x12, 0x02, 0x0a, 0x00])
    }

    @Test func nullableEmptySubMessageIsEmittedWhenSet() throws {
        var response = Pocket_Service_RelayResponse()
        response.relayMinerError = Pocket_Service_RelayMinerError()
        #expect(try CanonicalCodec.encode(response) == [0x0a, 0x00, 0x1a, 0x00])
        var meta = Pocket_Service_RelayRequestMetadata()
        meta.sessionHeader = Pocket_Session_SessionHeader()
        #expect(try CanonicalCodec.encode(meta) == [0x0a, 0x00])
    }

    @Test func fieldsComeOutInFieldNumberOrder() throws {
        var response = Pocket_Service_RelayResponse()
        response.payloadHash = Data([0x44])
        response.relayMinerError.code = 7
        response.payload = Data([0x22])
        #expect(try CanonicalCodec.encode(response) == [0x0a, 0x00, 0x12, 0x01, 0x22, 0x1a, 0x02, 0x10, 0x07, 0x22, 0x01, 0x44])

        // Received out of order (4, 3, 2, 1): re-encoding sorts them.
        let scrambled: Bytes = [0x22, 0x01, 0x44, 0x1a, 0x02, 0x10, 0x07, 0x12, 0x01, 0x22, 0x0a, 0x00]
        #expect(try CanonicalCodec.canonicalize(Pocket_Service_RelayResponse.self, bytes: scrambled)
                == [0x0a, 0x00, 0x12, 0x01, 0x22, 0x1a, 0x02, 0x10, 0x07, 0x22, 0x01, 0x44])
    }

    @Test func zeroScalarsAreOmittedAndNegativeInt64IsTenBytes() throws {
        var header = Pocket_Session_SessionHeader()
        #expect(try CanonicalCodec.encode(header) == [])
        header.sessionStartBlockHeight = -1
        #expect(try CanonicalCodec.encode(header) == [0x20] + Bytes(repeating: 0xff, count: 9) + [0x01])
    }

    @Test func unknownFieldsAreDroppedAtEveryLevel() throws {
        // Same A.4 request with unknown fields added at the top level, inside
        // meta and inside the session header.
        let header = AppendixA.sessionHeaderBytes + [0x78, 0x05]                         // field 15 varint
        var meta: Bytes = [0x0a] + varint(header.count) + header
        meta += [0x1a, 0x2b] + Bytes(AppendixA.supplierAddress.utf8)
        meta += [0xa2, 0x06, 0x02, 0xde, 0xad]                                            // field 100 bytes
        var request: Bytes = [0x0a] + varint(meta.count) + meta
        request += [0x12, 0x3f] + AppendixA.requestPayload
        request += [0x1d, 1, 2, 3, 4]                                                     // field 3 fixed32
        let decoded = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: request)
        #expect(decoded.unknownFields.data.isEmpty)
        #expect(try CanonicalCodec.encode(decoded) == AppendixA.unsignedRequestBytes)
        #expect(try decoded.signableHash() == AppendixA.requestSignableHash)

        // Without the discard option swift-protobuf would keep (and re-emit) them.
        let kept = try Pocket_Service_RelayRequest(serializedBytes: request)
        let keptBytes: Bytes = try kept.serializedBytes()
        #expect(keptBytes != AppendixA.unsignedRequestBytes)
    }

    @Test func repeatedSubMessageOccurrencesMerge() throws {
        // meta sent twice: first with the supplier address, then with a signature.
        let bytes: Bytes = [0x0a, 0x03, 0x1a, 0x01, 0x41, 0x0a, 0x03, 0x12, 0x01, 0x53]
        let decoded = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: bytes)
        #expect(decoded.meta.supplierOperatorAddress == "A")
        #expect(decoded.meta.signature == Data([0x53]))
        #expect(try CanonicalCodec.encode(decoded) == [0x0a, 0x06, 0x12, 0x01, 0x53, 0x1a, 0x01, 0x41])
    }

    @Test func mapEntriesAreSortedByKey() throws {
        var app = Pocket_Application_Application()
        for key: UInt64 in [300, 5, 70_000] {
            var list = Pocket_Application_UndelegatingGatewayList()
            list.gatewayAddresses = ["g"]
            app.pendingUndelegations[key] = list
        }
        // Each entry: 2a 07 | 08 <key> | 12 03 (12 01 67)
        let entry = { (key: Bytes) -> Bytes in [0x2a, UInt8(key.count + 6), 0x08] + key + [0x12, 0x03, 0x12, 0x01, 0x67] }
        let expected = entry([0x05]) + entry([0xac, 0x02]) + entry([0xf0, 0xa2, 0x04])
        for _ in 0..<5 { #expect(try CanonicalCodec.encode(app) == expected) }

        var http = Sdk_Types_POKTHTTPRequest()
        for name in ["X-B", "Content-Type", "Accept"] {
            var h = Sdk_Types_Header()
            h.key = name
            h.values = ["v"]
            http.header[name] = h
        }
        let bytes = try CanonicalCodec.encode(http)
        let keys = try WireScanner.fields(bytes).map { entry -> String in
            var inner = WireScanner(bytes, range: entry.value)
            guard let key = try inner.next() else { return "" }
            return String(decoding: bytes[key.value], as: UTF8.self)
        }
        #expect(keys == ["Accept", "Content-Type", "X-B"])
    }

    @Test func knownFieldWithWrongWireTypeIsRejectedLikeGo() throws {
        // RelayRequest.payload (field 2, bytes) sent as a varint.
        let bytes: Bytes = [0x0a, 0x00, 0x10, 0x01]
        // swift-protobuf alone treats it as an unknown field and accepts it.
        _ = try Pocket_Service_RelayRequest(serializedBytes: bytes)
        #expect(throws: WireError.wrongWireType(message: "pocket.service.RelayRequest", field: 2, expected: .lengthDelimited, actual: .varint)) {
            try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: bytes)
        }
        // Nested: SessionHeader.session_start_block_height (varint) sent as fixed64.
        let nested: Bytes = [0x0a, 0x0d, 0x0a, 0x0b, 0x0a, 0x09, 0x21, 1, 2, 3, 4, 5, 6, 7, 8]
        #expect(throws: WireError.wrongWireType(message: "pocket.session.SessionHeader", field: 4, expected: .varint, actual: .fixed64)) {
            try CanonicalCodec.decode(Pocket_Service_Relay.self, from: nested)
        }
    }

    @Test func minedRelayMessageUsesItsDocumentedFieldNumbers() throws {
        var m = Pocket_Relayminer_MinedRelayMessage()
        m.relayHash = Data([1])
        m.relayBytes = Data([2])
        m.computeUnitsPerRelay = 3
        m.sessionID = "s"
        m.sessionEndHeight = 5
        m.supplierOperatorAddress = "p"
        m.serviceID = "v"
        m.applicationAddress = "a"
        m.arrivalBlockHeight = 9
        m.publishedAtUnixNano = -1
        m.sessionStartHeight = 11
        let fields = try WireScanner.fields(try CanonicalCodec.encode(m))
        #expect(fields.map(\.number) == Array(1...11))
        #expect(fields.map(\.wireType) == [.lengthDelimited, .lengthDelimited, .varint, .lengthDelimited, .varint,
                                            .lengthDelimited, .lengthDelimited, .lengthDelimited, .varint, .varint, .varint])
        #expect(fields[9].varint == UInt64.max)
        #expect(try CanonicalCodec.decode(Pocket_Relayminer_MinedRelayMessage.self, from: try CanonicalCodec.encode(m)) == m)
    }

    private func varint(_ n: Int) -> Bytes {
        var v = UInt64(n)
        var out: Bytes = []
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }
}
