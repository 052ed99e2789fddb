import GRPCCore
import GRPCNIOTransportHTTP2
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime
import RelayRuntimeLive
import ServiceLifecycle

/// The relayer's listeners around one `RelayerProcess`, as ServiceLifecycle
/// services. Put `services` into a `ServiceGroup` AFTER whatever they depend
/// on and BEFORE `processService`: on SIGTERM the group stops services in
/// reverse order, so the process drains first (new relays get 503
/// `shutting_down`, in-flight ones finish and publish) while the listeners
/// still answer, and the listeners close after.
public final class RelayerServer: Sendable {
    public let options: RelayerServerOptions
    public let limiter: ConnectionLimiter
    private let process: RelayerProcess
    private let keys: any KeysPort
    private let readiness: RelayerReadiness
    private let telemetry: PrometheusTelemetry?
    private let maxBodyBytes: Int
    private let logger: Logger
    private let bound = NIOLockedValueBox<[String: Int]>([:])
    private let boundWaiters = NIOLockedValueBox<[CheckedContinuation<Void, Never>]>([])

    /// - Parameter maxBodyBytes: the largest relay body any service accepts (per-service limits apply after).
    public init(
        process: RelayerProcess, keys: any KeysPort, readiness: RelayerReadiness, telemetry: PrometheusTelemetry?,
        options: RelayerServerOptions, maxBodyBytes: Int, logger: Logger
    ) {
        self.process = process
        self.keys = keys
        self.readiness = readiness
        self.telemetry = telemetry
        self.options = options
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
        limiter = ConnectionLimiter(limit: options.maxConnections)
    }

    /// The listeners, in start order: HTTP/1.1, h2c, gRPC, metrics, health.
    public func services() -> [any Service] {
        var services: [any Service] = [httpApplication()]
        if let h2c = options.h2c { services.append(h2cApplication(h2c)) }
        if let grpc = options.grpc { services.append(GRPCRelayServer(address: grpc, process: process, onBound: { self.record("grpc", port: $0) })) }
        if let metrics = options.metrics, let telemetry {
            let router = Router()
            OperatorRoutes.addMetrics(to: router, telemetry: telemetry)
            services.append(application(name: "metrics", address: metrics, responder: router.buildResponder(), server: .http1()))
        }
        if let health = options.health {
            let router = Router()
            OperatorRoutes.addHealth(to: router, readiness: readiness)
            services.append(application(name: "health", address: health, responder: router.buildResponder(), server: .http1()))
        }
        return services
    }

    /// The process as a service: runs it, and drains it on graceful shutdown.
    public var processService: any Service { RelayerProcessService(process: process) }

    /// The port a listener bound (`http`, `h2c`, `grpc`, `metrics`, `health`), once it listens; useful with port 0.
    public func port(of listener: String) -> Int? { bound.withLockedValue { $0[listener] } }

    /// Waits until every configured listener is bound.
    public func waitUntilListening() async {
        let expected = 1 + (options.h2c == nil ? 0 : 1) + (options.grpc == nil ? 0 : 1)
            + (options.metrics == nil || telemetry == nil ? 0 : 1) + (options.health == nil ? 0 : 1)
        while bound.withLockedValue({ $0.count }) < expected {
            await withCheckedContinuation { continuation in
                let ready = bound.withLockedValue { $0.count } >= expected
                if ready { continuation.resume() } else { boundWaiters.withLockedValue { $0.append(continuation) } }
            }
        }
    }

    private func record(_ listener: String, port: Int) {
        bound.withLockedValue { $0[listener] = port }
        let waiters = boundWaiters.withLockedValue { w -> [CheckedContinuation<Void, Never>] in
            defer { w = [] }
            return w
        }
        for waiter in waiters { waiter.resume() }
    }

    private var relayResponder: RelayerHTTPResponder<RouterResponder<BasicRequestContext>> {
        let health = Router()
        OperatorRoutes.addHealth(to: health, readiness: readiness)
        return RelayerHTTPResponder(
            relay: HTTPRelayHandler(process: process, keys: keys, maxBodyBytes: maxBodyBytes, bodyReadTimeout: options.bodyReadTimeout),
            health: health.buildResponder()
        )
    }

    private func httpApplication() -> any Service {
        let bridge = WebSocketRelayBridge(process: process, maxMessageBytes: 15 * 1024 * 1024)
        let limiter = self.limiter
        let idle = options.idleTimeout
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: HTTP1Channel.Configuration(idleTimeout: TimeAmount(idle)),
            ws: WebSocketServerConfiguration(maxFrameSize: 15 * 1024 * 1024, autoPing: .enabled(timePeriod: .seconds(27)), closeTimeout: .seconds(10))
        )
        let server = HTTPServerBuilder { responder in
            GuardedChildChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: configuration) { head, _, _ in
                    await bridge.shouldUpgrade(head)
                },
                limiter: limiter, idleTimeout: idle
            )
        }
        return application(name: "http", address: options.http, responder: relayResponder, server: server)
    }

    private func h2cApplication(_ address: ServerAddress) -> any Service {
        let limiter = self.limiter
        let idle = options.idleTimeout
        let server = HTTPServerBuilder { responder in
            GuardedChildChannel(
                base: HTTP2Channel(responder: responder, configuration: HTTP2ChannelConfiguration(idleTimeout: idle)),
                limiter: limiter, idleTimeout: idle
            )
        }
        return application(name: "h2c", address: address, responder: relayResponder, server: server)
    }

    private func application<Responder: HTTPResponder>(
        name: String, address: ServerAddress, responder: Responder, server: HTTPServerBuilder
    ) -> any Service where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        return Application(
            responder: responder, server: server,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "pocket-relay-miner", backlog: 1024),
            onServerRunning: { channel in self.record(name, port: channel.localAddress?.port ?? address.port) },
            logger: quiet
        )
    }
}

/// Relays on every path except the health endpoints.
struct RelayerHTTPResponder<Health: HTTPResponder>: HTTPResponder where Health.Context == BasicRequestContext {
    typealias Context = BasicRequestContext
    let relay: HTTPRelayHandler
    let health: Health

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        if request.method == .get, ["/health", "/healthz", "/ready"].contains(request.uri.path) {
            return try await health.respond(to: request, context: context)
        }
        return await relay.respond(to: request)
    }
}

/// The gRPC relay listener as a service.
struct GRPCRelayServer: Service {
    let address: ServerAddress
    let process: RelayerProcess
    let onBound: @Sendable (Int) -> Void

    func run() async throws {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: address.host, port: address.port), transportSecurity: .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = 15 * 1024 * 1024 }
        )
        let server = GRPCServer(transport: transport, services: [GRPCRelayService(process: process)])
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.serve() }
                if let port = try await server.listeningAddress?.ipv4?.port { onBound(port) }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}

/// Runs the relayer process; graceful shutdown drains it (see `RelayerProcess.stop`).
struct RelayerProcessService: Service {
    let process: RelayerProcess

    func run() async throws {
        let process = self.process
        await withGracefulShutdownHandler {
            await process.run()
        } onGracefulShutdown: {
            Task { await process.stop() }
        }
    }
}
