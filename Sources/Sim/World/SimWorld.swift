import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// A scenario brought to life: the fake chain, one Redis model, the
/// operator's relayer and miner replicas running the production runtime, the
/// gateways' traffic, all on one simulation kernel. `run()` is a pure
/// function of (scenario, seed, code): the trace hash in its report is the
/// same on every run. A run ends at `until_block`, or early, at the first
/// violation of an always-on invariant (see `InvariantMonitor`).
public final class SimWorld: @unchecked Sendable {
    public let spec: ScenarioSpec
    public let seed: UInt64
    public let kernel: SimKernel
    let context: WorldContext
    let relayers: [RelayerNode]
    let miners: [MinerNode]
    let outcomes: RelayOutcomes
    /// Checks the always-on invariants as the run goes; holds its first violation.
    public let invariants: InvariantMonitor
    let traffic: GatewayTraffic
    /// Built lazily after init because it watches this world.
    private(set) var faults: FaultTimeline!
    /// The chain's outcome ledger and height when the run stopped (read inside the simulation).
    var finalLedger = ChainLedger()
    var finalHeight: Int64 = 0

    /// How a world deviates from a plain scenario run.
    public struct Options: Sendable {
        /// A deliberately broken runtime variant (proves the suite and swarm can fail).
        public var plantedBug: PlantedBug?
        public init(plantedBug: PlantedBug? = nil) { self.plantedBug = plantedBug }
    }

    public let options: Options

    public init(spec: ScenarioSpec, seed: UInt64? = nil, options: Options = Options()) throws(ScenarioError) {
        self.spec = spec
        self.options = options
        let seed = seed ?? spec.seed
        self.seed = seed
        let kernel = SimKernel(seed: seed)
        self.kernel = kernel
        kernel.trace.retain { component, event in RunAnalysis.retainedComponents.contains { component.hasSuffix($0) } || event.hasPrefix("node.") }
        let invariants = InvariantMonitor(seed: seed)
        self.invariants = invariants
        invariants.watch(kernel.trace)
        outcomes = RelayOutcomes(reportingTo: invariants)
        let ids = WorldIdentities(spec)
        let genesis = try spec.genesis(ids)
        let chain = FakeChain(genesis: genesis, kernel: kernel)
        let redis = RedisModel(clock: kernel.clock)
        let backend = SimBackend(profiles: spec.backends, clock: kernel.clock, entropy: kernel.entropy)
        let supplierKeys = StaticKeys(spec.suppliers.map { ids.suppliers[$0.name]! })
        let context = WorldContext(spec: spec, identities: ids, kernel: kernel, redis: redis, chain: chain, backend: backend, keys: RedisKeys(),
                                   supplierKeys: supplierKeys)
        self.context = context
        let relayers = (1...max(spec.topology.relayers, 1)).map { RelayerNode(name: "relayer-\($0)", context: context) }
        self.relayers = relayers
        miners = (1...max(spec.topology.miners, 1)).map { MinerNode(name: "miner-\($0)", context: context) }
        traffic = GatewayTraffic(
            spec: spec, identities: ids, chain: chain.link(for: "gateways"), clock: kernel.clock, entropy: kernel.entropy,
            telemetry: TraceTelemetry(trace: kernel.trace, clock: kernel.clock, node: "gateways"), relayers: relayers, outcomes: outcomes
        )
        faults = FaultTimeline(world: self)
    }

    /// Runs the scenario to `until_block` and reports. Blocks the calling
    /// thread for the run; use `runDetached()` from async code.
    public func run() -> RunReport {
        let wallStart = WallTimer()
        var failure: String?
        do {
            // The planted bug reaches the runtime as a task local of the run, never through a production config.
            try kernel.run { try await SimulationContext.$plantedBug.withValue(self.options.plantedBug) { try await self.simulate() } }
        } catch {
            failure = error.description
        }
        return RunAnalysis(world: self).report(wallSeconds: wallStart.elapsedSeconds, failure: failure)
    }

    /// `run()` on a dedicated thread.
    public func runDetached() async -> RunReport {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.run()) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    private func simulate() async throws {
        let chain = context.chain
        let until = spec.untilBlock
        let blockTime = spec.blockTime
        let clock = kernel.clock
        await withTaskGroup(of: Void.self) { group in
            for node in relayers { group.addTask { await node.host.supervise() } }
            for node in miners { group.addTask { await node.host.supervise() } }
            group.addTask { await self.traffic.run() }
            group.addTask { await self.faults.run() }
            // Blocks stop at `until`, or right after the first invariant violation.
            await chain.run(untilHeight: until, stopWhen: { self.invariants.hasViolation })
            // Let the nodes react to the last block before the world stops (not after a violation: stop there).
            if !invariants.hasViolation { try? await clock.sleep(for: blockTime / 2) }
            group.cancelAll()
            for node in relayers { await node.host.lifecycle.shutdown() }
            for node in miners { await node.host.lifecycle.shutdown() }
        }
        finalLedger = await chain.ledger
        finalHeight = (try? await chain.latestBlock().height) ?? 0
    }
}

/// Wall time of a run, for the report only (never read by simulated code).
struct WallTimer {
    private let start: timespec

    init() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        start = ts
    }

    var elapsedSeconds: Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9
    }
}
