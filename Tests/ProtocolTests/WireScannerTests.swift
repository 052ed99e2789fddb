import Testing
import PocketProtocol

/// The wire walker used for presence detection and Go-strict validation.
@Suite struct WireScannerTests {
    @Test func readsEveryWireType() throws {
        let bytes: Bytes = [
            0x08, 0x96, 0x01,                         // 1: varint 150
            0x11, 1, 2, 3, 4, 5, 6, 7, 8,             // 2: fixed64
            0x1a, 0x02, 0xaa, 0xbb,                   // 3: bytes
            0x25, 9, 9, 9, 9,                         // 4: fixed32
            0x2b, 0x08, 0x01, 0x2c,                   // 5: group { 1: varint 1 }
        ]
        let fields = try WireScanner.fields(bytes)
        #expect(fields.map(\.number) == [1, 2, 3, 4, 5])
        #expect(fields.map(\.wireType) == [.varint, .fixed64, .lengthDelimited, .fixed32, .startGroup])
        #expect(fields[0].varint == 150)
        #expect(fields[2].value == 14..<16)
        #expect(fields[4].value == 22..<24)
    }

    @Test func tenByteVarintsFollowGo() throws {
        // 10th byte 0x7f: Go keeps the low bit and drops the rest.
        let ten: Bytes = [0x08] + Bytes(repeating: 0xff, count: 9) + [0x7f]
        #expect(try WireScanner.fields(ten).first?.varint == UInt64.max)
        let eleven: Bytes = [0x08] + Bytes(repeating: 0xff, count: 10) + [0x01]
        #expect(throws: WireError.varintOverflow(message: "protobuf", offset: 1)) { try WireScanner.fields(eleven) }
    }

    @Test func malformedInputsAreTypedErrors() {
        #expect(throws: WireError.truncated(message: "m", offset: 1)) { try WireScanner.fields([0x08], context: "m") }
        #expect(throws: WireError.truncated(message: "m", offset: 2)) { try WireScanner.fields([0x08, 0x80], context: "m") }
        #expect(throws: WireError.truncated(message: "m", offset: 2)) { try WireScanner.fields([0x0a, 0x05, 0x01], context: "m") }
        #expect(throws: WireError.truncated(message: "m", offset: 1)) { try WireScanner.fields([0x09, 1, 2, 3, 4, 5, 6, 7], context: "m") }
        #expect(throws: WireError.invalidTag(message: "m", offset: 0, reason: "field number 0")) { try WireScanner.fields([0x00, 0x00], context: "m") }
        #expect(throws: WireError.invalidTag(message: "m", offset: 0, reason: "wire type 6")) { try WireScanner.fields([0x0e], context: "m") }
        #expect(throws: WireError.invalidTag(message: "m", offset: 0, reason: "wire type 7")) { try WireScanner.fields([0x0f], context: "m") }
        #expect(throws: WireError.invalidTag(message: "m", offset: 0, reason: "end-group marker without an open group")) {
            try WireScanner.fields([0x0c], context: "m")
        }
        #expect(throws: WireError.invalidTag(message: "m", offset: 1, reason: "end-group for field 2 closes group 1")) {
            try WireScanner.fields([0x0b, 0x14], context: "m")
        }
        #expect(throws: WireError.truncated(message: "m", offset: 3)) { try WireScanner.fields([0x0b, 0x08, 0x01], context: "m") }
        // A length that does not fit in Int.
        let hugeLength: Bytes = [0x0a] + Bytes(repeating: 0xff, count: 9) + [0x01]
        #expect(throws: WireError.invalidLength(message: "m", offset: 1)) { try WireScanner.fields(hugeLength, context: "m") }
        // Field number above 2^29 - 1.
        #expect(throws: WireError.invalidTag(message: "m", offset: 0, reason: "field number 536870912")) {
            try WireScanner.fields([0x80, 0x80, 0x80, 0x80, 0x10, 0x00], context: "m")
        }
    }

    @Test func nestedGroupsAreSkippedAndDepthIsBounded() throws {
        // 1: group { 2: group { 3: varint 7 } } then 4: varint 1
        let bytes: Bytes = [0x0b, 0x13, 0x18, 0x07, 0x14, 0x0c, 0x20, 0x01]
        let fields = try WireScanner.fields(bytes)
        #expect(fields.map(\.number) == [1, 4])
        #expect(fields[1].varint == 1)

        var deep: Bytes = []
        for _ in 0..<150 { deep.append(0x0b) }
        for _ in 0..<150 { deep.append(0x0c) }
        #expect(throws: WireError.self) { try WireScanner.fields(deep) }
    }

    @Test func containsFieldLooksThroughEveryOccurrence() throws {
        // 2: {1: ""}  2: {4: ""}  3: varint
        let bytes: Bytes = [0x12, 0x02, 0x0a, 0x00, 0x12, 0x02, 0x22, 0x00, 0x18, 0x01]
        #expect(try WireScanner.containsField(path: [2, 4], in: bytes))
        #expect(try WireScanner.containsField(path: [2, 1], in: bytes))
        #expect(try !WireScanner.containsField(path: [2, 3], in: bytes))
        #expect(try WireScanner.containsField(path: [3], in: bytes))
        // A non-length-delimited occurrence cannot contain anything.
        #expect(try !WireScanner.containsField(path: [3, 1], in: bytes))
        #expect(try !WireScanner.containsField(path: [], in: bytes))
    }
}
