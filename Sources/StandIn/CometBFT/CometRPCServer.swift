import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import SimChain

/// The chain stand-in's CometBFT face: CometBFT 0.38's JSON-RPC over HTTP
/// (`/status`, `/block`, `/health`, `POST /`) and its WebSocket
/// (`/websocket`: `subscribe` to NewBlockHeader events), answered from a
/// `FakeChain`, all on one Hummingbird listener. With a block producer it
/// also serves the loopback-only control endpoint (`/control/…`).
///
/// Live code (NIO threads, wall clock), like `ChainGRPCServer`: the
/// simulator never uses it.
public final class CometRPCServer: Sendable {
    public let chain: FakeChain
    let application: Application<RouterResponder<StandInRequestContext>>
    private let bound: EventLoopPromise<Int>

    /// A server for `chain` on `host:port` (port 0: a free port, read it with
    /// `port()`); `producer` enables the control endpoint. `logLevel` filters
    /// Hummingbird's own log (it reports a cancelled, rather than gracefully
    /// stopped, server as an error).
    public init(chain: FakeChain, host: String = "127.0.0.1", port: Int = 0, producer: WallClockBlockProducer? = nil,
                logLevel: Logger.Level = .critical) {
        self.chain = chain
        let listener = NIOLockedValueBox("tcp://\(host):\(port)")
        let methods = CometRPCMethods(chain: chain, node: CometNodeIdentity(chainID: chain.genesis.chainID), listener: listener)
        let router = Router(context: StandInRequestContext.self)
        CometHTTPRoutes(methods: methods).register(on: router)
        let session = CometWebSocketSession(methods: methods)
        router.ws("/websocket") { inbound, outbound, _ in
            try await session.run(inbound: inbound, outbound: outbound)
        }
        if let producer { StandInControlRoutes(producer: producer).register(on: router) }

        let bound = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Int.self)
        self.bound = bound
        var logger = Logger(label: "pocket.chain-stand-in.cometbft")
        logger.logLevel = logLevel
        application = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "pocket-chain-stand-in"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? port
                listener.withLockedValue { $0 = "tcp://\(host):\(port)" }
                bound.succeed(port)
            },
            logger: logger
        )
    }

    deinit {
        // A server that never ran must not leave its promise unfulfilled (NIO reports that as a leak).
        bound.fail(CancellationError())
    }

    /// The listener as a ServiceLifecycle service (for a `ServiceGroup`).
    public var service: any Service { application }

    /// Serves until the task is cancelled or a graceful shutdown of the
    /// enclosing service group; fails if the address cannot be bound.
    public func serve() async throws {
        do {
            try await application.run()
        } catch {
            bound.fail(error)
            throw error
        }
        bound.fail(CancellationError())
    }

    /// The bound port, once the listener is up (throws if binding failed).
    public func port() async throws -> Int {
        try await bound.futureResult.get()
    }

    /// Serves `chain` for the duration of `body`, which gets the server and its bound port.
    public static func withServer<Result: Sendable>(
        chain: FakeChain, host: String = "127.0.0.1", port: Int = 0, producer: WallClockBlockProducer? = nil,
        _ body: (CometRPCServer, Int) async throws -> Result
    ) async throws -> Result {
        let server = CometRPCServer(chain: chain, host: host, port: port, producer: producer)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            defer { group.cancelAll() }
            return try await body(server, try await server.port())
        }
    }
}
