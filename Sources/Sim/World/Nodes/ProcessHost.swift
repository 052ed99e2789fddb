import Foundation
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// A simulated host running one runtime process (a `RelayerProcess` or a
/// `MinerProcess`, built by the same assembly as the binaries). It gives the
/// process the simulator's ports, restarts it whenever the fault timeline
/// does, and models the two ways a process ends:
/// - crash: its task is cancelled at once, its Redis connection closed, no
///   cleanup runs (in-memory state is gone; leases stay until they expire);
/// - graceful stop: the process's own `stop()` runs first (a relayer drains,
///   a miner releases its leases).
final class ProcessHost<Process: RuntimeProcess>: HostControl, @unchecked Sendable {
    /// What the host hands the assembly for one start.
    struct Start {
        let ports: RuntimePorts
        let chain: ChainLink
        let generation: Int
    }

    let name: String
    let lifecycle = NodeLifecycle()
    /// This host's clock (its wall clock can be skewed or stepped); survives restarts like a host's clock.
    let clock: NodeClock
    let telemetry: TraceTelemetry
    private let context: WorldContext
    private let assemble: @Sendable (Start) -> (process: Process, startFields: TelemetryLabels)
    private let lock = NSLock()
    private var instance: Instance?
    private var redisPartitioned = false

    struct Instance {
        let generation: Int
        let process: Process
        let redis: RedisModelClient
    }

    init(name: String, context: WorldContext, assemble: @escaping @Sendable (Start) -> (process: Process, startFields: TelemetryLabels)) {
        self.name = name
        self.context = context
        self.assemble = assemble
        clock = NodeClock(base: context.kernel.clock)
        telemetry = context.telemetry(for: name)
    }

    /// Runs the process, restarting it whenever the fault timeline does, until cancelled.
    func supervise() async {
        while !Task.isCancelled {
            await lifecycle.waitUntilUp()
            if Task.isCancelled { return }
            await lifecycle.started()
            let generation = await lifecycle.generation
            let redis = RedisModelClient(model: context.redis, name: "\(name)#\(generation)")
            if lock.withLock({ redisPartitioned }) { redis.setPartitioned(true) }
            let ports = RuntimePorts(redis: redis, keys: context.supplierKeys, clock: clock, entropy: context.kernel.entropy, telemetry: telemetry)
            let (process, fields) = assemble(Start(ports: ports, chain: context.chain.link(for: name), generation: generation))
            lock.withLock { instance = Instance(generation: generation, process: process, redis: redis) }
            context.kernel.record(name, "node.started", [("generation", String(generation))] + fields)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await process.run() }
                let how = await lifecycle.waitUntilDown()
                if how == .stopped, !Task.isCancelled { await process.stop() }
                context.kernel.record(name, how == .crashed ? "node.crashed" : "node.stopped", [("generation", String(generation))])
                lock.withLock { instance = nil }
                await redis.close()
                group.cancelAll()
            }
        }
    }

    /// The running instance, nil while the host is down.
    var current: Instance? { lock.withLock { instance } }

    /// Cuts (or heals) this host's connection to Redis; survives restarts.
    func setRedisPartitioned(_ on: Bool) {
        let client = lock.withLock { () -> RedisModelClient? in
            redisPartitioned = on
            return instance?.redis
        }
        client?.setPartitioned(on)
    }

    /// The next `count` matching commands of this host execute but lose their reply.
    func dropReplies(next count: Int, matching filter: RedisCommandFilter) {
        current?.redis.dropReplies(next: count, matching: filter)
    }
}

/// What the fault timeline can do to any simulated host, whatever it runs.
protocol HostControl: AnyObject, Sendable {
    var name: String { get }
    var lifecycle: NodeLifecycle { get }
    var clock: NodeClock { get }
    func setRedisPartitioned(_ on: Bool)
    func dropReplies(next count: Int, matching filter: RedisCommandFilter)
}
