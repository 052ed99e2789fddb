import Foundation
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// One miner replica of the world: the production `Miner` with a fresh
/// instance id on every start. A crash cancels it with no cleanup (leases
/// stay until they expire, in-memory trees are gone); a graceful stop lets it
/// release its leases first.
final class MinerNode: @unchecked Sendable {
    let name: String
    let lifecycle = NodeLifecycle()
    /// This node's clock (skewable); survives restarts like a host's clock.
    let clock: NodeClock
    private let context: WorldContext
    private let lock = NSLock()
    private var instance: (miner: Miner, redis: RedisModelClient)?
    private var redisPartitioned = false
    private(set) lazy var telemetry: TraceTelemetry = context.telemetry(for: name)

    init(name: String, context: WorldContext) {
        self.name = name
        self.context = context
        clock = NodeClock(base: context.kernel.clock)
    }

    func supervise() async {
        while !Task.isCancelled {
            await lifecycle.waitUntilUp()
            if Task.isCancelled { return }
            await lifecycle.started()
            let generation = await lifecycle.generation
            let chain = context.chain.link(for: name)
            let redis = RedisModelClient(model: context.redis, name: "\(name)#\(generation)")
            if lock.withLock({ redisPartitioned }) { redis.setPartitioned(true) }
            let tracker = BlockTracker(chain: chain, clock: clock, telemetry: telemetry, component: "miner")
            let config = MinerConfig.standard(instanceID: "\(name).\(generation)", blockTime: context.spec.blockTime, chainID: context.chain.genesis.chainID, keys: context.keys)
            let miner = Miner(config: config, redis: redis, chain: chain, keys: context.supplierKeys, clock: clock, telemetry: telemetry, blockTracker: tracker)
            lock.withLock { instance = (miner, redis) }
            context.kernel.record(name, "node.started", [("generation", String(generation)), ("instance", config.instanceID)])
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await miner.run() }
                let how = await lifecycle.waitUntilDown()
                if how == .stopped, !Task.isCancelled {
                    await miner.stop()
                }
                context.kernel.record(name, how == .crashed ? "node.crashed" : "node.stopped", [("generation", String(generation))])
                lock.withLock { instance = nil }
                await redis.close()
                group.cancelAll()
            }
        }
    }

    /// Suppliers the running replica owns now (empty when down).
    func ownedSuppliers() async -> [String] {
        guard let miner = lock.withLock({ instance?.miner }) else { return [] }
        return await miner.ownedSuppliers
    }

    /// The next `count` matching commands of this node execute but lose their reply.
    func dropReplies(next count: Int, matching filter: RedisCommandFilter) {
        lock.withLock { instance?.redis }?.dropReplies(next: count, matching: filter)
    }

    func setRedisPartitioned(_ on: Bool) {
        let client = lock.withLock { () -> RedisModelClient? in
            redisPartitioned = on
            return instance?.redis
        }
        client?.setPartitioned(on)
    }
}
