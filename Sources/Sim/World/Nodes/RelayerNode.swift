import Foundation
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// One relayer process of the world: the production `Relayer` with its own
/// Redis connection, chain link and block tracker. A crash closes its
/// connections at once (a dead process writes nothing more) and drops its
/// in-memory caches; in-flight requests are answered as reset connections.
final class RelayerNode: RelayerEndpoint, @unchecked Sendable {
    let name: String
    let lifecycle = NodeLifecycle()
    /// This node's clock (skewable); survives restarts like a host's clock.
    let clock: NodeClock
    private let context: WorldContext
    private let lock = NSLock()
    private var instance: Instance?
    private var redisPartitioned = false

    struct Instance {
        let generation: Int
        let relayer: Relayer
        let redis: RedisModelClient
        let tracker: BlockTracker
    }

    init(name: String, context: WorldContext) {
        self.name = name
        self.context = context
        clock = NodeClock(base: context.kernel.clock)
    }

    var telemetryCounters: TraceTelemetry { telemetry }
    private lazy var telemetry: TraceTelemetry = context.telemetry(for: name)

    /// Runs the node, restarting it whenever the fault timeline does, until cancelled.
    func supervise() async {
        while !Task.isCancelled {
            await lifecycle.waitUntilUp()
            if Task.isCancelled { return }
            await lifecycle.started()
            let generation = await lifecycle.generation
            let current = makeInstance(generation: generation)
            setInstance(current)
            context.kernel.record(name, "node.started", [("generation", String(generation))])
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await current.tracker.run() }
                let how = await lifecycle.waitUntilDown()
                context.kernel.record(name, how == .crashed ? "node.crashed" : "node.stopped", [("generation", String(generation))])
                setInstance(nil)
                await current.redis.close()
                group.cancelAll()
            }
        }
    }

    func deliver(_ relay: IncomingRelay) async -> RelayDelivery {
        guard let current = currentInstance() else { return .relayerDown }
        let answer = await current.relayer.handle(relay)
        guard currentInstance()?.generation == current.generation else { return .connectionReset }
        return .answered(answer)
    }

    func openDuplex(serviceID: String) async -> DuplexOpenAnswer? {
        guard let current = currentInstance() else { return nil }
        return await current.relayer.openDuplex(serviceID: serviceID)
    }

    /// Cuts (or heals) this node's connection to Redis; survives restarts.
    func setRedisPartitioned(_ on: Bool) {
        lock.withLock { redisPartitioned = on }
        currentInstance()?.redis.setPartitioned(on)
    }

    /// The next `count` matching commands of this node execute but lose their reply.
    func dropReplies(next count: Int, matching filter: RedisCommandFilter) {
        currentInstance()?.redis.dropReplies(next: count, matching: filter)
    }

    private func makeInstance(generation: Int) -> Instance {
        let chain = context.chain.link(for: name)
        let redis = RedisModelClient(model: context.redis, name: "\(name)#\(generation)")
        if lock.withLock({ redisPartitioned }) { redis.setPartitioned(true) }
        let tracker = BlockTracker(chain: chain, clock: clock, telemetry: telemetry, component: "relayer")
        let config = RelayerConfig(
            services: context.spec.services.map { RelayerConfig.Service(id: $0.id, transports: [.jsonRPC, .rest, .cometBFT, .websocket]) },
            redisKeys: context.keys, component: "relayer"
        )
        let relayer = Relayer(
            config: config, chain: chain, redis: redis, backend: context.backend, keys: context.supplierKeys,
            clock: clock, entropy: context.kernel.entropy, telemetry: telemetry, blocks: tracker
        )
        return Instance(generation: generation, relayer: relayer, redis: redis, tracker: tracker)
    }

    private func setInstance(_ i: Instance?) { lock.withLock { instance = i } }
    private func currentInstance() -> Instance? { lock.withLock { instance } }
}
