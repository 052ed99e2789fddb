import NIOCore
import NIOPosix
import RelayRuntime

/// Opens connections: TCP connect (NIO `ClientBootstrap`), pipeline setup
/// (hiredis reply decoder + request handler), then the handshake.
///
/// Future-based so it can be driven from the event loop alone (pub/sub
/// reconnects) as well as awaited from async code (the pool).
struct RedisConnector: Sendable {
    let configuration: LiveRedisConfiguration

    var endpoint: String { configuration.endpoint }

    func establish(_ purpose: ConnectionPurpose) async -> Result<RedisConnection, LiveRedisError> {
        do {
            return .success(try await connect(purpose).get())
        } catch let error as LiveRedisError {
            return .failure(error)
        } catch {
            return .failure(.redis(.unavailable("\(endpoint): \(error)")))
        }
    }

    /// Fails with `LiveRedisError`.
    func connect(_ purpose: ConnectionPurpose, on eventLoop: (any EventLoop)? = nil) -> EventLoopFuture<RedisConnection> {
        let eventLoop = eventLoop ?? configuration.eventLoopGroup.next()
        let endpoint = self.endpoint
        let handshake = Handshake(url: configuration.url, clientName: configuration.clientName, purpose: purpose)
        let handshakeTimeout = TimeAmount(configuration.commandTimeout)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(HiredisReplyDecoder()),
                        RedisConnectionHandler()
                    )
                }
            }
        return bootstrap.connect(host: configuration.url.host, port: configuration.url.port)
            .flatMapErrorThrowing { error -> any Channel in
                throw LiveRedisError.redis(.unavailable("\(endpoint): \(Self.describeConnectError(error))"))
            }
            .flatMap { channel -> EventLoopFuture<RedisConnection> in
                let handler: NIOLoopBound<RedisConnectionHandler>
                do {
                    handler = NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisConnectionHandler.self), eventLoop: channel.eventLoop)
                } catch {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(LiveRedisError.redis(.unavailable("\(endpoint): pipeline setup failed: \(error)")))
                }
                let payload = RESPEncoder.encode(handshake.commands, allocator: channel.allocator)
                return handler.request(payload, count: handshake.commands.count, timeout: handshakeTimeout)
                    .flatMapErrorThrowing { error -> [RedisReply] in
                        let why = (error as? ConnectionFailure).map(Self.describe) ?? "\(error)"
                        throw LiveRedisError.redis(.unavailable("\(endpoint): handshake failed: \(why)"))
                    }
                    .flatMapThrowing { replies in
                        switch handshake.interpret(replies) {
                        case .success(let profile): return RedisConnection(channel: channel, handler: handler, profile: profile)
                        case .failure(let error): throw error
                        }
                    }
                    .flatMapError { error in
                        channel.close(promise: nil)
                        return channel.eventLoop.makeFailedFuture(error)
                    }
            }
    }

    private static func describe(_ failure: ConnectionFailure) -> String {
        switch failure {
        case .notSent: return "connection closed"
        case .lost(let why), .timeout(let why): return why
        }
    }

    static func describeConnectError(_ error: any Error) -> String {
        if let e = error as? NIOConnectionError {
            if let dns = e.dnsAError ?? e.dnsAAAAError { return "cannot resolve host: \(dns)" }
            if let first = e.connectionErrors.first { return describeConnectError(first.error) }
            return "no address to connect to"
        }
        if let e = error as? IOError {
            if e.errnoCode == 111 { return "connection refused" }
            return e.description
        }
        if case ChannelError.connectTimeout(let t) = error { return "connect timed out after \(t.nanoseconds / 1_000_000) ms" }
        return "\(error)"
    }
}
