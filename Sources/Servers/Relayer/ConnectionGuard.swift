import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Counts the connections a listener holds and refuses (closes at accept)
/// those above the limit, so a flood of sockets cannot exhaust descriptors.
public final class ConnectionLimiter: Sendable {
    public let limit: Int
    private let open = NIOLockedValueBox(0)
    private let refused = NIOLockedValueBox(0)

    public init(limit: Int) { self.limit = limit }

    func tryAcquire() -> Bool {
        let acquired = open.withLockedValue { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        if !acquired { refused.withLockedValue { $0 += 1 } }
        return acquired
    }

    func release() { open.withLockedValue { $0 -= 1 } }

    /// Connections open now.
    public var openConnections: Int { open.withLockedValue { $0 } }
    /// Connections closed at accept because the limit was reached.
    public var refusedConnections: Int { refused.withLockedValue { $0 } }
}

/// Wraps a server's per-connection channel: enforces the connection limit
/// and closes a connection on which nothing was read or written for
/// `idleTimeout`, from the moment it is accepted (Hummingbird's own idle
/// timer starts only after a first request, so a silent socket would stay).
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let limiter: ConnectionLimiter
    let idleTimeout: Duration

    struct LimitReached: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard limiter.tryAcquire() else {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(LimitReached())
        }
        let limiter = self.limiter
        channel.closeFuture.whenComplete { _ in limiter.release() }
        let timeout = TimeAmount(idleTimeout)
        do {
            try channel.pipeline.syncOperations.addHandlers([IdleStateHandler(allTimeout: timeout), CloseOnIdle()], position: .first)
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection when `IdleStateHandler` reports it idle.
final class CloseOnIdle: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
