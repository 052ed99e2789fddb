import Foundation
import PocketProtocol
import RelayRuntime
import SimChain
import SimKernel
import SimRedis

/// Runs a scenario's fault list against the world: waits for each fault's
/// trigger (a block, a virtual time or a protocol moment), applies it, and
/// clears it after `duration_blocks`. Every step is a trace event (component
/// "fault"), so the report and the replay show exactly what was done when.
final class FaultTimeline: @unchecked Sendable {
    private let world: SimWorld
    private let tracker: BlockTracker
    private let moments: MomentWatcher
    private let lock = NSLock()
    private var applied = 0
    private var keysLost = 0
    /// Virtual times (ns since start) of restarts that lost Redis's data.
    private var dataLossTimes: [Int64] = []

    init(world: SimWorld) {
        self.world = world
        let chain = world.context.chain.link(for: "fault-timeline")
        tracker = BlockTracker(chain: chain, clock: world.kernel.clock, telemetry: NullTelemetry(), component: "faults")
        moments = MomentWatcher(world: world)
    }

    var faultsApplied: Int { lock.withLock { applied } }
    var redisKeysLost: Int { lock.withLock { keysLost } }
    var redisDataLossTimes: [Int64] { lock.withLock { dataLossTimes } }

    /// Runs until every fault has been applied and cleared, or until cancelled.
    func run() async {
        let faults = world.spec.faults
        guard !faults.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.tracker.run() }
            await withTaskGroup(of: Void.self) { each in
                for (index, fault) in faults.enumerated() {
                    each.addTask { await self.drive(fault, index: index) }
                }
            }
            group.cancelAll()
        }
    }

    private func drive(_ fault: FaultSpec, index: Int) async {
        guard let kind = FaultKind(rawValue: fault.kind) else { return }
        guard await waitForTrigger(fault.at) else { return }
        let height = await tracker.current?.height ?? 0
        let targets = await resolveTargets(fault.target, kind: kind)
        if kind.target == .node, !kind.targetOptional || fault.target != nil, targets.isEmpty {
            record("fault.skipped", fault, index: index, ["reason", "no node matches the target now"])
            return
        }
        await apply(kind, fault, targets: targets)
        lock.withLock { applied += 1 }
        record("fault.applied", fault, index: index, ["height", String(height), "nodes", targets.map(\.name).joined(separator: ",")])
        guard let duration = fault.durationBlocks, duration > 0, kind != .chainStall else { return }
        _ = await tracker.wait(forHeight: height + duration)
        if Task.isCancelled { return }
        await clear(kind, fault, targets: targets)
        record("fault.cleared", fault, index: index, ["height", String(height + duration)])
    }

    // MARK: Triggers

    private func waitForTrigger(_ trigger: FaultTrigger) async -> Bool {
        switch trigger {
        case .block(let h):
            _ = await tracker.wait(forHeight: h)
        case .seconds(let s):
            do { try await world.kernel.clock.sleep(until: SimKernel.epoch.advanced(by: .microseconds(Int64(s * 1_000_000)))) } catch { return false }
        case .moment(let name, let session):
            guard let moment = FaultMoment(rawValue: name) else { return false }
            if let h = moments.height(of: moment, session: session) {
                _ = await tracker.wait(forHeight: h)
            } else {
                await moments.wait(for: moment, session: session)
            }
        }
        return !Task.isCancelled
    }

    // MARK: Targets

    enum Target {
        case relayer(RelayerNode)
        case miner(MinerNode)
        var host: any HostControl {
            switch self {
            case .relayer(let n): return n.host
            case .miner(let n): return n.host
            }
        }

        var name: String { host.name }
    }

    private func resolveTargets(_ target: String?, kind: FaultKind) async -> [Target] {
        guard kind.target == .node, let target else { return [] }
        if target == "all_miners" { return world.miners.map { .miner($0) } }
        if target == "all_relayers" { return world.relayers.map { .relayer($0) } }
        if target.hasPrefix("lease_owner:") {
            let name = String(target.dropFirst("lease_owner:".count))
            let address = world.context.identities.address(ofSupplier: name)
            var owners: [Target] = []
            for miner in world.miners where await miner.ownedSuppliers().contains(address) { owners.append(.miner(miner)) }
            return owners
        }
        if let node = world.relayers.first(where: { $0.name == target }) { return [.relayer(node)] }
        if let node = world.miners.first(where: { $0.name == target }) { return [.miner(node)] }
        return []
    }

    // MARK: Effects

    private func apply(_ kind: FaultKind, _ fault: FaultSpec, targets: [Target]) async {
        let p = fault.parameters
        let chain = world.context.chain
        let redis = world.context.redis
        switch kind {
        case .crash: for t in targets { await lifecycle(t).crash() }
        case .stop: for t in targets { await lifecycle(t).stop() }
        case .redisPartition: for t in targets { setRedisPartitioned(t, true) }
        case .chainPartition: for t in targets { await chain.partition(node: t.name) }
        case .chainLatency: for t in targets { await chain.setLatency(node: t.name, Self.milliseconds(p["latency_ms"])) }
        case .clockSkew: for t in targets { clock(t).setSkew(Self.milliseconds(p["offset_ms"])) }
        case .clockStep: for t in targets { clock(t).step(by: Self.milliseconds(p["offset_ms"])) }
        case .redisDropReplies:
            let count = Int(p["count"] ?? "1") ?? 1
            let names = p["commands"].map { Set($0.split(separator: ",").map { String($0) }) }
            let filter: RedisCommandFilter = names.map { .names($0) } ?? .any
            if targets.isEmpty {
                redis.dropReplies(next: count, matching: filter)
            } else {
                for t in targets { dropReplies(t, count: count, filter: filter) }
            }
        case .redisDown: redis.setUnavailable(true)
        case .redisRestart:
            if fault.durationBlocks ?? 0 > 0 {
                redis.setUnavailable(true)
            } else {
                restartRedis(persist: p["persist"] != "false")
            }
        case .redisSlow: redis.setExtraLatency(Self.milliseconds(p["latency_ms"]))
        case .pubsubLoss: redis.setPubSubLoss(true)
        case .chainStall: await chain.stall(blocks: Int(fault.durationBlocks ?? 1))
        case .txDrop: await chain.dropTransactions(count: Int(p["count"] ?? "1"), filter: Self.filter(p["filter"]))
        case .txDelay: await chain.delayTransactions(byBlocks: Int(p["blocks"] ?? "1") ?? 1, count: Int(p["count"] ?? "1"), filter: Self.filter(p["filter"]))
        case .txReorder: await chain.setReorderWithinBlock(true)
        case .txNeverInclude: await chain.neverIncludeTransactions(count: Int(p["count"] ?? "1"), filter: Self.filter(p["filter"]))
        case .backendDown:
            var f = SimBackend.Fault()
            f.down = true
            world.context.backend.setFault(f, service: fault.target ?? "*")
        case .backendErrors:
            var f = SimBackend.Fault()
            f.errorRate = Double(p["rate"] ?? "1") ?? 1
            world.context.backend.setFault(f, service: fault.target ?? "*")
        case .backendSlow:
            var f = SimBackend.Fault()
            f.extraLatency = Self.milliseconds(p["latency_ms"])
            world.context.backend.setFault(f, service: fault.target ?? "*")
        }
    }

    private func clear(_ kind: FaultKind, _ fault: FaultSpec, targets: [Target]) async {
        let chain = world.context.chain
        let redis = world.context.redis
        switch kind {
        case .crash, .stop: for t in targets { await lifecycle(t).restart() }
        case .redisPartition: for t in targets { setRedisPartitioned(t, false) }
        case .chainPartition: for t in targets { await chain.heal(node: t.name) }
        case .chainLatency: for t in targets { await chain.setLatency(node: t.name, .zero) }
        case .clockSkew: for t in targets { clock(t).setSkew(.zero) }
        // A step is not undone: the clock stays where it was put.
        case .redisDropReplies, .txDrop, .txDelay, .txNeverInclude, .chainStall, .clockStep: break
        case .redisDown: redis.setUnavailable(false)
        case .redisRestart: restartRedis(persist: fault.parameters["persist"] != "false")
        case .redisSlow: redis.setExtraLatency(.zero)
        case .pubsubLoss: redis.setPubSubLoss(false)
        case .txReorder: await chain.setReorderWithinBlock(false)
        case .backendDown, .backendErrors, .backendSlow: world.context.backend.setFault(nil, service: fault.target ?? "*")
        }
    }

    private func restartRedis(persist: Bool) {
        let lost = world.context.redis.restart(persistence: persist)
        let now = world.kernel.now.unixNanoseconds - SimKernel.epoch.unixNanoseconds
        lock.withLock {
            keysLost += lost
            if !persist { dataLossTimes.append(now) }
        }
        world.kernel.record("fault", "redis.restarted", [("persist", String(persist)), ("keys_lost", String(lost))])
    }

    private func lifecycle(_ t: Target) -> NodeLifecycle { t.host.lifecycle }

    private func clock(_ t: Target) -> NodeClock { t.host.clock }

    private func setRedisPartitioned(_ t: Target, _ on: Bool) { t.host.setRedisPartitioned(on) }

    private func dropReplies(_ t: Target, count: Int, filter: RedisCommandFilter) { t.host.dropReplies(next: count, matching: filter) }

    private func record(_ event: String, _ fault: FaultSpec, index: Int, _ extra: [String]) {
        var fields: TelemetryLabels = [("index", String(index)), ("kind", fault.kind), ("target", fault.target ?? "")]
        var i = 0
        while i + 1 < extra.count {
            fields.append((extra[i], extra[i + 1]))
            i += 2
        }
        if !fault.parameters.isEmpty {
            fields.append(("params", fault.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")))
        }
        world.kernel.record("fault", event, fields)
    }

    static func milliseconds(_ text: String?) -> Duration { .milliseconds(Int64(text ?? "0") ?? 0) }

    static func filter(_ text: String?) -> TxFilter {
        switch text {
        case "claims": return .claims
        case "proofs": return .proofs
        default: return .all
        }
    }
}
