import AsyncHTTPClient
import NIOCore
import RelayRuntime

/// Feeds a streamed HTTP answer into a `BackendStream`, chunk by chunk, from
/// a task of its own (the answer outlives `forward`, which returns at the
/// head). When the consumer goes away the task is cancelled, which cancels
/// the backend request. The stream fails only with a `BackendError`: the
/// backend breaking off (`transport`), a line over the limit
/// (`responseTooLarge`), or the service's deadline passing (`timeout`).
enum LineStreamProducer {
    static func stream(
        body: HTTPClientResponse.Body, serviceID: String, endpoint: String, mode: StreamChunker.Mode, maxLineBytes: Int,
        maxEventBytes: Int, deadline: ContinuousClock.Instant, timeout: Duration
    ) -> BackendStream<[UInt8]> {
        let (stream, continuation) = BackendStream<[UInt8]>.makeStream(serviceID: serviceID)
        let task = Task {
            do throws(BackendError) {
                try await LiveBackend.withDeadline(deadline, onExpiry: .timeout(service: serviceID, afterMilliseconds: timeout.milliseconds)) {
                    () async throws(BackendError) -> Void in
                    try await pump(body, into: continuation, serviceID: serviceID, endpoint: endpoint, mode: mode,
                                   maxLineBytes: maxLineBytes, maxEventBytes: maxEventBytes)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination { task.cancel() }
        return stream
    }

    private static func pump(
        _ body: HTTPClientResponse.Body, into continuation: BackendStream<[UInt8]>.Continuation, serviceID: String, endpoint: String,
        mode: StreamChunker.Mode, maxLineBytes: Int, maxEventBytes: Int
    ) async throws(BackendError) {
        var chunker = StreamChunker(mode: mode, maxLineBytes: maxLineBytes, maxEventBytes: maxEventBytes)
        do {
            for try await buffer in body {
                for chunk in try chunker.feed(buffer) { continuation.yield(chunk) }
            }
        } catch let overflow as StreamChunker.Overflow {
            throw .responseTooLarge(service: serviceID, limit: overflow.limit)
        } catch {
            if Task.isCancelled { return }
            throw .transport(service: serviceID, reason: "stream from endpoint \(endpoint) broke off: \(error)")
        }
        if let rest = chunker.finish() { continuation.yield(rest) }
    }
}
