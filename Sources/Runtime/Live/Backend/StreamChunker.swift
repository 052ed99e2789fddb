import NIOCore
import RelayRuntime

/// Cuts a streamed answer into the chunks the relayer signs one by one:
/// NDJSON into lines (each with its `\n`), SSE into events (its lines up to
/// and including the blank line that ends it), so a client never receives
/// half an event in a signed chunk. A line longer than `maxLineBytes` (its
/// newline not counted), or an event longer than `maxEventBytes`, fails the
/// stream: a backend that never sends a newline cannot make us buffer
/// without bound.
struct StreamChunker: Sendable {
    enum Mode: Sendable, Equatable {
        case lines
        case events

        /// The mode for an answer's `Content-Type`, nil when it is not a stream.
        init?(contentType headers: [Header]) {
            guard let value = headers.first(where: { $0.name.lowercased() == "content-type" })?.value else { return nil }
            let mediaType = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() } ?? ""
            switch mediaType {
            case "text/event-stream": self = .events
            case "application/x-ndjson": self = .lines
            default: return nil
            }
        }
    }

    struct Overflow: Error, Sendable {
        let limit: Int
    }

    let mode: Mode
    let maxLineBytes: Int
    let maxEventBytes: Int
    private var line: [UInt8] = []
    private var event: [UInt8] = []

    init(mode: Mode, maxLineBytes: Int, maxEventBytes: Int) {
        self.mode = mode
        self.maxLineBytes = maxLineBytes
        self.maxEventBytes = max(maxEventBytes, maxLineBytes)
    }

    /// The chunks completed by `bytes`.
    mutating func feed(_ bytes: ByteBuffer) throws(Overflow) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var rest = bytes.readableBytesView[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            line += rest[rest.startIndex...newline]
            rest = rest[rest.index(after: newline)...]
            guard line.count - 1 <= maxLineBytes else { throw Overflow(limit: maxLineBytes) }
            if let chunk = try complete() { chunks.append(chunk) }
        }
        line += rest
        guard line.count <= maxLineBytes else { throw Overflow(limit: maxLineBytes) }
        return chunks
    }

    /// What is left when the backend ends the stream (a last line without newline, an unterminated event).
    mutating func finish() -> [UInt8]? {
        let rest = event + line
        event = []
        line = []
        return rest.isEmpty ? nil : rest
    }

    private mutating func complete() throws(Overflow) -> [UInt8]? {
        defer { line = [] }
        switch mode {
        case .lines:
            return line
        case .events:
            event += line
            guard event.count <= maxEventBytes else { throw Overflow(limit: maxEventBytes) }
            guard line == [0x0A] || line == [0x0D, 0x0A] else { return nil }
            defer { event = [] }
            return event
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
