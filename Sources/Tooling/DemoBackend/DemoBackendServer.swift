import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The demo backend that relayers forward to in tests, load tests and
/// localnet: JSON-RPC, REST, CometBFT status, WebSocket subscriptions,
/// SSE/NDJSON streams and counters on one HTTP listener, `demo.DemoService`
/// on a gRPC listener, with faults (status, delay, gzip, dropped connection,
/// padding) asked per request. See docs/demo-backend.md.
///
/// A ServiceLifecycle `Service`: run it in a `ServiceGroup` (graceful
/// shutdown lets in-flight requests finish) or call `run()` in a task and
/// cancel it. `endpoints` tells the bound ports once both listeners are up,
/// which is how callers that configured port 0 learn them.
public final class DemoBackendServer: Service, Sendable {
    public let configuration: DemoBackendConfiguration
    let state: DemoBackendState
    private let httpReady = ReadySignal<Int>()
    private let grpcReady = ReadySignal<Int?>()
    private let started = OneShot()

    public init(configuration: DemoBackendConfiguration = DemoBackendConfiguration()) {
        self.configuration = configuration
        state = DemoBackendState(backendID: configuration.backendID, startHeight: configuration.startHeight)
    }

    /// The bound addresses, once both listeners are up. Throws if a listener
    /// failed or `run()` ended first; waits while `run()` has not started.
    public var endpoints: DemoBackendEndpoints {
        get async throws(DemoBackendError) {
            let httpPort = try await httpReady.value()
            let grpcPort = try await grpcReady.value()
            return DemoBackendEndpoints(
                httpHost: configuration.httpHost, httpPort: httpPort,
                grpcHost: grpcPort == nil ? nil : configuration.grpcHost, grpcPort: grpcPort
            )
        }
    }

    /// The counters behind `GET /stats`.
    public func stats() async -> DemoBackendStats {
        await state.snapshot()
    }

    /// Serves until cancelled or until the enclosing service group shuts down
    /// gracefully; throws if a listener cannot bind. A server runs once.
    public func run() async throws {
        guard await started.claim() else { throw DemoBackendError.alreadyRunning }
        let httpAddress = "\(configuration.httpHost):\(configuration.httpPort)"
        let application = makeApplication()
        let grpcServer = makeGRPCServer()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [httpReady] in
                    do {
                        try await application.run()
                    } catch {
                        // Failing before the listener was up is a bind failure: say which listener and where.
                        let failure = DemoBackendError.listenerFailed(listener: "HTTP", address: httpAddress, reason: "\(error)")
                        let wasUp = await httpReady.hasValue
                        await httpReady.settle(.failure(failure))
                        throw wasUp ? error : failure
                    }
                    await httpReady.settle(.failure(.stoppedBeforeListening(listener: "HTTP")))
                }
                if let (server, address) = grpcServer {
                    group.addTask { [grpcReady] in
                        do {
                            try await withGracefulShutdownHandler {
                                try await server.serve()
                            } onGracefulShutdown: {
                                server.beginGracefulShutdown()
                            }
                        } catch {
                            let failure = DemoBackendError.listenerFailed(listener: "gRPC", address: address, reason: "\(error)")
                            let wasUp = await grpcReady.hasValue
                            await grpcReady.settle(.failure(failure))
                            throw wasUp ? error : failure
                        }
                        await grpcReady.settle(.failure(.stoppedBeforeListening(listener: "gRPC")))
                    }
                    group.addTask { [grpcReady] in
                        do {
                            let bound = try await server.transport.listeningAddress
                            await grpcReady.settle(.success(bound.ipv4?.port ?? bound.ipv6?.port))
                        } catch {
                            await grpcReady.settle(.failure(.listenerFailed(listener: "gRPC", address: address, reason: "\(error)")))
                        }
                    }
                } else {
                    await grpcReady.settle(.success(nil))
                }
                try await group.waitForAll()
            }
        } catch {
            await settleAll(.stoppedBeforeListening(listener: "HTTP"), .stoppedBeforeListening(listener: "gRPC"))
            throw error
        }
        await settleAll(.stoppedBeforeListening(listener: "HTTP"), .stoppedBeforeListening(listener: "gRPC"))
    }

    private func settleAll(_ http: DemoBackendError, _ grpc: DemoBackendError) async {
        await httpReady.settle(.failure(http))
        await grpcReady.settle(.failure(grpc))
    }

    private func makeApplication() -> some ApplicationProtocol {
        let configuration = configuration
        let state = state
        let httpReady = httpReady
        // Asked only while serving a request, so the listener is bound by then.
        let rpc = DemoJSONRPC(state: state, backendID: configuration.backendID, network: configuration.network) {
            let port = (try? await httpReady.value()) ?? configuration.httpPort
            return "tcp://\(configuration.httpHost):\(port)"
        }
        var logger = Logger(label: "pocket.demo-backend")
        logger.logLevel = configuration.logLevel
        return Application(
            responder: DemoHTTPResponder(state: state, rpc: rpc),
            server: .http1WebSocketUpgrade { request, _, _ in
                let target = DemoRequestTarget(request.path ?? "/")
                guard Self.isWebSocketPath(target.path) else { return .dontUpgrade }
                let session = DemoWebSocketSession(rpc: rpc, state: state, query: target.query)
                return .upgrade([DemoHeaders.backendID: configuration.backendID]) { inbound, outbound, _ in
                    try await session.run(inbound: inbound, outbound: outbound)
                }
            },
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "pocket-demo-backend"
            ),
            onServerRunning: { channel in
                await httpReady.settle(.success(channel.localAddress?.port ?? configuration.httpPort))
            },
            logger: logger
        )
    }

    /// WebSocket upgrades are accepted on `/ws` (and below it), `/websocket` and `/`.
    static func isWebSocketPath(_ path: String) -> Bool {
        path == "/" || path == "/ws" || path.hasPrefix("/ws/") || path == "/websocket"
    }

    private func makeGRPCServer() -> (GRPCServer<HTTP2ServerTransport.Posix>, String)? {
        guard let host = configuration.grpcHost else { return nil }
        let port = configuration.grpcPort
        let transport = HTTP2ServerTransport.Posix(
            address: host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port), transportSecurity: .plaintext
        )
        let service = DemoGRPCService(state: state, backendID: configuration.backendID)
        return (GRPCServer(transport: transport, services: [service]), "\(host):\(configuration.grpcPort)")
    }
}

