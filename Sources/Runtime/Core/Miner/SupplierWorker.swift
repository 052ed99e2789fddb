import PocketProtocol

/// The owner of one supplier under one lease epoch: rebuilds the supplier's
/// open sessions from the retained stream, consumes new relays, reclaims
/// pending entries of dead consumers, and drives every session through
/// seal → claim → proof → cleanup as blocks arrive.
///
/// The worker is its three loops (consume, reclaim, lifecycle) and the
/// dispatch between its stages, each of which does one job (see
/// docs/runtime-design.md, "Inside a supplier worker"): `StreamConsumer`
/// feeds stream entries into `RelayIngest`, which decides which tree an entry
/// goes to and keeps the watermark; `SessionRecordStore` writes the records;
/// `SessionPlanner` picks each session's next step; `ClaimSubmitter`,
/// `ProofSubmitter` and `SubmissionReconciler` make the transactions.
///
/// Every durable write is fenced with `epoch`; the first refused write stops
/// the worker for good (`WorkerEnd.fenced`), so a stale owner never submits.
actor SupplierWorker {
    nonisolated let supplier: String
    nonisolated let epoch: Int64

    private let config: MinerConfig
    private let chain: any ChainPort
    private let clock: any ClockPort
    private let tracker: BlockTracker
    private let chainData: ChainDataCache
    private let log: WorkerTelemetry
    private let onEnd: @Sendable (SupplierWorker, WorkerEnd) async -> Void

    private let consumer: StreamConsumer
    private let records: SessionRecordStore
    private let claims: ClaimSubmitter
    private let proofs: ProofSubmitter
    private let reconciler: SubmissionReconciler

    private var lastProcessedHeight: Int64 = 0

    private nonisolated let ticks: AsyncStream<ChainBlock>
    private nonisolated let tickSink: AsyncStream<ChainBlock>.Continuation
    private nonisolated let stopFlag = StopFlag()
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameter chainData: the replica's chain-data cache, shared by all its workers.
    init(supplier: String, epoch: Int64, key: any SupplierSigner, config: MinerConfig, redis: any RedisClient, chain: any ChainPort,
         chainData: ChainDataCache, clock: any ClockPort, telemetry: any TelemetryPort, tracker: BlockTracker,
         onEnd: @escaping @Sendable (SupplierWorker, WorkerEnd) async -> Void) {
        self.supplier = supplier
        self.epoch = epoch
        self.config = config
        self.chain = chain
        self.chainData = chainData
        self.clock = clock
        self.tracker = tracker
        self.onEnd = onEnd
        let log = WorkerTelemetry(telemetry: telemetry, supplier: supplier, epoch: epoch)
        self.log = log
        let records = SessionRecordStore(supplier: supplier, epoch: epoch, config: config, redis: redis, stop: stopFlag)
        consumer = StreamConsumer(supplier: supplier, stream: SupplierStream(supplier: supplier, config: config, redis: redis, log: log),
                                  records: records, log: log)
        let sender = TxSender(supplier: supplier, key: key, config: config, chain: chain, stop: stopFlag, log: log)
        self.records = records
        claims = ClaimSubmitter(supplier: supplier, records: records, sender: sender, chainData: chainData, log: log)
        proofs = ProofSubmitter(supplier: supplier, chain: chain, records: records, sender: sender, chainData: chainData, log: log)
        reconciler = SubmissionReconciler(records: records, sender: sender, log: log)
        (ticks, tickSink) = AsyncStream<ChainBlock>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Control

    /// Hands the worker a new block (coalescing: only the latest pending one is kept).
    nonisolated func offer(_ block: ChainBlock) { tickSink.yield(block) }

    /// Asks the worker to stop after its current step, without waiting.
    nonisolated func offerStop() {
        stopFlag.set()
        tickSink.finish()
    }

    /// Stops the worker and waits until it has exited.
    func stop() async {
        offerStop()
        if exited { return }
        await withCheckedContinuation { exitWaiters.append($0) }
    }

    func run() async {
        var end = WorkerEnd.stopped
        do {
            try await prepare()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.consumeLoop() }
                group.addTask { try await self.lifecycleLoop() }
                group.addTask { try await self.reclaimLoop() }
                do {
                    _ = try await group.next()
                } catch {
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
            }
        } catch WorkerStop.fenced(let message) {
            end = .fenced(message)
        } catch {
            end = .stopped
        }
        if end == .stopped, Task.isCancelled, !stopFlag.isSet { end = .cancelled }
        offerStop()
        log.event(MinerEvent.workerStopped, [("reason", end.reason), ("sessions", String(consumer.sessions.count))])
        await onEnd(self, end)
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        for w in waiters { w.resume() }
    }

    /// Retries `body` after transient failures until it succeeds, the worker stops or the lease is lost.
    private func retrying(_ step: String, _ body: () async throws -> Void) async throws {
        while true {
            try stopFlag.checkRunning()
            do {
                try await body()
                return
            } catch {
                try stopFlag.rethrowIfEnding(error)
                log.event(MinerEvent.workerError, [("step", step), ("error", "\(error)")])
                try await clock.sleep(for: config.retryDelay)
            }
        }
    }

    // MARK: Rebuild

    private func prepare() async throws {
        try await retrying("group_create") { try await self.consumer.stream.createGroup() }
        try await retrying("rebuild") { try await self.rebuild() }
        try await retrying("reclaim") { try await self.consumer.reclaim() }
    }

    /// Replays the retained stream into one tree per session (with each
    /// session's records), freezes the sealed ones and repairs what a crashed
    /// owner left half done.
    private func rebuild() async throws {
        if SimulationContext.plantedBug == .minerSkipsRebuild {
            try await consumer.skipToEnd()
            log.event(MinerEvent.workerRebuilt, [("sessions", "0"), ("sealed", "0"), ("entries", "0"), ("watermark", consumer.watermark.description),
                                                 ("planted_bug", PlantedBug.minerSkipsRebuild.rawValue)])
            return
        }
        let (replayed, sealed) = try await consumer.replay()
        let orphans = try await finishOrphanedRecords()
        try await reconciler.adoptBatchIntents(consumer.sortedSessions, byID: consumer.sessions)
        log.event(MinerEvent.workerRebuilt, [("sessions", String(consumer.sessions.count)), ("sealed", String(sealed)),
                                             ("entries", String(replayed)), ("watermark", consumer.watermark.description),
                                             ("orphaned_records", String(orphans))])
        for s in consumer.sortedSessions {
            if let outcome = s.seal?.outcome { try await cleanup(s, outcome: outcome, height: lastProcessedHeight, resumed: true) }
        }
    }

    /// Sessions in the index with no entry left in the stream: a cleanup was
    /// interrupted after the entries were deleted (their records carry its
    /// tombstone). Removes their records and index membership.
    private func finishOrphanedRecords() async throws -> Int {
        let orphans = try await records.indexedSessionIDs().filter { consumer.sessions[$0] == nil }
        for id in orphans {
            let outcome = try await records.removeOrphan(id)
            consumer.bury(id, at: lastProcessedHeight)
            log.event(MinerEvent.sessionCleaned, [("session", id), ("outcome", outcome), ("entries", "0"), ("resumed", "true")])
        }
        return orphans.count
    }

    // MARK: Consuming

    private func consumeLoop() async throws {
        while true {
            try stopFlag.checkRunning()
            do {
                let entries = try await consumer.stream.readNew()
                try stopFlag.checkRunning()
                if !entries.isEmpty { try await consumer.deliver(entries) }
            } catch RedisError.noGroup(_) {
                try await retrying("group_create") { try await self.consumer.stream.createGroup() }
            } catch {
                try stopFlag.rethrowIfEnding(error)
                log.event(MinerEvent.workerError, [("step", "consume"), ("error", "\(error)")])
                try await clock.sleep(for: config.retryDelay)
            }
        }
    }

    private func reclaimLoop() async throws {
        while true {
            try await clock.sleep(for: config.reclaimInterval)
            try stopFlag.checkRunning()
            do {
                try await consumer.reclaim()
            } catch {
                try stopFlag.rethrowIfEnding(error)
                log.event(MinerEvent.workerError, [("step", "reclaim"), ("error", "\(error)")])
            }
        }
    }

    // MARK: Lifecycle

    private func lifecycleLoop() async throws {
        if let current = await tracker.current { try await process(current) }
        for await block in ticks {
            try stopFlag.checkRunning()
            try await process(block)
        }
    }

    /// One pass of every session's state machine at `block`, then the block's batches.
    private func process(_ block: ChainBlock) async throws {
        guard block.height > lastProcessedHeight else { return }
        lastProcessedHeight = block.height
        let h = block.height

        // Windows from the params at each session's end (once it has ended).
        for s in consumer.sortedSessions where s.windows == nil && h > s.end {
            do {
                s.windows = SessionWindows(params: try await chainData.sharedParams(atHeight: s.end, current: h), sessionEnd: s.end)
            } catch {
                log.event(MinerEvent.workerError, s.fields + [("step", "params"), ("error", "\(error)"), ("height", String(h))])
            }
        }

        var onChain = OnChainClaims(chain: chain, supplier: supplier, log: log)
        var batches = BlockBatches()
        for s in consumer.sortedSessions {
            guard let w = s.windows else { continue }
            for _ in 0..<8 {
                try stopFlag.checkRunning()
                let snapshot = s.snapshot
                var observation: ChainObservation?
                if SessionPlanner.needsChainView(snapshot, windows: w, height: h), let v = await onChain.fetch(height: h) {
                    observation = OnChainClaims.observe(s, in: v)
                }
                let action = SessionPlanner.next(snapshot, windows: w, height: h, chain: observation, maxResubmissions: config.maxResubmissions)
                do {
                    guard try await perform(action, s, height: h, batches: &batches) else { break }
                } catch {
                    try stopFlag.rethrowIfEnding(error)
                    log.event(MinerEvent.workerError, s.fields + [("step", "\(action)"), ("error", "\(error)"), ("height", String(h))])
                    break
                }
            }
        }

        try await submit(batches, block: block, onChain: &onChain)
        consumer.pruneTombstones()
    }

    /// The block's batches, oldest session end first: claims, proofs, then re-broadcasts.
    private func submit(_ batches: BlockBatches, block: ChainBlock, onChain: inout OnChainClaims) async throws {
        for end in batches.claims.keys.sorted() {
            do {
                try await submitClaims(batches.claims[end] ?? [], block: block)
            } catch {
                try report(error, .claim, step: "claim", end: end, height: block.height)
            }
        }
        for end in batches.proofs.keys.sorted() {
            let onChainClaims = await onChain.fetch(height: block.height) ?? [:]
            do {
                try await submitProofs(batches.proofs[end] ?? [], block: block, claims: onChainClaims)
            } catch {
                try report(error, .proof, step: "proof", end: end, height: block.height)
            }
        }
        for kind in SubmissionKind.allCases {
            let groups = batches.resubmits[kind] ?? [:]
            for tx in groups.keys.sorted() {
                do {
                    try await reconciler.resubmit(kind, groups[tx] ?? [], height: block.height)
                } catch {
                    try report(error, kind, step: "resubmit_\(kind.rawValue)", end: nil, height: block.height)
                }
            }
        }
    }

    /// Performs one planned step of a session; false when the session is done
    /// for this block (it waits, joined a batch, or ended).
    private func perform(_ action: SessionAction, _ s: MinerSessionState, height h: Int64, batches: inout BlockBatches) async throws -> Bool {
        switch action {
        case .wait:
            return false
        case .seal:
            try await seal(s, height: h)
        case .skipEmpty:
            try await records.record(.emptyClaim, for: s)
            log.event(MinerEvent.claimSkipped, s.fields + [("reason", "empty"), ("height", String(h))])
        case .claim:
            batches.claims[s.end, default: []].append(s)
            return false
        case .confirmClaim:
            try await records.record(.confirmed(.claim, height: h), for: s)
            log.event(MinerEvent.claimConfirmed, s.fields + [("height", String(h)), ("relays", String(s.tree.count)),
                                                             ("sum", String(s.tree.sum)), ("root", s.tree.root.hex)])
        case .resubmitClaim:
            batches.resubmit(.claim, s)
            return false
        case .prove:
            batches.proofs[s.end, default: []].append(s)
            return false
        case .confirmProof:
            try await records.record(.confirmed(.proof, height: h), for: s)
            log.event(MinerEvent.proofConfirmed, s.fields + [("height", String(h))])
        case .resubmitProof:
            batches.resubmit(.proof, s)
            return false
        case .settle(let outcome):
            if outcome != .empty {
                log.event(MinerEvent.sessionSettled, s.fields + [("outcome", outcome.rawValue), ("height", String(h)),
                                                                 ("relays", String(s.tree.count)), ("sum", String(s.tree.sum))])
            }
            try await cleanup(s, outcome: outcome.rawValue, height: h)
            return false
        case .fail(let reason):
            try await fail(s, reason, height: h)
            return false
        }
        return true
    }

    /// Rethrows what must stop the worker; reports anything else (the step is retried next block).
    private func report(_ error: any Error, _ kind: SubmissionKind, step: String, end: Int64?, height: Int64) throws {
        try stopFlag.rethrowIfEnding(error)
        var fields: TelemetryLabels = [("step", step), ("error", "\(error)"), ("height", String(height))]
        if let end { fields.append(("session_end", String(end))) }
        log.event(kind.errorEvent, fields)
    }

    // MARK: Steps

    /// Seals the session in Redis (idempotent across owners), completes the
    /// tree up to the seal id, freezes it and records the root (fenced).
    private func seal(_ s: MinerSessionState, height: Int64) async throws {
        if !s.frozen {
            if s.lastID == nil { try await records.index(s) }
            let lastID = try await records.sealStream(s)
            try await consumer.catchUp(to: lastID)
            s.frozen = true
        }
        try await records.recordRoot(s, height: height)
        log.event(MinerEvent.sessionSealed, s.fields + [("height", String(height)), ("last_id", s.lastID?.description ?? "0-0"),
                                                        ("relays", String(s.tree.count)), ("sum", String(s.tree.sum)), ("root", s.tree.root.hex)])
    }

    private func submitClaims(_ batch: [MinerSessionState], block: ChainBlock) async throws {
        let screened = try await claims.screen(batch, height: block.height)
        for s in screened.mismatched { try await fail(s, .computeUnitsMismatch, height: block.height) }
        try await claims.submit(screened.ready, block: block)
    }

    private func submitProofs(_ batch: [MinerSessionState], block: ChainBlock, claims: [String: Pocket_Proof_Claim]) async throws {
        let evaluated = try await proofs.evaluate(batch, height: block.height, claims: claims)
        for (s, reason) in evaluated.failed { try await fail(s, reason, height: block.height) }
        try await proofs.submit(evaluated.ready, block: block)
    }

    private func fail(_ s: MinerSessionState, _ reason: SessionFailure, height: Int64) async throws {
        log.event(MinerEvent.sessionFailed, s.fields + [("reason", reason.rawValue), ("height", String(height)),
                                                        ("relays", String(s.tree.count)), ("sum", String(s.tree.sum))])
        log.count(MinerMetrics.sessionsFailed, [("reason", reason.rawValue)])
        try await cleanup(s, outcome: reason.rawValue, height: height)
    }

    /// Removes everything of a finished session (`SessionRecordStore.remove`)
    /// and buries it, so a stray entry is discarded as settled.
    private func cleanup(_ s: MinerSessionState, outcome: String, height: Int64, resumed: Bool = false) async throws {
        let entries = try await records.remove(s, outcome: outcome)
        consumer.bury(s.id, at: height)
        log.event(MinerEvent.sessionCleaned, s.fields + [("outcome", outcome), ("height", String(height)), ("entries", String(entries))]
                  + (resumed ? [("resumed", "true")] : []))
    }
}
