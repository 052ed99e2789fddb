/// A message received on a subscribed pub/sub channel.
public struct PubSubMessage: Sendable, Hashable {
    public let channel: String
    public let payload: [UInt8]

    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }
}

/// A live subscription. Delivery is at-most-once: messages published while
/// the subscriber is disconnected are lost, as with Redis itself.
public final class RedisSubscription: Sendable {
    public let messages: AsyncStream<PubSubMessage>
    private let onClose: @Sendable () async -> Void

    public init(messages: AsyncStream<PubSubMessage>, onClose: @escaping @Sendable () async -> Void) {
        self.messages = messages
        self.onClose = onClose
    }

    public func close() async { await onClose() }
}

/// The Redis port. Both the simulator's in-process model and the production
/// client implement it; all runtime state shared between relayers and
/// miners goes through it.
///
/// `send` and `pipeline` return the server's raw reply — including error
/// replies as `.error` values — and throw only when the transport fails
/// (`connectionLost`, `unavailable`, `timeout`). The typed helpers in
/// `RedisClient+Typed.swift` turn error replies into `RedisError`s.
public protocol RedisClient: Sendable {
    func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply
    /// Sends all commands before reading any reply; replies in order.
    func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply]
    func subscribe(channels: [String]) async throws(RedisError) -> RedisSubscription
    /// Releases connections; later calls fail with `unavailable`.
    func close() async
}
