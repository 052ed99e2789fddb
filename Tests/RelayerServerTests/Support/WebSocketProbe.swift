import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOConcurrencyHelpers

/// A WebSocket client that sends binary frames to the relayer and collects
/// the binary frames it answers with, plus the close code.
enum WebSocketProbe {
    struct Result: Sendable {
        let frames: [[UInt8]]
        let closeCode: Int?
    }

    /// Sends `send` one by one and returns once `expect` frames came back (or the server closed).
    static func exchange(url: String, service: String, supplier: String, send: [[UInt8]], expect: Int) async throws -> [[UInt8]] {
        try await session(url: url, service: service, supplier: supplier, send: send, expect: expect).frames
    }

    static func session(url: String, service: String, supplier: String, send: [[UInt8]], expect: Int) async throws -> Result {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20)
        configuration.additionalHeaders[HTTPField.Name("Target-Service-Id")!] = service
        configuration.additionalHeaders[HTTPField.Name("Pocket-Supplier-Address")!] = supplier
        let collected = NIOLockedValueBox<[[UInt8]]>([])
        let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: Logger(label: "ws-probe")) { inbound, outbound, _ in
            var iterator = inbound.messages(maxSize: 16 << 20).makeAsyncIterator()
            for frame in send {
                try await outbound.write(.binary(ByteBuffer(bytes: frame)))
                guard let message = try await iterator.next() else { return }
                if case .binary(var buffer) = message { collected.withLockedValue { $0.append(buffer.readBytes(length: buffer.readableBytes) ?? []) } }
            }
            while collected.withLockedValue({ $0.count }) < expect, let message = try await iterator.next() {
                if case .binary(var buffer) = message { collected.withLockedValue { $0.append(buffer.readBytes(length: buffer.readableBytes) ?? []) } }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        let code: Int? = close.map { frame in
            switch frame.closeCode {
            case .unknown(let n): return Int(n)
            case .normalClosure: return 1000
            case .goingAway: return 1001
            case .unexpectedServerError: return 1011
            case .messageTooLarge: return 1009
            default: return -1
            }
        }
        return Result(frames: collected.withLockedValue { $0 }, closeCode: code)
    }
}
