import RelayRuntime

/// One miner replica of the world: a `MinerProcess` on a simulated host, with
/// a fresh instance id on every start. A crash leaves its leases to expire
/// (in-memory trees are gone); a graceful stop releases them first.
final class MinerNode: @unchecked Sendable {
    let host: ProcessHost<MinerProcess>

    init(name: String, context: WorldContext) {
        let spec = context.spec
        let chainID = context.chain.genesis.chainID
        let keys = context.keys
        host = ProcessHost(name: name, context: context) { start in
            let config = MinerConfig.standard(instanceID: "\(name).\(start.generation)", blockTime: spec.blockTime, chainID: chainID, keys: keys)
            return (MinerProcess(config: config, ports: start.ports, chain: start.chain), [("instance", config.instanceID)])
        }
    }

    var name: String { host.name }

    /// Suppliers the running replica owns now (empty when down).
    func ownedSuppliers() async -> [String] {
        guard let miner = host.current?.process.miner else { return [] }
        return await miner.ownedSuppliers
    }
}
