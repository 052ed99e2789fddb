import PocketProtocol
import SimKernel

/// Random fault schedules for swarm runs: from a seed, a list of faults a
/// correct relay miner must survive without losing a relay (bounded
/// durations, at least one miner and one relayer up at any time, at most one
/// lost transaction), so a failing seed is a bug, not bad luck.
public struct SwarmSchedule: Sendable {
    /// Fault kinds swarm may draw, by default: all but `pubsub_loss`, which
    /// the runtime is immune to by construction (it uses no pub/sub).
    public static let defaultKinds: [FaultKind] = [
        .crash, .stop, .redisPartition, .chainPartition, .redisSlow, .redisRestart, .chainStall,
        .txDrop, .txDelay, .backendErrors, .backendSlow, .clockSkew, .redisDropReplies,
        .chainLatency, .redisDown, .txReorder, .txNeverInclude, .backendDown, .clockStep,
    ]

    public let kinds: [FaultKind]
    public let maxFaults: Int

    public init(kinds: [FaultKind] = SwarmSchedule.defaultKinds, maxFaults: Int = 4) {
        self.kinds = kinds
        self.maxFaults = maxFaults
    }

    /// The base scenario with a schedule drawn from `seed` (its own faults are replaced).
    public func scenario(from base: ScenarioSpec, seed: UInt64) -> ScenarioSpec {
        var spec = base
        spec.name = "\(base.name)-swarm-\(seed)"
        spec.faults = faults(for: base, seed: seed)
        spec.assertions = []
        return spec
    }

    func faults(for spec: ScenarioSpec, seed: UInt64) -> [FaultSpec] {
        var rng = Xoshiro256StarStar(seed: seed, component: "swarm.schedule")
        func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        func between(_ lo: Int64, _ hi: Int64) -> Int64 { hi <= lo ? lo : lo + Int64(rng.next() % UInt64(hi - lo + 1)) }
        let lastTraffic = spec.workload.map(\.toBlock).max() ?? spec.untilBlock
        let count = Int(rng.next() % UInt64(maxFaults)) + 1
        var out: [FaultSpec] = []
        var txFaults = 0
        // Node-level downtime never overlaps on one kind of node, so one miner and one relayer stay up.
        var minerBusyUntil: Int64 = 0
        var relayerBusyUntil: Int64 = 0
        for _ in 0..<count {
            let kind = pick(kinds)
            let at = between(2, max(2, lastTraffic + 4))
            var fault = FaultSpec(at: .block(at), kind: kind.rawValue, target: nil, durationBlocks: nil, parameters: [:])
            switch kind {
            case .crash, .stop, .redisPartition, .chainPartition, .chainLatency, .clockSkew, .clockStep, .redisDropReplies:
                let minerTarget = spec.topology.miners > 1 && (rng.next() % 3 != 0 || spec.topology.relayers < 2)
                let relayerTarget = !minerTarget && spec.topology.relayers > 1
                if !minerTarget && !relayerTarget { continue }
                let duration = between(1, 2)
                if minerTarget {
                    if at <= minerBusyUntil { continue }
                    minerBusyUntil = at + duration + 1
                    let supplier = spec.suppliers[Int(rng.next() % UInt64(spec.suppliers.count))].name
                    fault.target = rng.next() % 2 == 0 ? "lease_owner:\(supplier)" : "miner-\(between(1, Int64(spec.topology.miners)))"
                } else {
                    if at <= relayerBusyUntil { continue }
                    relayerBusyUntil = at + duration + 1
                    fault.target = "relayer-\(between(1, Int64(spec.topology.relayers)))"
                }
                switch kind {
                case .clockSkew: fault.parameters = ["offset_ms": String(between(-3000, 3000))]; fault.durationBlocks = duration
                case .chainLatency: fault.parameters = ["latency_ms": String(between(100, 3000))]; fault.durationBlocks = duration
                case .redisDropReplies: fault.parameters = ["count": String(between(1, 3))]
                // Up to an hour either way: far beyond any lease TTL or backend deadline.
                case .clockStep: fault.parameters = ["offset_ms": String(between(-3_600_000, 3_600_000))]
                default: fault.durationBlocks = duration
                }
            case .redisSlow:
                fault.durationBlocks = between(1, 2)
                fault.parameters = ["latency_ms": String(between(50, 800))]
            case .redisRestart:
                fault.parameters = ["persist": "true"]
            case .redisDown:
                fault.durationBlocks = between(1, 2)
            case .chainStall:
                fault.durationBlocks = between(1, 3)
            case .pubsubLoss:
                fault.durationBlocks = between(1, 6)
            case .txDrop, .txDelay, .txNeverInclude:
                guard txFaults == 0 else { continue }
                txFaults += 1
                fault.parameters = ["count": "1", "filter": pick(["claims", "proofs", "all"])]
                if kind == .txDelay { fault.parameters["blocks"] = String(between(1, 2)) }
            case .txReorder:
                fault.durationBlocks = between(1, 3)
            case .backendDown:
                fault.durationBlocks = between(1, 2)
            case .backendErrors:
                fault.durationBlocks = between(1, 2)
                fault.parameters = ["rate": pick(["0.2", "0.5", "1"])]
            case .backendSlow:
                fault.durationBlocks = between(1, 2)
                fault.parameters = ["latency_ms": String(between(100, 2000))]
            }
            out.append(fault)
        }
        return out
    }
}
