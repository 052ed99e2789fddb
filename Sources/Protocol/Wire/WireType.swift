/// The protobuf wire types. Groups are only ever skipped (proto3 has none),
/// but they must be walked correctly to find the fields after them.
public enum WireType: UInt8, Sendable, Equatable, CustomStringConvertible {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5

    public var description: String {
        switch self {
        case .varint: return "varint"
        case .fixed64: return "fixed64"
        case .lengthDelimited: return "length-delimited"
        case .startGroup: return "start-group"
        case .endGroup: return "end-group"
        case .fixed32: return "fixed32"
        }
    }
}

/// One field occurrence found by `WireScanner`.
public struct WireField: Sendable, Equatable {
    public let number: Int
    public let wireType: WireType
    /// Where the tag starts in the scanned buffer.
    public let tagOffset: Int
    /// The value's bytes in the scanned buffer: the body of a length-delimited
    /// field or group, the raw bytes of a varint or fixed-width value.
    public let value: Range<Int>
    /// The decoded value of a varint field (0 for other wire types).
    public let varint: UInt64
}
