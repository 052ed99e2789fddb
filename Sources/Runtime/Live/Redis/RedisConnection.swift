import NIOCore
import RelayRuntime

/// One open, handshaken Redis connection: a NIO channel plus its handler.
///
/// The async `execute` hops to the channel's event loop once per request
/// (one batch = one hop, one write, one flush) and resumes the caller when
/// the last reply of the batch has arrived.
final class RedisConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<RedisConnectionHandler>
    /// What the handshake learned (script SHAs, optional commands).
    let profile: ServerProfile

    init(channel: any Channel, handler: NIOLoopBound<RedisConnectionHandler>, profile: ServerProfile) {
        self.channel = channel
        self.handler = handler
        self.profile = profile
    }

    var eventLoop: any EventLoop { channel.eventLoop }
    var isActive: Bool { channel.isActive }

    func execute(_ payload: ByteBuffer, count: Int, timeout: TimeAmount?) async -> Result<[RedisReply], ConnectionFailure> {
        let handler = self.handler
        return await withUnsafeContinuation { continuation in
            if handler.eventLoop.inEventLoop {
                // A caller already running on this event loop (task executor preference): no hop.
                handler.value.submit(payload, count: count, timeout: timeout) { continuation.resume(returning: $0) }
            } else {
                handler.eventLoop.execute {
                    handler.value.submit(payload, count: count, timeout: timeout) { continuation.resume(returning: $0) }
                }
            }
        }
    }

    /// Closes the socket and waits until it is closed.
    func close() async {
        channel.close(promise: nil)
        try? await channel.closeFuture.get()
    }
}

extension NIOLoopBound where Value == RedisConnectionHandler {
    /// The future form of `submit`, for code already on the event loop
    /// (handshakes, pub/sub). Fails with `ConnectionFailure`.
    func request(_ payload: ByteBuffer, count: Int, timeout: TimeAmount?) -> EventLoopFuture<[RedisReply]> {
        let promise = eventLoop.makePromise(of: [RedisReply].self)
        value.submit(payload, count: count, timeout: timeout) { promise.completeWith($0.mapError { $0 as any Error }) }
        return promise.futureResult
    }
}
