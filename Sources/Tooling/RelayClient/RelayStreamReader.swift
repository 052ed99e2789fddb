import NIOCore
import PocketProtocol

/// Splits a streamed relay answer into its signed batches: each batch is a
/// serialized RelayResponse followed by the ASCII delimiter `||POKT_STREAM||`.
/// Network chunks fall anywhere, so a delimiter (or a batch) may straddle
/// chunk boundaries: bytes after the last complete delimiter are kept for
/// the next chunk, and the search resumes where it could first match.
/// Empty segments (two delimiters in a row) are skipped.
public struct RelayStreamSplitter: Sendable {
    public static let delimiter: Bytes = Array("||POKT_STREAM||".utf8)

    private var buffer: Bytes = []
    /// Where the next delimiter search starts: earlier offsets cannot begin one.
    private var searchFrom = 0

    public init() {}

    /// Bytes received but not yet closed by a delimiter.
    public var pendingByteCount: Int { buffer.count }

    /// Adds a chunk; returns the batches it completed, in order.
    public mutating func append(_ chunk: some Sequence<UInt8>) -> [Bytes] {
        buffer.append(contentsOf: chunk)
        var batches: [Bytes] = []
        var segmentStart = 0
        let d = Self.delimiter
        var i = max(searchFrom, segmentStart)
        while i + d.count <= buffer.count {
            if buffer[i] == d[0], buffer[i..<(i + d.count)].elementsEqual(d) {
                if i > segmentStart { batches.append(Array(buffer[segmentStart..<i])) }
                i += d.count
                segmentStart = i
            } else {
                i += 1
            }
        }
        buffer.removeFirst(segmentStart)
        // A delimiter can still start in the last count-1 bytes.
        searchFrom = max(0, i - segmentStart)
        return batches
    }

    /// The end of the stream: bytes after the last delimiter, if any (a relayer
    /// may omit the final delimiter). Resets the splitter.
    public mutating func finish() -> Bytes? {
        defer {
            buffer = []
            searchFrom = 0
        }
        return buffer.isEmpty ? nil : buffer
    }
}

/// One verified batch of a streamed relay.
public struct StreamBatch: Sendable {
    public let index: Int
    public let verified: VerifiedRelayResponse
    /// Size of the batch's RelayResponse on the wire.
    public let wireBytes: Int
}

/// Reads a streamed relay answer: splits it, verifies every batch (supplier
/// signature, payload hash, session), and stops after `maxBatches` (streams
/// may never end by themselves) or at the end of the body.
public struct RelayStreamReader: Sendable {
    public let verifier: ResponseVerifier
    public let maxBatches: Int?

    public init(verifier: ResponseVerifier, maxBatches: Int? = nil) {
        self.verifier = verifier
        self.maxBatches = maxBatches
    }

    /// Sends `request` with `sender` and returns the verified batches; the
    /// first batch that fails verification fails the relay. `onBatch` sees each as it arrives.
    public func read(_ request: SignedRelayRequest, with sender: RelayHTTPSender,
                     onBatch: (StreamBatch) -> Void = { _ in }) async throws(RelayFailure) -> [StreamBatch] {
        var splitter = RelayStreamSplitter()
        var batches: [StreamBatch] = []
        func accept(_ bytes: Bytes) throws(RelayFailure) {
            let verified: VerifiedRelayResponse
            do {
                verified = try verifier.verifyAnswer(bytes: bytes, request: request, transport: .stream)
            } catch {
                throw RelayFailure(error.reason, "batch \(batches.count + 1): \(error.detail)", httpStatus: error.httpStatus)
            }
            let batch = StreamBatch(index: batches.count, verified: verified, wireBytes: bytes.count)
            batches.append(batch)
            onBatch(batch)
        }
        try await sender.stream(request) { (chunk: ByteBuffer) throws(RelayFailure) -> Bool in
            for bytes in splitter.append(chunk.readableBytesView) {
                try accept(bytes)
                if let maxBatches, batches.count >= maxBatches { return false }
            }
            return true
        }
        if maxBatches.map({ batches.count < $0 }) ?? true, let tail = splitter.finish() {
            try accept(tail)
        }
        guard !batches.isEmpty else {
            throw RelayFailure(RelayFailure.Reason.emptyStream, "the stream ended without a single batch")
        }
        return batches
    }
}
