/// The wire shape of a gogoproto message: which wire type each known field
/// must have, and the shape of its sub-messages. Validating against it before
/// handing bytes to swift-protobuf makes us reject exactly the inputs Go's
/// generated `Unmarshal` rejects ("wrong wireType"), instead of quietly
/// dropping a mistyped known field and hashing something Go never would.
public struct WireSchema: Sendable {
    public indirect enum Kind: Sendable {
        case varint
        case fixed32
        case fixed64
        /// `bytes` and `string` (gogoproto does not check UTF-8).
        case lengthDelimited
        case message(WireSchema)

        var wireType: WireType {
            switch self {
            case .varint: return .varint
            case .fixed32: return .fixed32
            case .fixed64: return .fixed64
            case .lengthDelimited, .message: return .lengthDelimited
            }
        }
    }

    /// Fully-qualified protobuf name, used in errors.
    public let name: String
    public let fields: [Int: Kind]

    public init(name: String, fields: [Int: Kind]) {
        self.name = name
        self.fields = fields
    }

    /// Throws the first structural error Go's decoder would report. Unknown
    /// fields are only checked for well-formedness, as Go skips them.
    public func validate(_ bytes: Bytes) throws(WireError) {
        try validate(bytes, range: 0..<bytes.count, depth: 0)
    }

    private func validate(_ bytes: Bytes, range: Range<Int>, depth: Int) throws(WireError) {
        guard depth < WireScanner.maxDepth else { throw .nestingTooDeep(message: name, offset: range.lowerBound) }
        var scanner = WireScanner(bytes, range: range, context: name, depth: depth)
        while let field = try scanner.next() {
            guard let kind = fields[field.number] else { continue }
            guard field.wireType == kind.wireType else {
                throw .wrongWireType(message: name, field: field.number, expected: kind.wireType, actual: field.wireType)
            }
            if case .message(let sub) = kind {
                try sub.validate(bytes, range: field.value, depth: depth + 1)
            }
        }
    }
}
