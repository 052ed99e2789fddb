/// A minimal protobuf wire walker. swift-protobuf's proto3 messages cannot say
/// whether a `bytes` field was on the wire with length 0, nor reject a known
/// field sent with the wrong wire type; Go's gogoproto decoder does both, and
/// the relay signature rules depend on the first (docs/protocol.md#relay-signing). The
/// scanner reads exactly what is on the wire so those decisions can be made
/// the way Go makes them. It never traps: every malformed input is a `WireError`.
public struct WireScanner: Sendable {
    /// Go's generated decoders and swift-protobuf both stop well before this.
    public static let maxDepth = 100
    /// Largest field number protobuf allows (2^29 - 1).
    public static let maxFieldNumber = 536_870_911

    public let bytes: Bytes
    public private(set) var position: Int
    private let end: Int
    private let context: String
    private let depth: Int

    /// Scans all of `bytes`; `context` names the message in errors.
    public init(_ bytes: Bytes, context: String = "protobuf") {
        self.init(bytes, range: 0..<bytes.count, context: context, depth: 0)
    }

    /// Scans a sub-range, e.g. the body of a length-delimited field.
    public init(_ bytes: Bytes, range: Range<Int>, context: String = "protobuf", depth: Int = 0) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = min(range.upperBound, bytes.count)
        self.context = context
        self.depth = depth
    }

    public var isAtEnd: Bool { position >= end }

    /// The next field, or nil at the end of the range.
    public mutating func next() throws(WireError) -> WireField? {
        guard position < end else { return nil }
        let field = try readField()
        if field.wireType == .endGroup {
            throw .invalidTag(message: context, offset: field.tagOffset, reason: "end-group marker without an open group")
        }
        return field
    }

    /// Every field of the range, in wire order.
    public static func fields(_ bytes: Bytes, context: String = "protobuf") throws(WireError) -> [WireField] {
        var scanner = WireScanner(bytes, context: context)
        var out: [WireField] = []
        while let f = try scanner.next() { out.append(f) }
        return out
    }

    /// True if the field at the end of `path` occurs at least once, looking
    /// through every occurrence of the enclosing length-delimited fields (Go
    /// merges repeated occurrences of a singular sub-message, so presence in
    /// any of them is presence in the decoded message).
    public static func containsField(path: [Int], in bytes: Bytes, context: String = "protobuf") throws(WireError) -> Bool {
        try containsField(path: path[...], in: bytes, range: 0..<bytes.count, context: context, depth: 0)
    }

    private static func containsField(path: ArraySlice<Int>, in bytes: Bytes, range: Range<Int>, context: String, depth: Int) throws(WireError) -> Bool {
        guard let first = path.first else { return false }
        var scanner = WireScanner(bytes, range: range, context: context, depth: depth)
        var found = false
        while let f = try scanner.next() {
            guard f.number == first else { continue }
            if path.count == 1 { found = true; continue }
            guard f.wireType == .lengthDelimited else { continue }
            if try containsField(path: path.dropFirst(), in: bytes, range: f.value, context: context, depth: depth + 1) {
                found = true
            }
        }
        return found
    }

    // MARK: - Reading

    /// Reads one field, including an end-group marker (which only group
    /// skipping may accept).
    private mutating func readField() throws(WireError) -> WireField {
        let tagOffset = position
        let tag = try readVarint()
        let number = tag >> 3
        guard number != 0, number <= UInt64(Self.maxFieldNumber) else {
            throw .invalidTag(message: context, offset: tagOffset, reason: "field number \(number)")
        }
        guard let wireType = WireType(rawValue: UInt8(tag & 7)) else {
            throw .invalidTag(message: context, offset: tagOffset, reason: "wire type \(tag & 7)")
        }
        let fieldNumber = Int(number)
        let valueStart = position
        switch wireType {
        case .varint:
            let v = try readVarint()
            return WireField(number: fieldNumber, wireType: wireType, tagOffset: tagOffset, value: valueStart..<position, varint: v)
        case .fixed64:
            try skip(8)
            return WireField(number: fieldNumber, wireType: wireType, tagOffset: tagOffset, value: valueStart..<position, varint: 0)
        case .fixed32:
            try skip(4)
            return WireField(number: fieldNumber, wireType: wireType, tagOffset: tagOffset, value: valueStart..<position, varint: 0)
        case .lengthDelimited:
            let lengthOffset = position
            let length = try readVarint()
            guard length <= UInt64(Int.max) else { throw .invalidLength(message: context, offset: lengthOffset) }
            let bodyStart = position
            try skip(Int(length))
            return WireField(number: fieldNumber, wireType: wireType, tagOffset: tagOffset, value: bodyStart..<position, varint: 0)
        case .startGroup:
            let body = try skipGroup(fieldNumber: fieldNumber, tagOffset: tagOffset)
            return WireField(number: fieldNumber, wireType: wireType, tagOffset: tagOffset, value: body, varint: 0)
        case .endGroup:
            return WireField(number: fieldNumber, wireType: wireType, tagOffset: tagOffset, value: valueStart..<valueStart, varint: 0)
        }
    }

    /// Walks a group body up to its matching end marker; returns the body range.
    private mutating func skipGroup(fieldNumber: Int, tagOffset: Int) throws(WireError) -> Range<Int> {
        guard depth + 1 < Self.maxDepth else { throw .nestingTooDeep(message: context, offset: tagOffset) }
        var inner = WireScanner(bytes, range: position..<end, context: context, depth: depth + 1)
        let bodyStart = position
        while true {
            guard inner.position < inner.end else { throw .truncated(message: context, offset: inner.position) }
            let f = try inner.readField()
            if f.wireType == .endGroup {
                guard f.number == fieldNumber else {
                    throw .invalidTag(message: context, offset: f.tagOffset,
                                      reason: "end-group for field \(f.number) closes group \(fieldNumber)")
                }
                position = inner.position
                return bodyStart..<f.tagOffset
            }
        }
    }

    /// Go's varint rule: at most 10 bytes, bits beyond 64 silently dropped.
    private mutating func readVarint() throws(WireError) -> UInt64 {
        let start = position
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard shift < 64 else { throw .varintOverflow(message: context, offset: start) }
            guard position < end else { throw .truncated(message: context, offset: position) }
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7f) &<< shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    private mutating func skip(_ count: Int) throws(WireError) {
        guard count <= end - position else { throw .truncated(message: context, offset: position) }
        position += count
    }
}
