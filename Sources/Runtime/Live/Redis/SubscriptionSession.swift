import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime

/// One `subscribe(channels:)` call: a dedicated connection in pub/sub mode
/// feeding an `AsyncStream`, re-established with backoff when it drops.
///
/// Delivery is at-most-once (as Redis pub/sub itself): messages published
/// while reconnecting are lost, but the stream keeps going, so a subscriber
/// does not have to notice a Redis restart. The reconnect loop runs on the
/// event loop (scheduled tasks and futures), so it needs no unstructured Swift task.
final class SubscriptionSession: Sendable {
    let channels: [String]
    let messages: AsyncStream<PubSubMessage>
    private let continuation: AsyncStream<PubSubMessage>.Continuation
    private let connector: RedisConnector
    private let state: NIOLockedValueBox<State>

    private struct State {
        var connection: RedisConnection?
        var closed = false
        var failures = 0
        var retry: Scheduled<Void>?
    }

    init(channels: [String], connector: RedisConnector) {
        var seen = Set<String>()
        self.channels = channels.filter { seen.insert($0).inserted }
        self.connector = connector
        (messages, continuation) = AsyncStream.makeStream(
            of: PubSubMessage.self,
            bufferingPolicy: .bufferingNewest(connector.configuration.subscriptionBufferSize)
        )
        state = NIOLockedValueBox(State())
        continuation.onTermination = { [weak self] _ in _ = self?.beginClose() }
    }

    var isConnected: Bool { state.withLockedValue { $0.connection?.isActive ?? false } }

    /// Connects and subscribes; returns once the server confirmed every channel,
    /// so a message published after this returns is delivered.
    func start() async throws(RedisError) {
        do {
            try await establish().get()
        } catch let error as LiveRedisError {
            throw error.redisError
        } catch let failure as ConnectionFailure {
            throw failure.redisError(endpoint: connector.endpoint, command: "SUBSCRIBE")
        } catch {
            throw .unavailable("\(connector.endpoint) SUBSCRIBE: \(error)")
        }
    }

    func close() async {
        if let closed = beginClose() { try? await closed.get() }
        continuation.finish()
    }

    /// UNSUBSCRIBE, then close the connection when the server confirms (or
    /// after the command timeout). Returns the close future, nil if already closed.
    private func beginClose() -> EventLoopFuture<Void>? {
        let connection: RedisConnection? = state.withLockedValue { s in
            guard !s.closed else { return nil }
            s.closed = true
            s.retry?.cancel()
            s.retry = nil
            let c = s.connection
            s.connection = nil
            return c
        }
        guard let connection else { return nil }
        let payload = RESPEncoder.encode([[Array("UNSUBSCRIBE".utf8)]], allocator: connection.channel.allocator)
        let timeout = TimeAmount(connector.configuration.commandTimeout)
        connection.eventLoop.execute {
            connection.handler.value.writeUnanswered(payload)
            let force = connection.eventLoop.scheduleTask(in: timeout) { connection.channel.close(promise: nil) }
            connection.channel.closeFuture.whenComplete { _ in force.cancel() }
        }
        return connection.channel.closeFuture
    }

    /// Connect, SUBSCRIBE, wait for all confirmations, then adopt the connection.
    private func establish() -> EventLoopFuture<Void> {
        let channels = self.channels
        let continuation = self.continuation
        let timeout = TimeAmount(connector.configuration.commandTimeout)
        return connector.connect(.subscriber).flatMap { connection in
            let eventLoop = connection.eventLoop
            let ready = eventLoop.makePromise(of: Void.self)
            var unconfirmed = Set(channels)
            let channel = connection.channel
            connection.handler.value.onPush = { reply in
                guard case .array(let items) = reply, items.count == 3, case .bulk(let kind) = items[0] else { return }
                switch String(decoding: kind, as: UTF8.self) {
                case "message":
                    guard case .bulk(let name) = items[1], case .bulk(let payload) = items[2] else { return }
                    continuation.yield(PubSubMessage(channel: String(decoding: name, as: UTF8.self), payload: payload))
                case "subscribe":
                    if case .bulk(let name) = items[1] { unconfirmed.remove(String(decoding: name, as: UTF8.self)) }
                    if unconfirmed.isEmpty { ready.succeed() }
                case "unsubscribe":
                    if case .integer(0) = items[2] { channel.close(promise: nil) }
                default:
                    break
                }
            }
            var argv: [[UInt8]] = [Array("SUBSCRIBE".utf8)]
            argv += channels.map { Array($0.utf8) }
            connection.handler.value.writeUnanswered(RESPEncoder.encode([argv], allocator: channel.allocator))
            let deadline = eventLoop.scheduleTask(in: timeout) {
                ready.fail(ConnectionFailure.timeout("no SUBSCRIBE confirmation within the deadline"))
            }
            channel.closeFuture.whenComplete { _ in ready.fail(ConnectionFailure.lost("connection closed while subscribing")) }
            return ready.futureResult
                .flatMapThrowing { [weak self] in
                    deadline.cancel()
                    guard let self, self.adopt(connection) else {
                        channel.close(promise: nil)
                        throw LiveRedisError.redis(.unavailable("subscription closed"))
                    }
                }
                .flatMapError { error in
                    deadline.cancel()
                    channel.close(promise: nil)
                    return eventLoop.makeFailedFuture(error)
                }
        }
    }

    private func adopt(_ connection: RedisConnection) -> Bool {
        let adopted = state.withLockedValue { s in
            guard !s.closed else { return false }
            s.connection = connection
            s.failures = 0
            return true
        }
        if adopted {
            connection.channel.closeFuture.whenComplete { [weak self] _ in self?.connectionClosed(connection) }
        }
        return adopted
    }

    private func connectionClosed(_ connection: RedisConnection) {
        state.withLockedValue { s in
            guard !s.closed, s.connection === connection else { return }
            s.connection = nil
            scheduleReconnect(&s)
        }
    }

    private func scheduleReconnect(_ s: inout State) {
        s.failures += 1
        let delay = connector.configuration.reconnectBackoff.delay(afterFailures: s.failures)
        let eventLoop = connector.configuration.eventLoopGroup.next()
        s.retry = eventLoop.scheduleTask(in: TimeAmount(delay)) { [weak self] in self?.reconnect() }
    }

    private func reconnect() {
        let proceed = state.withLockedValue { s in
            s.retry = nil
            return !s.closed
        }
        guard proceed else { return }
        establish().whenFailure { [weak self] _ in
            guard let self else { return }
            self.state.withLockedValue { s in
                if !s.closed, s.connection == nil { self.scheduleReconnect(&s) }
            }
        }
    }
}
