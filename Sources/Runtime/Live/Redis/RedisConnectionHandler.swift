import NIOCore
import RelayRuntime

/// Request/reply bookkeeping of one connection, confined to its event loop.
///
/// Redis answers in request order, so a FIFO of outstanding requests is the
/// whole matching logic: each request says how many replies it expects (1,
/// or N for a pipeline) and is completed when that many have arrived. Any
/// doubt about the reply stream — a deadline passed, an I/O or protocol
/// error, an unsolicited reply — closes the connection and fails everything
/// outstanding, because later replies could be matched to the wrong request.
final class RedisConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = [RedisReply]
    typealias OutboundOut = ByteBuffer
    typealias Completion = (Result<[RedisReply], ConnectionFailure>) -> Void

    private struct Outstanding {
        let expected: Int
        let deadline: NIODeadline?
        let completion: Completion
    }

    private var context: ChannelHandlerContext?
    /// Set once the connection is closing or closed: nothing more is written.
    private var closed = false
    private var queue = CircularBuffer<Outstanding>(initialCapacity: 16)
    /// Replies collected so far for the request at the head of `queue`.
    private var headReplies: [RedisReply] = []
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    /// Set for pub/sub connections once subscribed: every reply is a push
    /// message and goes here instead of to a request.
    var onPush: ((RedisReply) -> Void)?

    var outstandingCount: Int { queue.count }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(.lost("connection handler removed"))
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        failAll(.lost("connection closed"))
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        discard(.lost("I/O error: \(error)"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let batch = unwrapInboundIn(data)
        // Fast path: one read carried exactly the replies of the head request.
        if onPush == nil, headReplies.isEmpty, let head = queue.first, head.expected == batch.count {
            queue.removeFirst()
            if let next = queue.first { headReplies.reserveCapacity(next.expected) }
            head.completion(.success(batch))
            return
        }
        for reply in batch {
            if let onPush {
                onPush(reply)
                continue
            }
            guard let head = queue.first else {
                discard(.lost("unsolicited reply \(String(reply.description.prefix(80)))"))
                return
            }
            headReplies.append(reply)
            if headReplies.count == head.expected {
                queue.removeFirst()
                let replies = headReplies
                headReplies = []
                if let next = queue.first { headReplies.reserveCapacity(next.expected) }
                head.completion(.success(replies))
            }
        }
    }

    /// Writes `payload` (already RESP-encoded, `count` commands) and
    /// completes with exactly `count` replies, in order.
    func submit(_ payload: ByteBuffer, count: Int, timeout: TimeAmount?, completion: @escaping Completion) {
        // `channel.isActive`, not channelActive: the connect future (and so the
        // handshake) runs before channelActive reaches the pipeline.
        guard !closed, let context, context.channel.isActive else {
            completion(.failure(.notSent))
            return
        }
        precondition(count > 0, "a request expects at least one reply")
        let deadline = timeout.map { NIODeadline.now() + $0 }
        if queue.isEmpty { headReplies.reserveCapacity(count) }
        queue.append(Outstanding(expected: count, deadline: deadline, completion: completion))
        context.writeAndFlush(wrapOutboundOut(payload), promise: nil)
        if let deadline { arm(deadline) }
    }

    /// Writes without expecting a reply (SUBSCRIBE/UNSUBSCRIBE in push mode).
    func writeUnanswered(_ payload: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(payload), promise: nil)
    }

    /// One timer per connection, armed for the earliest deadline; cheaper than
    /// a timer per command and enough because a late reply blocks all later ones.
    private func arm(_ deadline: NIODeadline) {
        if let armed = timerDeadline, armed <= deadline { return }
        guard let context else { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        let now = NIODeadline.now()
        var earliest: NIODeadline?
        for request in queue {
            guard let d = request.deadline else { continue }
            if d <= now {
                discard(nil)
                return
            }
            earliest = earliest.map { min($0, d) } ?? d
        }
        if let earliest { arm(earliest) }
    }

    /// Fails everything outstanding and closes the connection. `reason` nil
    /// means "a deadline passed": expired requests get `.timeout`, the rest
    /// `.lost`, since their replies can no longer be trusted either.
    private func discard(_ reason: ConnectionFailure?) {
        closed = true
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        let pending = takeAll()
        let now = NIODeadline.now()
        for request in pending {
            if let reason {
                request.completion(.failure(reason))
            } else if let d = request.deadline, d <= now {
                request.completion(.failure(.timeout("no reply within the deadline; connection discarded")))
            } else {
                request.completion(.failure(.lost("connection discarded after an earlier command timed out")))
            }
        }
        context?.close(promise: nil)
    }

    private func failAll(_ failure: ConnectionFailure) {
        for request in takeAll() { request.completion(.failure(failure)) }
    }

    private func takeAll() -> CircularBuffer<Outstanding> {
        let pending = queue
        queue = CircularBuffer(initialCapacity: 4)
        headReplies = []
        return pending
    }
}
