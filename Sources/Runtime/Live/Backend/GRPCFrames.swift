import GRPCCore

/// gRPC's length-prefixed message framing (1 byte compressed flag, 4 bytes
/// big-endian length, message): the body a gateway sends us for a gRPC relay
/// and the body we answer with.
enum GRPCFrames {
    enum Failure: Error, Sendable, CustomStringConvertible {
        case truncated(Int)
        case compressed
        case notOneMessage(Int)

        var description: String {
            switch self {
            case .truncated(let count):
                return "the gRPC body (\(count) bytes) is not a sequence of whole length-prefixed frames"
            case .compressed:
                return "the gRPC message is compressed; send it uncompressed (no grpc-encoding): the relayer signs message bytes"
            case .notOneMessage(let count):
                return "a unary gRPC call carries exactly one message; the body holds \(count)"
            }
        }
    }

    /// The single uncompressed message of a unary request body.
    static func singleMessage(_ body: [UInt8]) throws(Failure) -> [UInt8] {
        var messages: [[UInt8]] = []
        var offset = 0
        while offset < body.count {
            guard body.count - offset >= 5 else { throw .truncated(body.count) }
            let compressed = body[offset]
            let length = body[(offset + 1)..<(offset + 5)].reduce(0) { $0 << 8 | Int($1) }
            guard body.count - offset - 5 >= length else { throw .truncated(body.count) }
            if compressed != 0 { throw .compressed }
            messages.append(Array(body[(offset + 5)..<(offset + 5 + length)]))
            offset += 5 + length
        }
        guard messages.count == 1 else { throw .notOneMessage(messages.count) }
        return messages[0]
    }

    /// `message` as one uncompressed frame.
    static func frame(_ message: [UInt8]) -> [UInt8] {
        let length = UInt32(message.count)
        return [0, UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)] + message
    }

    /// `/package.Service/Method` as a method descriptor.
    static func method(fromPath path: String) -> MethodDescriptor? {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = pathOnly.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return MethodDescriptor(fullyQualifiedService: String(parts[0]), method: String(parts[1]))
    }
}

/// Message bytes through untouched: the relayer forwards what the gateway
/// framed and answers with what the backend sent, never decoding either.
struct RawBytesSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

struct RawBytesDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
