import Logging
import OperatorConfig
import RelayRuntime
import RelayRuntimeLive
import ServiceLifecycle

/// Why the relayer could not start; each case says what to fix.
public struct RelayerStartupError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Builds a production relayer from an operator's settings: the live
/// adapters (Redis, chain over gRPC + CometBFT, backends, keys file) around
/// the same `RelayerProcess` the simulator runs, plus its servers. The
/// services come out in dependency order for one `ServiceGroup`.
public final class RelayerAssembly: Sendable {
    public let settings: RelayerSettings
    public let process: RelayerProcess
    public let server: RelayerServer
    public let telemetry: PrometheusTelemetry
    public let keys: KeysFileWatcher
    public let backend: LiveBackend
    public let redis: LiveRedisClient
    public let queries: LiveChainQueries
    public let blocks: CometBFTClient
    public let logger: Logger

    public init(settings: RelayerSettings, logger: Logger) throws(RelayerStartupError) {
        self.settings = settings
        self.logger = logger
        let clock = SystemClock()
        telemetry = PrometheusTelemetry(declared: RelayerMetrics.all + RelayerMetrics.backend, logger: logger, minimumLevel: settings.logging.level.eventLevel)
        do {
            keys = try KeysFileWatcher(source: settings.keys, interval: settings.keysReloadInterval, telemetry: telemetry, component: "relayer.keys")
        } catch {
            throw RelayerStartupError("cannot load supplier keys: \(error)")
        }
        do {
            backend = try LiveBackend(configuration: settings.backends, telemetry: telemetry)
        } catch {
            throw RelayerStartupError("invalid backend configuration: \(error)")
        }
        redis = LiveRedisClient(configuration: settings.redis)
        var chainConfiguration = LiveChainQueriesConfiguration(endpoint: settings.chain.grpcEndpoint, security: settings.chain.grpcInsecure ? .plaintext : .tls)
        // The runtime's chain-data cache already re-reads live state (applications, delegations) once per block;
        // a second, 90 s cache underneath would delay a new delegation by up to 90 s. Keep only at-height answers.
        chainConfiguration.cache.live = ChainQueryCachePolicy.Rule(maxAge: .zero, capacity: 0)
        do {
            queries = try LiveChainQueries(configuration: chainConfiguration, clock: clock)
        } catch {
            throw RelayerStartupError("cannot set up the chain gRPC client for \(settings.chain.grpcURL): \(error)")
        }
        blocks = CometBFTClient(configuration: CometBFTConfiguration(rpcURL: settings.chain.rpcURL))
        let ports = RuntimePorts(redis: redis, keys: keys.keys, clock: clock, entropy: SystemEntropy(), telemetry: telemetry)
        process = RelayerProcess(
            config: settings.relayer, ports: ports, chain: LiveChainPort(queries: queries, blocks: blocks), backend: backend
        )
        let server = settings.server
        let options = RelayerServerOptions(
            http: ServerAddress(host: server.listenAddress.host, port: server.listenAddress.port),
            h2c: server.h2cListenAddress.map { ServerAddress(host: $0.host, port: $0.port) },
            grpc: server.grpcListenAddress.map { ServerAddress(host: $0.host, port: $0.port) },
            metrics: settings.metrics.enabled ? ServerAddress(host: settings.metrics.address.host, port: settings.metrics.address.port) : nil,
            health: settings.health.enabled ? ServerAddress(host: settings.health.address.host, port: settings.health.address.port) : nil,
            maxConnections: server.limits.maxConnections, idleTimeout: server.limits.idleTimeout,
            bodyReadTimeout: server.limits.readHeaderTimeout + settings.relayer.services.values.map(\.backendDeadline).max()!
        )
        self.server = RelayerServer(
            process: process, keys: keys.keys, readiness: RelayerReadiness(keys: keys.keys, redis: redis, blocks: process.blocks),
            telemetry: telemetry, options: options, maxBodyBytes: settings.relayer.maxRequestBodyBytes, logger: logger
        )
    }

    /// Checks the chain id the node reports against `pocket_node.chain_id` (when set).
    /// An unreachable node is only a warning: the relayer starts and reports not-ready until it answers.
    public func verifyChain() async throws(RelayerStartupError) {
        guard let expected = settings.chain.chainID else { return }
        do {
            try await blocks.verifyChainID(expected: expected)
        } catch {
            if case .mismatch = error {
                throw RelayerStartupError("\(error); point pocket_node at a node of chain \(expected) or fix pocket_node.chain_id")
            }
            logger.warning("chain id not verified yet: \(error)")
        }
    }

    /// Every service, in start order; the process last so it drains first on shutdown.
    public func services() -> [any Service] {
        let queries = self.queries
        let keys = self.keys
        let backend = self.backend
        var services: [any Service] = [
            ClosureService(name: "chain-queries") {
                try await withGracefulShutdownHandler { try await queries.run() } onGracefulShutdown: { queries.beginGracefulShutdown() }
            },
            ClosureService(name: "keys-reload") { await cancelWhenGracefulShutdown { await keys.run() } },
            ClosureService(name: "backend-health") {
                backend.start()
                try? await gracefulShutdown()
            },
        ]
        services += server.services()
        services.append(server.processService)
        return services
    }

    /// Closes the clients after the service group has stopped.
    public func shutdown() async {
        await backend.shutdown()
        await blocks.shutdown()
        await redis.close()
    }
}

/// A service from a closure (for the clients' background loops).
struct ClosureService: Service, CustomStringConvertible {
    let name: String
    let body: @Sendable () async throws -> Void

    init(name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    func run() async throws { try await body() }
    var description: String { name }
}
