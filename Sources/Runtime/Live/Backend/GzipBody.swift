import CompressNIO
import NIOCore
import RelayRuntime

/// Undoes a gzip answer. We ask backends for `identity`, but some compress
/// anyway (or store pre-compressed bodies): the relay's payload must be the
/// bytes the application asked for, so they are inflated here, bounded by
/// the same limit as any answer (a small bomb cannot blow up memory).
enum GzipBody {
    enum Failure: Error, Sendable {
        case tooLarge
        case corrupt(String)
    }

    /// gzip's magic bytes, for backends that compress without saying so.
    static func hasMagic(_ body: ByteBuffer) -> Bool {
        body.readableBytes >= 2 && body.getInteger(at: body.readerIndex, as: UInt8.self) == 0x1f
            && body.getInteger(at: body.readerIndex + 1, as: UInt8.self) == 0x8b
    }

    static func declaresGzip(_ headers: [Header]) -> Bool {
        headers.contains { $0.name.lowercased() == "content-encoding" && $0.value.lowercased().contains("gzip") }
    }

    /// The inflated body, at most `limit` bytes.
    static func inflate(_ body: ByteBuffer, limit: Int) throws(Failure) -> [UInt8] {
        var input = body
        let decompressor = CompressionAlgorithm.gzip().decompressor
        var output: [UInt8] = []
        do {
            try decompressor.startStream()
            defer { try? decompressor.finishStream() }
            var window = ByteBufferAllocator().buffer(capacity: 64 * 1024)
            while true {
                window.clear()
                var full = false
                do {
                    try input.decompressStream(to: &window, with: decompressor)
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    full = true
                }
                output += window.readableBytesView
                if output.count > limit { throw Failure.tooLarge }
                if !full { break }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .corrupt("\(error)")
        }
        return output
    }

    /// The headers of an inflated answer: no `Content-Encoding`, and a
    /// `Content-Length` (if the backend sent one) that matches the new body.
    static func headers(_ headers: [Header], inflatedLength: Int) -> [Header] {
        headers.compactMap { header in
            switch header.name.lowercased() {
            case "content-encoding": return nil
            case "content-length": return Header(header.name, String(inflatedLength))
            default: return header
            }
        }
    }
}
