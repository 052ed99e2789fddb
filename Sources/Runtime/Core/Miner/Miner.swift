import PocketProtocol

/// A miner replica: owns a fair share of the suppliers whose keys it holds
/// (leases with fencing epochs), and for each owned supplier runs a
/// `SupplierWorker` that turns the supplier's relay stream into claims and
/// proofs (docs/runtime-design.md, "Miner").
///
/// `run()` runs until cancelled or until `stop()` completes. Cancellation is
/// a crash: leases are not released, in-memory state is lost, and another
/// replica (or this process restarted under a new instance id) rebuilds
/// everything from Redis. `stop()` is the graceful path: workers finish their
/// current step, leases are released, the instance deregisters.
public actor Miner {
    public nonisolated let config: MinerConfig
    private let redis: any RedisClient
    private let chain: any ChainPort
    private let keys: any KeysPort
    private let clock: any ClockPort
    private let telemetry: any TelemetryPort
    private let tracker: BlockTracker
    private let runsTracker: Bool
    /// Chain data (params, CUPR, difficulty, proof seeds) shared by all this replica's workers.
    private let chainData: ChainDataCache

    private var workers: [String: SupplierWorker] = [:]
    /// Workers asked to stop for a rebalance; their lease is deleted once they have exited.
    private var releasing: [String: SupplierWorker] = [:]
    /// When each lease was last renewed, on the monotonic clock: a wall-clock
    /// step must neither expire a lease early nor keep a lapsed one alive.
    private var lastRenewed: [String: MonotonicInstant] = [:]
    private var liveInstances: [String] = []
    private var spawnSink: AsyncStream<SupplierWorker>.Continuation?
    private var running = false
    private var stopping = false
    private var stopped = false
    private var tickInProgress = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameter runsBlockTracker: whether `run()` also runs `blockTracker.run()`
    ///   (false when the process shares one tracker between several nodes and runs it itself).
    public init(config: MinerConfig, ports: RuntimePorts, chain: any ChainPort, blockTracker: BlockTracker, runsBlockTracker: Bool = true) {
        self.config = config
        redis = ports.redis
        self.chain = chain
        keys = ports.keys
        clock = ports.clock
        telemetry = ports.telemetry
        tracker = blockTracker
        runsTracker = runsBlockTracker
        chainData = ChainDataCache(chain: chain)
    }

    /// Suppliers this replica currently owns (sorted).
    public var ownedSuppliers: [String] { workers.keys.sorted() }

    /// The fencing epoch under which this replica owns `supplier`, if it does.
    public func epoch(of supplier: String) -> Int64? { workers[supplier]?.epoch }

    /// Runs the replica: block tracking, ownership, and one worker per owned
    /// supplier, all as child tasks. Returns when cancelled or stopped.
    public func run() async {
        guard !running, !stopped else { return }
        running = true
        let (spawns, sink) = AsyncStream<SupplierWorker>.makeStream()
        spawnSink = sink
        emit(MinerEvent.instanceStarted, [("suppliers", String(keys.operatorAddresses.count))])
        let tracker = self.tracker
        let runsTracker = self.runsTracker
        await withDiscardingTaskGroup { group in
            if runsTracker { group.addTask { await tracker.run() } }
            group.addTask { await self.ownershipLoop() }
            group.addTask { await self.blockLoop() }
            for await worker in spawns {
                group.addTask { await worker.run() }
            }
            group.cancelAll()
        }
        running = false
    }

    /// Graceful shutdown: no new leases, workers finish their current step,
    /// leases are released (compare-and-delete), the instance deregisters,
    /// then `run()` returns.
    public func stop() async {
        guard !stopping else { return }
        stopping = true
        if tickInProgress { await withCheckedContinuation { idleWaiters.append($0) } }
        for supplier in workers.keys.sorted() { await release(supplier, reason: "shutdown") }
        for supplier in releasing.keys.sorted() { await releasing[supplier]?.stop() }
        _ = try? await redis.pipeline([
            .srem(key: config.keys.activeInstances, members: [Array(config.instanceID.utf8)]),
            .del(keys: [config.keys.instance(config.instanceID)]),
        ])
        emit(MinerEvent.instanceStopped, [])
        stopped = true
        spawnSink?.finish()
    }

    // MARK: Blocks

    /// Hands every new block to every worker (each keeps only the latest).
    private func blockLoop() async {
        for await block in await tracker.blocks() {
            for supplier in workers.keys.sorted() { workers[supplier]?.offer(block) }
        }
    }

    // MARK: Ownership

    private func ownershipLoop() async {
        await heartbeat()
        do { try await clock.sleep(for: config.startupSettle) } catch { return }
        while !Task.isCancelled && !stopping {
            tickInProgress = true
            await ownershipTick()
            tickInProgress = false
            let waiters = idleWaiters
            idleWaiters = []
            for w in waiters { w.resume() }
            do { try await clock.sleep(for: config.renewPeriod) } catch { return }
        }
    }

    private var instanceMember: [UInt8] { Array(config.instanceID.utf8) }

    /// Refreshes this instance's liveness key and its membership in the active set.
    private func heartbeat() async {
        do {
            let replies = try await redis.pipeline([
                .set(key: config.keys.instance(config.instanceID), value: Array("1".utf8), expiry: .milliseconds(config.instanceTTL.milliseconds)),
                .sadd(key: config.keys.activeInstances, members: [instanceMember]),
            ])
            for case .error(let m) in replies { emit(MinerEvent.ownershipError, [("step", "heartbeat"), ("error", m)]) }
        } catch {
            emit(MinerEvent.ownershipError, [("step", "heartbeat"), ("error", error.description)])
        }
    }

    /// Live instances: members of the active set whose heartbeat key exists
    /// (dead members are removed). Falls back to the last known list on errors.
    private func refreshLiveInstances() async -> [String] {
        do {
            let members = try await redis.smembers(config.keys.activeInstances).map { String(decoding: $0, as: UTF8.self) }
            let others = members.filter { $0 != config.instanceID }
            var alive = [config.instanceID]
            var dead: [[UInt8]] = []
            if !others.isEmpty {
                let replies = try await redis.pipeline(others.map { .exists(keys: [config.keys.instance($0)]) })
                for (member, reply) in zip(others, replies) {
                    if case .integer(let n) = reply, n == 0 { dead.append(Array(member.utf8)) } else { alive.append(member) }
                }
            }
            if !dead.isEmpty { _ = try? await redis.srem(config.keys.activeInstances, dead) }
            liveInstances = alive.sorted()
        } catch {
            emit(MinerEvent.ownershipError, [("step", "instances"), ("error", error.description)])
            if liveInstances.isEmpty { liveInstances = [config.instanceID] }
        }
        return liveInstances
    }

    private func ownershipTick() async {
        guard !stopping else { return }
        await heartbeat()
        let live = await refreshLiveInstances()

        // Renew what we own (one pipeline); a changed epoch means the lease lapsed in between.
        let owned = workers.keys.sorted().compactMap { s in workers[s].map { (s, $0) } }
        var replies: [RedisReply?] = Array(repeating: nil, count: owned.count)
        if !owned.isEmpty {
            do {
                let got = try await redis.pipeline(owned.map { supplier, _ in
                    .acquireLease(key: config.keys.lease(supplier: supplier), epochKey: config.keys.leaseEpoch(supplier: supplier),
                                  owner: instanceMember, milliseconds: config.leaseTTL.milliseconds)
                })
                for (i, reply) in got.enumerated() where i < replies.count { replies[i] = reply }
            } catch {
                emit(MinerEvent.ownershipError, [("step", "renew"), ("error", error.description)])
            }
        }
        for ((supplier, worker), reply) in zip(owned, replies) {
            guard workers[supplier] === worker else { continue }
            switch reply {
            case .integer(let epoch)? where epoch > 0:
                lastRenewed[supplier] = clock.monotonicNow
                if epoch != worker.epoch {
                    lose(supplier, reason: "reacquired")
                    if !stopping { start(supplier, epoch: epoch) }
                }
            case .integer?:
                lose(supplier, reason: "taken")
            default:
                if case .error(let message)? = reply {
                    emit(MinerEvent.ownershipError, [("step", "renew"), ("supplier", supplier), ("error", message)])
                }
                if let last = lastRenewed[supplier], last.duration(to: clock.monotonicNow) >= config.leaseTTL {
                    lose(supplier, reason: "renew_failed")
                }
            }
        }
        guard !stopping else { return }

        // Rebalance: give up the excess, then take up to the fair share.
        let plan = OwnershipPlanner.plan(me: config.instanceID, suppliers: keys.operatorAddresses, live: live, owned: workers.keys.sorted())
        telemetry.gauge(MinerMetrics.fairShare, [("instance", config.instanceID)], value: Double(plan.share))
        for supplier in plan.release { beginRelease(supplier) }
        var wanted = plan.wanted
        var candidates = plan.candidates.filter { releasing[$0] == nil }[...]
        while wanted > 0, !candidates.isEmpty, !stopping {
            let chunk = Array(candidates.prefix(wanted))
            candidates = candidates.dropFirst(chunk.count)
            let replies: [RedisReply]
            do {
                replies = try await redis.pipeline(chunk.map {
                    .acquireLease(key: config.keys.lease(supplier: $0), epochKey: config.keys.leaseEpoch(supplier: $0),
                                  owner: instanceMember, milliseconds: config.leaseTTL.milliseconds)
                })
            } catch {
                emit(MinerEvent.ownershipError, [("step", "acquire"), ("error", error.description)])
                return
            }
            for (supplier, reply) in zip(chunk, replies) {
                guard case .integer(let epoch) = reply, epoch > 0 else { continue }
                if stopping || workers[supplier] != nil || releasing[supplier] != nil || keys.signer(forOperator: supplier) == nil {
                    _ = try? await redis.compareAndDelete(config.keys.lease(supplier: supplier), expected: instanceMember)
                    continue
                }
                start(supplier, epoch: epoch)
                wanted -= 1
            }
        }
    }

    private func start(_ supplier: String, epoch: Int64) {
        guard let key = keys.signer(forOperator: supplier), let sink = spawnSink else { return }
        let worker = SupplierWorker(
            supplier: supplier, epoch: epoch, key: key, config: config, redis: redis, chain: chain, chainData: chainData, clock: clock,
            telemetry: telemetry, tracker: tracker,
            onEnd: { [weak self] worker, end in await self?.workerEnded(worker, end) })
        workers[supplier] = worker
        lastRenewed[supplier] = clock.monotonicNow
        emit(MinerEvent.leaseAcquired, [("supplier", supplier), ("epoch", String(epoch))])
        telemetry.gauge(MinerMetrics.ownedSuppliers, [("instance", config.instanceID)], value: Double(workers.count))
        sink.yield(worker)
    }

    /// The lease is someone else's now: stop the worker at once (its fenced writes would fail anyway).
    private func lose(_ supplier: String, reason: String) {
        guard let worker = workers.removeValue(forKey: supplier) else { return }
        lastRenewed[supplier] = nil
        emit(MinerEvent.leaseLost, [("supplier", supplier), ("epoch", String(worker.epoch)), ("reason", reason)])
        telemetry.gauge(MinerMetrics.ownedSuppliers, [("instance", config.instanceID)], value: Double(workers.count))
        Self.requestStop(worker)
    }

    private nonisolated static func requestStop(_ worker: SupplierWorker) {
        worker.offerStop()
    }

    /// Gives a lease up: waits for the worker to finish its step, then compare-and-deletes the lease.
    private func release(_ supplier: String, reason: String) async {
        guard let worker = workers.removeValue(forKey: supplier) else { return }
        lastRenewed[supplier] = nil
        await worker.stop()
        await deleteLease(of: worker, reason: reason)
    }

    /// A rebalance does not wait: the worker is asked to stop and the lease is
    /// deleted when it has exited (`workerEnded`), so a slow step of one
    /// worker never delays the renewal of the others. Safe without waiting:
    /// should the lease lapse first, the next owner's epoch fences the worker.
    private func beginRelease(_ supplier: String) {
        guard let worker = workers.removeValue(forKey: supplier) else { return }
        lastRenewed[supplier] = nil
        releasing[supplier] = worker
        telemetry.gauge(MinerMetrics.ownedSuppliers, [("instance", config.instanceID)], value: Double(workers.count))
        worker.offerStop()
    }

    private func deleteLease(of worker: SupplierWorker, reason: String) async {
        do {
            _ = try await redis.compareAndDelete(config.keys.lease(supplier: worker.supplier), expected: instanceMember)
        } catch {
            emit(MinerEvent.ownershipError, [("step", "release"), ("supplier", worker.supplier), ("error", error.description)])
        }
        emit(MinerEvent.leaseReleased, [("supplier", worker.supplier), ("epoch", String(worker.epoch)), ("reason", reason)])
        telemetry.gauge(MinerMetrics.ownedSuppliers, [("instance", config.instanceID)], value: Double(workers.count))
    }

    private func workerEnded(_ worker: SupplierWorker, _ end: WorkerEnd) async {
        if releasing[worker.supplier] === worker {
            releasing[worker.supplier] = nil
            if case .fenced = end {
                emit(MinerEvent.leaseLost, [("supplier", worker.supplier), ("epoch", String(worker.epoch)), ("reason", "fenced")])
            } else {
                await deleteLease(of: worker, reason: "rebalance")
            }
            return
        }
        guard case .fenced(let message) = end, workers[worker.supplier] === worker else { return }
        workers[worker.supplier] = nil
        lastRenewed[worker.supplier] = nil
        emit(MinerEvent.leaseLost, [("supplier", worker.supplier), ("epoch", String(worker.epoch)), ("reason", "fenced"), ("error", message)])
        telemetry.gauge(MinerMetrics.ownedSuppliers, [("instance", config.instanceID)], value: Double(workers.count))
    }

    private func emit(_ name: String, _ fields: TelemetryLabels) {
        telemetry.event(MinerEvent.component, name, [("instance", config.instanceID)] + fields)
    }
}
