import BigInt
import Foundation
import PocketProtocol

/// Why a worker must stop at once.
enum WorkerStop: Error {
    /// A fenced write was refused: another owner holds the lease now.
    case fenced(String)
    /// The worker was asked to stop.
    case requested
}

/// How a worker ended.
enum WorkerEnd: Sendable, Hashable {
    case stopped
    /// The node was cancelled (a crash, in the simulator).
    case cancelled
    case fenced(String)
}

/// The owner of one supplier under one lease epoch: rebuilds the supplier's
/// open sessions from the retained stream, consumes new relays, reclaims
/// pending entries of dead consumers, and drives every session through
/// seal → claim → proof → cleanup as blocks arrive.
///
/// Every durable write is fenced with `epoch`; the first refused write stops
/// the worker for good (`WorkerEnd.fenced`), so a stale owner never submits.
actor SupplierWorker {
    nonisolated let supplier: String
    nonisolated let epoch: Int64

    private let config: MinerConfig
    private let redis: any RedisClient
    private let chain: any ChainPort
    private let clock: any ClockPort
    private let telemetry: any TelemetryPort
    private let tracker: BlockTracker
    private let key: PrivateKey
    private let onEnd: @Sendable (SupplierWorker, WorkerEnd) async -> Void

    private let streamKey: String
    private let epochKey: String
    private let indexKey: String

    private var sessions: [String: MinerSessionState] = [:]
    /// Every stream entry with an id ≤ watermark has been applied (or discarded).
    private var watermark = StreamID.zero
    /// Sessions cleaned up (id → height), so stray entries are not resurrected.
    private var tombstones: [String: Int64] = [:]
    private var lastProcessedHeight: Int64 = 0
    private var tickView: [String: Pocket_Proof_Claim]?
    private var tickViewFetched = false

    private var paramsCache: [Int64: SharedParams] = [:]
    private var cuprCache: [String: UInt64] = [:]
    private var targetCache: [String: Bytes] = [:]
    private var seedCache: [Int64: Bytes] = [:]
    private var accountNumber: UInt64?

    private nonisolated let ticks: AsyncStream<ChainBlock>
    private nonisolated let tickSink: AsyncStream<ChainBlock>.Continuation
    private nonisolated let stopFlag = StopFlag()
    private var stopRequested: Bool { stopFlag.isSet }
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    init(supplier: String, epoch: Int64, key: PrivateKey, config: MinerConfig, redis: any RedisClient, chain: any ChainPort,
         clock: any ClockPort, telemetry: any TelemetryPort, tracker: BlockTracker,
         onEnd: @escaping @Sendable (SupplierWorker, WorkerEnd) async -> Void) {
        self.supplier = supplier
        self.epoch = epoch
        self.key = key
        self.config = config
        self.redis = redis
        self.chain = chain
        self.clock = clock
        self.telemetry = telemetry
        self.tracker = tracker
        self.onEnd = onEnd
        streamKey = config.keys.relayStream(supplier: supplier)
        epochKey = config.keys.leaseEpoch(supplier: supplier)
        indexKey = config.keys.minerSessions(supplier: supplier)
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

    // MARK: Run

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
        if end == .stopped, Task.isCancelled, !stopRequested { end = .cancelled }
        offerStop()
        emit(MinerEvent.workerStopped, [("reason", Self.describe(end)), ("sessions", String(sessions.count))])
        await onEnd(self, end)
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        for w in waiters { w.resume() }
    }

    private static func describe(_ end: WorkerEnd) -> String {
        switch end {
        case .stopped: return "stopped"
        case .cancelled: return "cancelled"
        case .fenced: return "fenced"
        }
    }

    /// Errors that mean "stop now" (lease lost, stop requested, task
    /// cancelled — a cancelled Redis call surfaces as a connection error) are
    /// rethrown; anything else is for the caller to report and retry.
    private func rethrowIfEnding(_ error: any Error) throws {
        if error is WorkerStop || error is CancellationError { throw error }
        if Task.isCancelled { throw CancellationError() }
        if stopRequested { throw WorkerStop.requested }
    }

    private func checkRunning() throws {
        if stopRequested { throw WorkerStop.requested }
        try Task.checkCancellation()
    }

    /// Retries `body` after transient failures until it succeeds, the worker stops or the lease is lost.
    private func retrying(_ step: String, _ body: () async throws -> Void) async throws {
        while true {
            try checkRunning()
            do {
                try await body()
                return
            } catch {
                try rethrowIfEnding(error)
                emit(MinerEvent.workerError, [("step", step), ("error", "\(error)")])
                try await clock.sleep(for: config.retryDelay)
            }
        }
    }

    // MARK: Rebuild

    private func prepare() async throws {
        try await retrying("group_create") { try await self.createGroup() }
        try await retrying("rebuild") { try await self.rebuild() }
        try await retrying("reclaim") { try await self.reclaim() }
    }

    private func createGroup() async throws {
        // BUSYGROUP (the group exists) is success.
        _ = try await redis.xgroupCreate(streamKey, group: config.keys.minerGroup, start: .id(.zero), makeStream: true)
    }

    /// Replays the retained stream into one tree per session, loading each
    /// session's seal and submission records the first time it is seen.
    private func rebuild() async throws {
        sessions = [:]
        watermark = .zero
        if SimulationContext.plantedBug == .minerSkipsRebuild {
            // Planted bug: start after the stream's current end, as a miner that keeps its trees only in memory would.
            watermark = try await StreamReplay.scan(redis, stream: streamKey, chunk: config.rebuildChunk) { _ in } ?? .zero
            emit(MinerEvent.workerRebuilt, [("sessions", "0"), ("sealed", "0"), ("entries", "0"), ("watermark", watermark.description),
                                            ("planted_bug", PlantedBug.minerSkipsRebuild.rawValue)])
            return
        }
        var replayed = 0
        let last = try await StreamReplay.scan(redis, stream: streamKey, chunk: config.rebuildChunk) { chunk in
            var discards: [(StreamID, DiscardReason, MinerSessionKey?)] = []
            for entry in chunk {
                replayed += 1
                let decoded = MinedRelayEntry.decode(entry, supplier: supplier)
                if case .success(let relay) = decoded, sessions[relay.session.sessionID] == nil, tombstones[relay.session.sessionID] == nil {
                    try await loadSession(relay)
                }
                if case .discard(let reason, let session) = apply(entry, decoded) { discards.append((entry.id, reason, session)) }
            }
            try await discard(discards)
        }
        if let last { watermark = last }

        var sealed = 0
        for s in sortedSessions() where s.lastID != nil {
            freeze(s)
            sealed += 1
            if let recorded = s.seal?.root {
                s.rootRecorded = true
                if recorded != s.tree.root {
                    emit(MinerEvent.sessionRootMismatch, s.fields + [("recorded", recorded.hex), ("rebuilt", s.tree.root.hex)])
                }
            }
        }
        let orphans = try await finishOrphanedRecords()
        try await adoptBatchIntents()
        emit(MinerEvent.workerRebuilt, [("sessions", String(sessions.count)), ("sealed", String(sealed)),
                                        ("entries", String(replayed)), ("watermark", watermark.description),
                                        ("orphaned_records", String(orphans))])
        for s in sortedSessions() {
            if let outcome = s.seal?.outcome { try await cleanup(s, outcome: outcome, height: lastProcessedHeight, finishing: true) }
        }
    }

    /// Sessions in the index with no entry left in the stream: a cleanup was
    /// interrupted after the entries were deleted (their records carry its
    /// tombstone). Removes their records and index membership.
    private func finishOrphanedRecords() async throws -> Int {
        let members = try await redis.smembers(indexKey).map { String(decoding: $0, as: UTF8.self) }.filter { sessions[$0] == nil }
        for id in members {
            let sealKey = config.keys.seal(supplier: supplier, sessionID: id)
            let outcome = SealRecord(fields: try await redis.hgetAll(sealKey)).outcome ?? "orphaned"
            try await write([.del(keys: [sealKey, config.keys.submission(supplier: supplier, sessionID: id)])])
            try await write([.srem(key: indexKey, members: [Array(id.utf8)])])
            tombstones[id] = lastProcessedHeight
            emit(MinerEvent.sessionCleaned, [("session", id), ("outcome", outcome), ("entries", "0"), ("resumed", "true")])
        }
        return members.count
    }

    private func loadSession(_ relay: MinedRelayEntry) async throws {
        let replies = try await redis.pipeline([
            .hgetall(key: config.keys.seal(supplier: supplier, sessionID: relay.session.sessionID)),
            .hgetall(key: config.keys.submission(supplier: supplier, sessionID: relay.session.sessionID)),
        ])
        guard sessions[relay.session.sessionID] == nil else { return }
        let state = MinerSessionState(info: SessionInfo(key: relay.session, sessionStart: relay.sessionStart,
                                                        serviceID: relay.serviceID, applicationAddress: relay.applicationAddress))
        let sealFields = try Self.fieldValues(replies[0])
        if !sealFields.isEmpty {
            let record = SealRecord(fields: sealFields)
            if record.lastID != nil || record.outcome != nil { state.seal = record }
        }
        state.submission = SubmissionRecord(fields: try Self.fieldValues(replies[1]))
        sessions[relay.session.sessionID] = state
    }

    private static func fieldValues(_ reply: RedisReply) throws -> [FieldValue] {
        switch reply {
        case .error(let m): throw RedisError.fromErrorReply(m)
        case .null: return []
        case .array(let items):
            guard items.count % 2 == 0 else { throw RedisError.unexpectedReply(command: "HGETALL", reply: reply.description) }
            var out: [FieldValue] = []
            var i = 0
            while i < items.count {
                guard case .bulk(let f) = items[i], case .bulk(let v) = items[i + 1] else {
                    throw RedisError.unexpectedReply(command: "HGETALL", reply: reply.description)
                }
                out.append(FieldValue(f, v))
                i += 2
            }
            return out
        default:
            throw RedisError.unexpectedReply(command: "HGETALL", reply: reply.description)
        }
    }

    /// Claims and proofs are batched per supplier per session end, but their
    /// intents are written one session at a time: a crash in between leaves
    /// some sessions of a signed batch without a record. Give them the batch's
    /// intent, so a new owner never builds a second, different tx for them.
    private func adoptBatchIntents() async throws {
        for s in sortedSessions() {
            if let intent = s.submission.claim {
                for id in MinerMessages.sessionIDs(inTx: intent.txBytes, typeURL: MinerMessages.createClaimURL) where id != s.id {
                    if let mate = sessions[id], mate.submission.claim == nil {
                        try await write(submission: mate, SubmissionRecord.intentFields("claim", intent))
                        mate.submission.claim = intent
                    }
                }
            }
            if let intent = s.submission.proof {
                for id in MinerMessages.sessionIDs(inTx: intent.txBytes, typeURL: MinerMessages.submitProofURL) where id != s.id {
                    if let mate = sessions[id], mate.submission.proof == nil {
                        var fields = SubmissionRecord.intentFields("proof", intent)
                        if let r = s.submission.proofRequirement, mate.submission.proofRequirement == nil {
                            fields.append(SubmissionRecord.field("proof_requirement", r))
                            mate.submission.proofRequirement = r
                        }
                        try await write(submission: mate, fields)
                        mate.submission.proof = intent
                    }
                }
            }
        }
    }

    // MARK: Applying entries

    private enum Applied {
        case accepted
        case discard(DiscardReason, MinerSessionKey?)
    }

    /// Puts one entry into its session's tree (idempotent), or says why it never will be.
    private func apply(_ entry: StreamEntry, _ decoded: Result<MinedRelayEntry, DiscardReason>? = nil) -> Applied {
        let relay: MinedRelayEntry
        switch decoded ?? MinedRelayEntry.decode(entry, supplier: supplier) {
        case .failure(let reason): return .discard(reason, nil)
        case .success(let r): relay = r
        }
        let id = relay.session.sessionID
        if tombstones[id] != nil { return .discard(.settled, relay.session) }
        let state: MinerSessionState
        if let s = sessions[id] {
            state = s
        } else {
            state = MinerSessionState(info: SessionInfo(key: relay.session, sessionStart: relay.sessionStart,
                                                        serviceID: relay.serviceID, applicationAddress: relay.applicationAddress))
            sessions[id] = state
        }
        if let last = state.lastID, entry.id > last { return .discard(.late, relay.session) }
        state.entryIDs.insert(entry.id)
        if state.frozen {
            if state.tree.leafData(key: relay.relayHash) == nil {
                // Cannot happen while the watermark invariant holds; visible if it ever does.
                emit(MinerEvent.workerError, state.fields + [("step", "apply"), ("error", "entry \(entry.id) missing from the frozen tree")])
            }
            return .accepted
        }
        state.tree.update(key: relay.relayHash, value: relay.relayBytes, weight: relay.computeUnits)
        return .accepted
    }

    /// Applies entries, acknowledges the accepted ones and deletes the discarded ones.
    private func applyAndAck(_ entries: [StreamEntry]) async throws {
        var accepted: [StreamID] = []
        var discards: [(StreamID, DiscardReason, MinerSessionKey?)] = []
        for entry in entries {
            guard entry.fields != nil else { continue }
            switch apply(entry) {
            case .accepted: accepted.append(entry.id)
            case .discard(let reason, let session): discards.append((entry.id, reason, session))
            }
        }
        if !accepted.isEmpty { _ = try await redis.xack(streamKey, group: config.keys.minerGroup, ids: accepted) }
        try await discard(discards)
    }

    private func discard(_ items: [(StreamID, DiscardReason, MinerSessionKey?)]) async throws {
        guard !items.isEmpty else { return }
        try await redis.ackAndDelete(streamKey, group: config.keys.minerGroup, ids: items.map(\.0))
        for (id, reason, session) in items {
            var fields: TelemetryLabels = [("id", id.description), ("reason", reason.rawValue)]
            if let session { fields += [("session", session.sessionID), ("session_end", String(session.sessionEnd))] }
            emit(MinerEvent.entryDiscarded, fields)
            telemetry.count("miner_entries_discarded_total", [("supplier", supplier), ("reason", reason.rawValue)], by: 1)
        }
    }

    /// Applies every entry in `(watermark, end]` and moves the watermark to `end`.
    private func catchUp(to end: StreamID) async throws {
        guard end > watermark, let from = watermark.successor else { return }
        var filled = 0
        try await StreamReplay.scan(redis, stream: streamKey, from: from, to: end, chunk: config.rebuildChunk) { chunk in
            filled += chunk.count
            try await applyAndAck(chunk)
        }
        if end > watermark { watermark = end }
        if filled > 0 { emit(MinerEvent.gapFilled, [("entries", String(filled)), ("to", end.description)]) }
    }

    // MARK: Consuming

    private func consumeLoop() async throws {
        let cursor = [StreamCursor(key: streamKey, position: .undelivered)]
        while true {
            try checkRunning()
            do {
                let reads = try await redis.xreadgroup(group: config.keys.minerGroup, consumer: config.consumerName, streams: cursor,
                                                       count: config.readBatch, blockMilliseconds: max(1, config.readBlock.milliseconds))
                let entries = reads.first { $0.key == streamKey }?.entries ?? []
                try checkRunning()
                if !entries.isEmpty { try await ingestDelivered(entries) }
            } catch RedisError.noGroup(_) {
                try await retrying("group_create") { try await self.createGroup() }
            } catch {
                try rethrowIfEnding(error)
                emit(MinerEvent.workerError, [("step", "consume"), ("error", "\(error)")])
                try await clock.sleep(for: config.retryDelay)
            }
        }
    }

    /// Entries from `XREADGROUP >` are a contiguous run of the stream after
    /// the group's last-delivered id. If that run does not start right after
    /// the watermark, another consumer (a stale owner) took the entries in
    /// between: read them from the stream so the watermark stays exact.
    private func ingestDelivered(_ entries: [StreamEntry]) async throws {
        try await applyAndAck(entries)
        guard let first = entries.first?.id, let last = entries.last?.id else { return }
        if first > watermark, let before = first.predecessor, before > watermark {
            try await catchUp(to: before)
        }
        if last > watermark { watermark = last }
        telemetry.count("miner_entries_consumed_total", [("supplier", supplier)], by: Int64(entries.count))
    }

    private func reclaimLoop() async throws {
        while true {
            try await clock.sleep(for: config.reclaimInterval)
            try checkRunning()
            do {
                try await reclaim()
            } catch {
                try rethrowIfEnding(error)
                emit(MinerEvent.workerError, [("step", "reclaim"), ("error", "\(error)")])
            }
        }
    }

    /// XAUTOCLAIM every pending entry idle for `reclaimMinIdle` (entries of
    /// dead or restarted consumers — the Go miner never re-delivers them),
    /// apply and acknowledge them.
    private func reclaim() async throws {
        var cursor = StreamID.zero
        var claimed = 0
        var consumersSeen = 0
        repeat {
            let result = try await redis.xautoclaim(streamKey, group: config.keys.minerGroup, consumer: config.consumerName,
                                                    minIdleMilliseconds: config.reclaimMinIdle.milliseconds, start: cursor, count: config.readBatch)
            let live = result.entries.filter { $0.fields != nil }
            claimed += live.count
            consumersSeen += result.deletedIDs.count
            if !live.isEmpty { try await applyAndAck(live) }
            cursor = result.next
        } while cursor != .zero
        if claimed > 0 {
            emit(MinerEvent.entriesReclaimed, [("entries", String(claimed)), ("deleted", String(consumersSeen))])
            telemetry.count("miner_entries_reclaimed_total", [("supplier", supplier)], by: Int64(claimed))
        }
    }

    // MARK: Lifecycle

    private func lifecycleLoop() async throws {
        if let current = await tracker.current { try await process(current) }
        for await block in ticks {
            try checkRunning()
            try await process(block)
        }
    }

    private func sortedSessions() -> [MinerSessionState] {
        sessions.values.sorted { $0.info.key < $1.info.key }
    }

    /// One pass of every session's state machine at `block`.
    private func process(_ block: ChainBlock) async throws {
        guard block.height > lastProcessedHeight else { return }
        lastProcessedHeight = block.height
        let h = block.height

        // Windows from the params at each session's end (once it has ended).
        for s in sortedSessions() where s.windows == nil && h > s.end {
            do {
                s.windows = SessionWindows(params: try await params(atHeight: s.end), sessionEnd: s.end)
            } catch {
                emit(MinerEvent.workerError, s.fields + [("step", "params"), ("error", "\(error)"), ("height", String(h))])
            }
        }

        tickView = nil
        tickViewFetched = false

        var claimBatches: [Int64: [MinerSessionState]] = [:]
        var proofBatches: [Int64: [MinerSessionState]] = [:]
        var claimResubmits: [String: [MinerSessionState]] = [:]
        var proofResubmits: [String: [MinerSessionState]] = [:]

        for s in sortedSessions() {
            guard let w = s.windows else { continue }
            var steps = 0
            planning: while steps < 8 {
                steps += 1
                try checkRunning()
                let snapshot = s.snapshot
                var observation: ChainObservation?
                if SessionPlanner.needsChainView(snapshot, windows: w, height: h), let v = await chainView(height: h) {
                    observation = Self.observe(s, in: v)
                }
                let action = SessionPlanner.next(snapshot, windows: w, height: h, chain: observation, maxResubmissions: config.maxResubmissions)
                do {
                    switch action {
                    case .wait:
                        break planning
                    case .seal:
                        try await seal(s, height: h)
                    case .skipEmpty:
                        try await write(submission: s, [SubmissionRecord.field("claim_empty", "1")])
                        s.submission.emptyClaim = true
                        emit(MinerEvent.claimSkipped, s.fields + [("reason", "empty"), ("height", String(h))])
                    case .claim:
                        claimBatches[s.end, default: []].append(s)
                        break planning
                    case .confirmClaim:
                        try await write(submission: s, [SubmissionRecord.field("claim_confirmed", String(h))])
                        s.submission.claimConfirmedHeight = h
                        emit(MinerEvent.claimConfirmed, s.fields + [("height", String(h)), ("relays", String(s.tree.count)),
                                                                    ("sum", String(s.tree.sum)), ("root", s.tree.root.hex)])
                    case .resubmitClaim:
                        if let tx = s.submission.claim?.txHash { claimResubmits[tx, default: []].append(s) }
                        break planning
                    case .prove:
                        proofBatches[s.end, default: []].append(s)
                        break planning
                    case .confirmProof:
                        try await write(submission: s, [SubmissionRecord.field("proof_confirmed", String(h))])
                        s.submission.proofConfirmedHeight = h
                        emit(MinerEvent.proofConfirmed, s.fields + [("height", String(h))])
                    case .resubmitProof:
                        if let tx = s.submission.proof?.txHash { proofResubmits[tx, default: []].append(s) }
                        break planning
                    case .settle(let outcome):
                        if outcome != .empty {
                            emit(MinerEvent.sessionSettled, s.fields + [("outcome", outcome.rawValue), ("height", String(h)),
                                                                        ("relays", String(s.tree.count)), ("sum", String(s.tree.sum))])
                        }
                        try await cleanup(s, outcome: outcome.rawValue, height: h)
                        break planning
                    case .fail(let reason):
                        try await fail(s, reason, height: h)
                        break planning
                    }
                } catch {
                    try rethrowIfEnding(error)
                    emit(MinerEvent.workerError, s.fields + [("step", "\(action)"), ("error", "\(error)"), ("height", String(h))])
                    break planning
                }
            }
        }

        for end in claimBatches.keys.sorted() {
            let batch = claimBatches[end] ?? []
            do { try await submitClaims(batch, block: block) } catch { try report(error, step: "claim", end: end, height: h) }
        }
        for end in proofBatches.keys.sorted() {
            let batch = proofBatches[end] ?? []
            let v = await chainView(height: h) ?? [:]
            do { try await submitProofs(batch, block: block, claims: v) } catch { try report(error, step: "proof", end: end, height: h) }
        }
        for tx in claimResubmits.keys.sorted() {
            let group = claimResubmits[tx] ?? []
            do { try await resubmit(kind: "claim", group, height: h) } catch { try report(error, step: "resubmit_claim", end: nil, height: h) }
        }
        for tx in proofResubmits.keys.sorted() {
            let group = proofResubmits[tx] ?? []
            do { try await resubmit(kind: "proof", group, height: h) } catch { try report(error, step: "resubmit_proof", end: nil, height: h) }
        }
        pruneTombstones(height: h)
    }

    /// Rethrows what must stop the worker; reports anything else (the step is retried next block).
    private func report(_ error: any Error, step: String, end: Int64?, height: Int64) throws {
        try rethrowIfEnding(error)
        var fields: TelemetryLabels = [("step", step), ("error", "\(error)"), ("height", String(height))]
        if let end { fields.append(("session_end", String(end))) }
        emit(step.hasSuffix("proof") ? MinerEvent.proofError : MinerEvent.claimError, fields)
    }

    /// The supplier's claims on chain by session id, fetched at most once per block.
    private func chainView(height: Int64) async -> [String: Pocket_Proof_Claim]? {
        if tickViewFetched { return tickView }
        tickViewFetched = true
        do {
            var map: [String: Pocket_Proof_Claim] = [:]
            for c in try await chain.claims(supplierOperatorAddress: supplier) { map[c.sessionHeader.sessionID] = c }
            tickView = map
        } catch {
            emit(MinerEvent.workerError, [("step", "claims"), ("error", "\(error)"), ("height", String(height))])
        }
        return tickView
    }

    private static func observe(_ s: MinerSessionState, in view: [String: Pocket_Proof_Claim]) -> ChainObservation {
        guard let claim = view[s.id] else { return .absent }
        return ChainObservation(claimOnChain: true, proofValidated: claim.proofValidationStatus == .validated,
                                proofInvalid: claim.proofValidationStatus == .invalid)
    }

    // MARK: Seal

    /// Seals the session in Redis (idempotent across owners), completes the
    /// tree up to the seal id, freezes it and records the root (fenced).
    private func seal(_ s: MinerSessionState, height: Int64) async throws {
        if !s.frozen {
            // Indexed first, so whatever records the session gets stay discoverable.
            if s.seal?.lastID == nil { try await write([.sadd(key: indexKey, members: [Array(s.id.utf8)])]) }
            let lastID = try await sealStream(s)
            var record = s.seal ?? SealRecord()
            record.lastID = lastID
            s.seal = record
            try await catchUp(to: lastID)
            freeze(s)
        }
        let root = s.tree.root
        let sealKey = config.keys.seal(supplier: supplier, sessionID: s.id)
        try await write([
            .hset(key: sealKey, fields: SealRecord.rootFields(root: root, count: s.tree.count, sum: s.tree.sum, epoch: epoch, height: height)),
            .pexpire(key: sealKey, milliseconds: config.recordRetention.milliseconds),
        ])
        s.seal?.root = root
        s.rootRecorded = true
        emit(MinerEvent.sessionSealed, s.fields + [("height", String(height)), ("last_id", s.lastID?.description ?? "0-0"),
                                                   ("relays", String(s.tree.count)), ("sum", String(s.tree.sum)), ("root", root.hex)])
    }

    /// `sealStream` under the fence; a refusal stops the worker.
    private func sealStream(_ s: MinerSessionState) async throws -> StreamID {
        let result: Result<StreamID, RedisError>
        do {
            result = .success(try await redis.sealStream(epochKey: epochKey, epoch: epoch,
                                                         sealKey: config.keys.seal(supplier: supplier, sessionID: s.id), streamKey: streamKey))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let id): return id
        case .failure(.fenced(let m)): throw WorkerStop.fenced(m)
        case .failure(let e): throw e
        }
    }

    private func freeze(_ s: MinerSessionState) {
        s.frozen = true
    }

    // MARK: Claims

    private func submitClaims(_ batch: [MinerSessionState], block: ChainBlock) async throws {
        let h = block.height
        var ready: [MinerSessionState] = []
        for s in batch {
            let cupr = try await computeUnitsPerRelay(s.info)
            let (count, sum) = (s.tree.count, s.tree.sum)
            let expected = count.multipliedReportingOverflow(by: cupr)
            if expected.overflow || expected.partialValue != sum {
                emit(MinerEvent.claimSkipped, s.fields + [("reason", SessionFailure.computeUnitsMismatch.rawValue), ("relays", String(count)),
                                                          ("sum", String(sum)), ("compute_units_per_relay", String(cupr))])
                try await fail(s, .computeUnitsMismatch, height: h)
                continue
            }
            ready.append(s)
        }
        guard !ready.isEmpty else { return }
        let messages = ready.map { MinerMessages.createClaim(supplier: supplier, session: $0.info, root: $0.tree.root) }
        let tx = try await builder().build(messages: messages, accountNumber: try await account(), blockTime: block.time,
                                           uniqueness: Array("claim/\(ready[0].end)/".utf8) + Array(ready.map(\.id).joined(separator: ",").utf8))
        let intent = SubmissionIntent(txBytes: tx.txRawBytes, txHash: tx.hash, height: h)
        for s in ready {
            try await write(submission: s, SubmissionRecord.intentFields("claim", intent))
            s.submission.claim = intent
        }
        let fields: TelemetryLabels = [("session_end", String(ready[0].end)), ("sessions", String(ready.count)), ("tx", tx.hash),
                                       ("height", String(h)), ("relays", String(ready.reduce(0) { $0 + $1.tree.count }))]
        try await broadcast(tx.txRawBytes, event: MinerEvent.claimBroadcast, errorEvent: MinerEvent.claimError, fields: fields)
    }

    // MARK: Proofs

    private func submitProofs(_ batch: [MinerSessionState], block: ChainBlock, claims: [String: Pocket_Proof_Claim]) async throws {
        let h = block.height
        let proofParams = try await chain.proofParams()
        var ready: [(MinerSessionState, Bytes, ProofRequirement)] = []
        for s in batch {
            guard let w = s.windows, let claim = claims[s.id] else { continue }
            let seed = try await seedHash(w.seedHeight)
            let claimedRoot = Bytes(claim.rootHash)
            guard claimedRoot.count == 48, claimedRoot == s.tree.root else {
                emit(MinerEvent.sessionRootMismatch, s.fields + [("claimed", claimedRoot.hex), ("rebuilt", s.tree.root.hex)])
                try await fail(s, .rootMismatch, height: h)
                continue
            }
            let startParams = try await params(atHeight: s.info.sessionStart)
            let target = try await difficultyTarget(s.info)
            let claimed = ClaimAmount.claimedUPOKT(
                computeUnits: ClaimAmount.computeUnits(root: claimedRoot), targetHash: target,
                computeUnitsToTokensMultiplier: startParams.computeUnitsToTokensMultiplier,
                computeUnitCostGranularity: startParams.computeUnitCostGranularity)
            let claimHash = Hash.sha256(try CanonicalCodec.encode(claim))
            let requirement = ProofRequirement.evaluate(
                claimedUPOKT: claimed, thresholdUPOKT: BigUInt(proofParams.proofRequirementThresholdUPOKT),
                claimHash: claimHash, seedBlockHash: seed, probability: proofParams.proofRequestProbability)
            if !requirement.isRequired {
                try await write(submission: s, [SubmissionRecord.field("proof_requirement", requirement.description)])
                s.submission.proofRequirement = requirement.description
                emit(MinerEvent.proofNotRequired, s.fields + [("height", String(h)), ("claimed_upokt", String(claimed)),
                                                              ("sample", String(ProofRequirement.sample(claimHash: claimHash, seedBlockHash: seed)))])
                continue
            }
            guard h < w.proofClose else {
                try await fail(s, .proofNotSubmitted, height: h)
                continue
            }
            let path = SessionID.proofPath(seedBlockHash: seed, sessionID: s.id)
            let proof = try s.tree.proveClosest(path: path).compacted()
            ready.append((s, GobClosestProofCodec.encode(proof), requirement))
        }
        guard !ready.isEmpty else { return }
        let messages = ready.map { MinerMessages.submitProof(supplier: supplier, session: $0.0.info, proof: $0.1) }
        let tx = try await builder().build(messages: messages, accountNumber: try await account(), blockTime: block.time,
                                           uniqueness: Array("proof/\(ready[0].0.end)/".utf8) + Array(ready.map(\.0.id).joined(separator: ",").utf8))
        let intent = SubmissionIntent(txBytes: tx.txRawBytes, txHash: tx.hash, height: h)
        for (s, _, requirement) in ready {
            try await write(submission: s, SubmissionRecord.intentFields("proof", intent)
                            + [SubmissionRecord.field("proof_requirement", requirement.description)])
            s.submission.proof = intent
            s.submission.proofRequirement = requirement.description
        }
        let fields: TelemetryLabels = [("session_end", String(ready[0].0.end)), ("sessions", String(ready.count)), ("tx", tx.hash),
                                       ("height", String(h)), ("requirement", ready.map { $0.2.description }.joined(separator: ","))]
        try await broadcast(tx.txRawBytes, event: MinerEvent.proofBroadcast, errorEvent: MinerEvent.proofError, fields: fields)
    }

    // MARK: Reconciler

    /// Re-broadcasts a recorded tx (same bytes, same hash) for the sessions
    /// still missing on chain; the new count is written (fenced) first.
    private func resubmit(kind: String, _ group: [MinerSessionState], height: Int64) async throws {
        let intents = group.compactMap { kind == "claim" ? $0.submission.claim : $0.submission.proof }
        guard let intent = intents.first else { return }
        let count = (intents.map(\.resubmits).max() ?? 0) + 1
        for s in group {
            try await write(submission: s, [SubmissionRecord.field("\(kind)_resubmits", String(count))])
            if kind == "claim" { s.submission.claim?.resubmits = count } else { s.submission.proof?.resubmits = count }
        }
        telemetry.count("miner_resubmissions_total", [("supplier", supplier), ("kind", kind)], by: 1)
        var fields: TelemetryLabels = [("kind", kind), ("sessions", String(group.count)),
                                       ("session", group.map(\.id).joined(separator: ",")), ("height", String(height)),
                                       ("resubmits", String(count))]
        let errorEvent = kind == "claim" ? MinerEvent.claimError : MinerEvent.proofError
        try checkRunning()
        let first: BroadcastResult
        do {
            first = try await chain.broadcast(txBytes: intent.txBytes)
        } catch {
            emit(errorEvent, fields + [("tx", intent.txHash), ("step", "broadcast"), ("error", "\(error)")])
            return
        }
        if first.accepted {
            emit(MinerEvent.reconcileResubmit, fields + [("tx", intent.txHash), ("code", "0")])
            return
        }
        // The node refuses the same bytes (typically: still in its mempool, never
        // included). Re-sign the same messages with the same unordered timeout
        // timestamp — on chain at most one tx per (signer, timestamp) executes —
        // and a higher gas limit; record it as the intent before broadcasting it.
        let replacement: SignedCosmosTx
        do {
            replacement = try builder().replacement(of: intent.txBytes, accountNumber: try await account())
        } catch {
            emit(errorEvent, fields + [("tx", intent.txHash), ("step", "replace"), ("code", String(first.code)), ("error", "\(error)")])
            return
        }
        let replaced = SubmissionIntent(txBytes: replacement.txRawBytes, txHash: replacement.hash, height: intent.height, resubmits: count)
        for s in group {
            try await write(submission: s, SubmissionRecord.intentFields(kind, replaced))
            if kind == "claim" { s.submission.claim = replaced } else { s.submission.proof = replaced }
        }
        fields += [("tx", replacement.hash), ("replaces", intent.txHash), ("refused_code", String(first.code))]
        try await broadcast(replacement.txRawBytes, event: MinerEvent.reconcileResubmit, errorEvent: errorEvent, fields: fields)
    }

    private func broadcast(_ txBytes: Bytes, event: String, errorEvent: String, fields: TelemetryLabels) async throws {
        try checkRunning()
        do {
            let result = try await chain.broadcast(txBytes: txBytes)
            emit(event, fields + [("code", String(result.code))] + (result.accepted ? [] : [("log", result.log)]))
        } catch {
            emit(errorEvent, fields + [("step", "broadcast"), ("error", "\(error)")])
        }
    }

    // MARK: Failure and cleanup

    private func fail(_ s: MinerSessionState, _ reason: SessionFailure, height: Int64) async throws {
        emit(MinerEvent.sessionFailed, s.fields + [("reason", reason.rawValue), ("height", String(height)),
                                                   ("relays", String(s.tree.count)), ("sum", String(s.tree.sum))])
        telemetry.count("miner_sessions_failed_total", [("supplier", supplier), ("reason", reason.rawValue)], by: 1)
        try await cleanup(s, outcome: reason.rawValue, height: height)
    }

    /// Removes everything of a finished session: its stream entries, its
    /// seal and submission records (tombstone first, so an interrupted
    /// cleanup is finished by the next owner), the relayer's meter and the tree.
    private func cleanup(_ s: MinerSessionState, outcome: String, height: Int64, finishing: Bool = false) async throws {
        let sealKey = config.keys.seal(supplier: supplier, sessionID: s.id)
        let submissionKey = config.keys.submission(supplier: supplier, sessionID: s.id)
        if s.seal != nil, s.seal?.outcome == nil {
            try await write([.hset(key: sealKey, fields: [SubmissionRecord.field("outcome", outcome)])])
            s.seal?.outcome = outcome
        }
        let ids = s.entryIDs.sorted()
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            try await write([.xack(key: streamKey, group: config.keys.minerGroup, ids: chunk), .xdel(key: streamKey, ids: chunk)])
            start += chunk.count
        }
        try await write([.del(keys: [sealKey, submissionKey])])
        try await write([.srem(key: indexKey, members: [Array(s.id.utf8)])])
        // The meter lives in another hash slot (no fence possible there); it is the relayer's, and dead by now.
        _ = try? await redis.del([config.keys.meter(sessionID: s.id, supplier: supplier)])
        sessions[s.id] = nil
        tombstones[s.id] = height
        emit(MinerEvent.sessionCleaned, s.fields + [("outcome", outcome), ("height", String(height)), ("entries", String(ids.count))]
             + (finishing ? [("resumed", "true")] : []))
    }

    private func pruneTombstones(height: Int64) {
        guard tombstones.count > 256 else { return }
        let keep = tombstones.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(128)
        tombstones = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }

    // MARK: Fenced writes

    private func write(submission s: MinerSessionState, _ fields: [FieldValue]) async throws {
        let key = config.keys.submission(supplier: supplier, sessionID: s.id)
        try await write([.hset(key: key, fields: fields), .pexpire(key: key, milliseconds: config.recordRetention.milliseconds)])
    }

    /// Runs each command under the lease fence (pipelined); a refusal stops the worker.
    private func write(_ commands: [RedisCommand]) async throws {
        try checkRunning()
        let replies = try await redis.pipeline(commands.map { .fenced(epochKey: epochKey, epoch: epoch, command: $0) })
        for reply in replies {
            if case .error(let message) = reply {
                let error = RedisError.fromErrorReply(message)
                if case .fenced = error { throw WorkerStop.fenced(message) }
                throw error
            }
        }
    }

    // MARK: Chain data (cached)

    private func params(atHeight height: Int64) async throws -> SharedParams {
        if let p = paramsCache[height] { return p }
        let p = try await chain.sharedParams(atHeight: height)
        paramsCache[height] = p
        return p
    }

    private func computeUnitsPerRelay(_ info: SessionInfo) async throws -> UInt64 {
        let k = "\(info.serviceID)@\(info.sessionStart)"
        if let v = cuprCache[k] { return v }
        let v = try await chain.computeUnitsPerRelay(serviceID: info.serviceID, atHeight: info.sessionStart)
        cuprCache[k] = v
        return v
    }

    private func difficultyTarget(_ info: SessionInfo) async throws -> Bytes {
        let k = "\(info.serviceID)@\(info.sessionStart)"
        if let v = targetCache[k] { return v }
        let v = try await chain.relayDifficultyTarget(serviceID: info.serviceID, atHeight: info.sessionStart)
        targetCache[k] = v
        return v
    }

    private func seedHash(_ height: Int64) async throws -> Bytes {
        if let v = seedCache[height] { return v }
        let v = try await chain.block(at: height).hash
        seedCache[height] = v
        return v
    }

    private func account() async throws -> UInt64 {
        if let n = accountNumber { return n }
        let n = try await chain.account(address: supplier).accountNumber
        accountNumber = n
        return n
    }

    private func builder() -> MinerTxBuilder { MinerTxBuilder(config: config, chain: chain, key: key) }

    private func emit(_ name: String, _ fields: TelemetryLabels) {
        telemetry.event(MinerEvent.component, name, [("supplier", supplier), ("epoch", String(epoch))] + fields)
    }
}

/// A one-way flag readable from any isolation domain.
final class StopFlag: @unchecked Sendable {
    private let lock = Locked()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
