/// Why bytes could not be read or written as protobuf. Every case names the
/// message being processed so a rejected relay can be logged with context;
/// offsets are byte positions in the buffer that was handed to the decoder.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ended inside a tag, a value or a length-delimited body.
    case truncated(message: String, offset: Int?)
    /// A varint longer than 10 bytes (the Go decoder's limit too).
    case varintOverflow(message: String, offset: Int)
    /// A length prefix that cannot be a length (does not fit an `Int`).
    case invalidLength(message: String, offset: Int)
    /// A tag Go's decoder rejects: field number 0 or too large, wire type 6/7,
    /// or an end-group marker that does not close an open group.
    case invalidTag(message: String, offset: Int, reason: String)
    /// A known field arrived with a different wire type. gogoproto rejects this,
    /// while swift-protobuf would silently treat the field as unknown.
    case wrongWireType(message: String, field: Int, expected: WireType, actual: WireType)
    /// Nesting (groups or sub-messages) deeper than the decoder allows.
    case nestingTooDeep(message: String, offset: Int)
    /// swift-protobuf rejected the bytes for a reason the scanner does not model
    /// (for example invalid UTF-8 in a string field).
    case malformed(message: String, reason: String)
    /// swift-protobuf could not serialize the message.
    case encodingFailed(message: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let m, let offset):
            return "\(m): truncated protobuf" + (offset.map { " at offset \($0)" } ?? "")
        case .varintOverflow(let m, let offset):
            return "\(m): varint longer than 10 bytes at offset \(offset)"
        case .invalidLength(let m, let offset):
            return "\(m): invalid length prefix at offset \(offset)"
        case .invalidTag(let m, let offset, let reason):
            return "\(m): invalid tag at offset \(offset): \(reason)"
        case .wrongWireType(let m, let field, let expected, let actual):
            return "\(m): field \(field) has wire type \(actual), expected \(expected)"
        case .nestingTooDeep(let m, let offset):
            return "\(m): nesting too deep at offset \(offset)"
        case .malformed(let m, let reason):
            return "\(m): malformed protobuf: \(reason)"
        case .encodingFailed(let m, let reason):
            return "\(m): cannot encode: \(reason)"
        }
    }
}
