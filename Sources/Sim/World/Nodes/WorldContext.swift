import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// What every simulated node is built from: the kernel's clock and entropy,
/// the one Redis model, the fake chain and the operators' backends.
struct WorldContext: Sendable {
    let spec: ScenarioSpec
    let identities: WorldIdentities
    let kernel: SimKernel
    let redis: RedisModel
    let chain: FakeChain
    let backend: SimBackend
    let keys: RedisKeys
    /// Every supplier key: each relayer and miner replica of the operator holds all of them.
    let supplierKeys: StaticKeys

    func telemetry(for node: String) -> TraceTelemetry {
        TraceTelemetry(trace: kernel.trace, clock: kernel.clock, node: node)
    }
}
