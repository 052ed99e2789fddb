import RelayRuntime
import SimKernel

/// One relayer of the world: a `RelayerProcess` on a simulated host. A crash
/// closes its connections at once (a dead process writes nothing more) and
/// drops its in-memory caches; in-flight requests are answered as reset
/// connections. A graceful stop drains first.
final class RelayerNode: RelayerEndpoint, @unchecked Sendable {
    let host: ProcessHost<RelayerProcess>

    init(name: String, context: WorldContext) {
        let config = RelayerConfig(
            services: context.spec.services.map { RelayerConfig.Service(id: $0.id, transports: [.jsonRPC, .rest, .cometBFT, .websocket]) },
            redisKeys: context.keys, component: "relayer"
        )
        let backend = context.backend
        host = ProcessHost(name: name, context: context) { start in
            (RelayerProcess(config: config, ports: start.ports, chain: start.chain, backend: backend), [])
        }
    }

    var name: String { host.name }

    func deliver(_ relay: IncomingRelay) async -> RelayDelivery {
        guard let current = host.current else { return .relayerDown }
        let answer = await current.process.handle(relay)
        guard host.current?.generation == current.generation else { return .connectionReset }
        return .answered(answer)
    }

    func openDuplex(serviceID: String) async -> DuplexOpenAnswer? {
        guard let current = host.current else { return nil }
        return await current.process.openDuplex(serviceID: serviceID)
    }
}
