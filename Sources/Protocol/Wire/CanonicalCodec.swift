import SwiftProtobuf

/// The one way protocol messages are turned into bytes and back, so every hash
/// is taken over the same bytes Go's gogoproto `Marshal()` produces
/// (docs/protocol.md#wire-encoding): unknown fields are dropped on decode, fields come out in
/// field-number order (protoc-gen-swift's traversal order), map entries are
/// sorted, and gogoproto-only rules (`GogoprotoMessage`) are applied.
public enum CanonicalCodec {
    /// Unknown fields are dropped like Go does, so re-encoding after decoding
    /// yields the canonical form the signatures are over.
    public static var decodingOptions: BinaryDecodingOptions {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        return options
    }

    /// Sorted map keys, as Go's deterministic marshalling does.
    public static var encodingOptions: BinaryEncodingOptions {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return options
    }

    /// Decodes untrusted bytes. Messages with a `WireSchema` are first checked
    /// against it so inputs Go rejects are rejected here too.
    public static func decode<M: SwiftProtobuf.Message>(_ type: M.Type = M.self, from bytes: Bytes) throws(WireError) -> M {
        if let gogo = M.self as? any GogoprotoMessage.Type {
            try gogo.wireSchema.validate(bytes)
        }
        do {
            return try M(serializedBytes: bytes, options: decodingOptions)
        } catch let error as BinaryDecodingError {
            throw map(error, message: M.protoMessageName)
        } catch {
            throw .malformed(message: M.protoMessageName, reason: "\(error)")
        }
    }

    /// Canonical bytes of a message (gogoproto non-nullable fields filled in first).
    public static func encode<M: SwiftProtobuf.Message>(_ message: M) throws(WireError) -> Bytes {
        var canonical = message
        if var gogo = canonical as? any GogoprotoMessage {
            gogo.materializeNonNullableFields()
            if let filled = gogo as? M { canonical = filled }
        }
        do {
            return try canonical.serializedBytes(options: encodingOptions)
        } catch {
            throw .encodingFailed(message: M.protoMessageName, reason: "\(error)")
        }
    }

    /// Decode then re-encode: what Go hashes when it verifies a received message.
    public static func canonicalize<M: SwiftProtobuf.Message>(_ type: M.Type, bytes: Bytes) throws(WireError) -> Bytes {
        try encode(try decode(type, from: bytes))
    }

    private static func map(_ error: BinaryDecodingError, message: String) -> WireError {
        switch error {
        case .truncated: return .truncated(message: message, offset: nil)
        case .messageDepthLimit: return .nestingTooDeep(message: message, offset: 0)
        default: return .malformed(message: message, reason: "\(error)")
        }
    }
}
