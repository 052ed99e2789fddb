/// One miner process, assembled the same way by the simulator's nodes and by
/// `pocket-relay-miner miner`: a block tracker and the `Miner` (leases,
/// one worker per owned supplier) over the given ports.
///
/// Graceful stop releases every lease at once (compare-and-delete), so a
/// standby takes the suppliers over within its next ownership tick instead
/// of waiting for the lease TTL; a crash (cancelling `run()`) leaves the
/// leases to expire, and fencing stops the old owner's writes.
public final class MinerProcess: RuntimeProcess {
    public let miner: Miner
    public let blocks: BlockTracker

    public init(config: MinerConfig, ports: RuntimePorts, chain: any ChainPort, component: String = "miner") {
        blocks = BlockTracker(chain: chain, clock: ports.clock, telemetry: ports.telemetry, component: component)
        miner = Miner(config: config, ports: ports, chain: chain, blockTracker: blocks)
    }

    public func run() async { await miner.run() }

    public func stop() async { await miner.stop() }
}
