import PocketProtocol

/// Feeds the supplier's stream into the owner's `RelayIngest`: the
/// rebuild's replay, delivered batches (plus any gap another consumer took),
/// reclaimed pending entries of dead consumers, and the seal's catch-up. It
/// acknowledges what was applied and deletes what never will be; the rules
/// themselves live in `RelayIngest`, which this shell only drives.
///
/// Used only from its worker's isolation (hence `nonisolated(nonsending)`).
final class StreamConsumer {
    let stream: SupplierStream
    private let records: SessionRecordStore
    private let log: WorkerTelemetry
    private(set) var ingest: RelayIngest

    init(supplier: String, stream: SupplierStream, records: SessionRecordStore, log: WorkerTelemetry) {
        self.stream = stream
        self.records = records
        self.log = log
        ingest = RelayIngest(supplier: supplier)
    }

    var sessions: [String: MinerSessionState] { ingest.sessions }
    var sortedSessions: [MinerSessionState] { ingest.sortedSessions }
    var watermark: StreamID { ingest.watermark }

    /// Forgets a cleaned-up session (stray entries of it are then discarded as settled).
    func bury(_ id: String, at height: Int64) { ingest.bury(id, at: height) }

    func pruneTombstones() { ingest.pruneTombstones() }

    // MARK: Rebuild

    /// Replays the whole retained stream into fresh trees, loading each
    /// session's seal and submission records the first time it is met, then
    /// freezes the sealed sessions (they took entries only up to their seal
    /// id) and reports a recorded root that differs from the rebuilt one.
    /// Replayed entries are not acknowledged (they may be on no one's
    /// pending list); discarded ones are deleted.
    nonisolated(nonsending) func replay() async throws -> (entries: Int, sealed: Int) {
        ingest.reset()
        var replayed = 0
        let last = try await stream.scan { chunk in
            var discards: [StreamDiscard] = []
            for entry in chunk {
                replayed += 1
                let decoded = MinedRelayEntry.decode(entry, supplier: ingest.supplier)
                if case .success(let relay) = decoded, ingest.isUnknown(relay) {
                    let state = try await records.load(SessionInfo(relay))
                    ingest.adopt(state)
                }
                if let discard = apply(entry, decoded: decoded) { discards.append(discard) }
            }
            try await stream.discard(discards)
        }
        if let last { ingest.advance(to: last) }

        var sealed = 0
        for s in ingest.sortedSessions where s.lastID != nil {
            s.frozen = true
            sealed += 1
            if let recorded = s.seal?.root {
                s.rootRecorded = true
                if recorded != s.tree.root {
                    log.event(MinerEvent.sessionRootMismatch, s.fields + [("recorded", recorded.hex), ("rebuilt", s.tree.root.hex)])
                }
            }
        }
        return (replayed, sealed)
    }

    /// The planted bug `minerSkipsRebuild`: no trees, the watermark at the
    /// stream's current end, as a miner that keeps its trees only in memory.
    nonisolated(nonsending) func skipToEnd() async throws {
        ingest.reset()
        if let last = try await stream.scan({ _ in }) { ingest.advance(to: last) }
    }

    // MARK: Consuming

    /// A batch from `XREADGROUP >`, plus whatever another consumer took
    /// between the watermark and it.
    nonisolated(nonsending) func deliver(_ entries: [StreamEntry]) async throws {
        try await applyAndAck(entries)
        guard let first = entries.first?.id, let last = entries.last?.id else { return }
        if let gapEnd = ingest.gap(before: first) { try await catchUp(to: gapEnd) }
        ingest.advance(to: last)
        log.count(MinerMetrics.entriesConsumed, by: Int64(entries.count))
    }

    /// Applies and acknowledges the pending entries of dead or restarted consumers.
    nonisolated(nonsending) func reclaim() async throws {
        let (claimed, deleted) = try await stream.reclaim { live in try await applyAndAck(live) }
        if claimed > 0 {
            log.event(MinerEvent.entriesReclaimed, [("entries", String(claimed)), ("deleted", String(deleted))])
            log.count(MinerMetrics.entriesReclaimed, by: Int64(claimed))
        }
    }

    /// Applies every entry the watermark has not reached up to `end`, then
    /// moves it to `end` (a seal's catch-up: afterwards the tree holds every
    /// entry up to its seal id, whoever's consumer read it).
    nonisolated(nonsending) func catchUp(to end: StreamID) async throws {
        guard let unread = ingest.unread(upTo: end) else { return }
        var filled = 0
        try await stream.scan(from: unread.from, to: unread.to) { chunk in
            filled += chunk.count
            try await applyAndAck(chunk)
        }
        ingest.advance(to: end)
        if filled > 0 { log.event(MinerEvent.gapFilled, [("entries", String(filled)), ("to", end.description)]) }
    }

    /// Applies entries, acknowledges the accepted ones and deletes the discarded ones.
    private nonisolated(nonsending) func applyAndAck(_ entries: [StreamEntry]) async throws {
        var accepted: [StreamID] = []
        var discards: [StreamDiscard] = []
        for entry in entries where entry.fields != nil {
            if let discard = apply(entry) { discards.append(discard) } else { accepted.append(entry.id) }
        }
        try await stream.ack(accepted)
        try await stream.discard(discards)
    }

    /// Applies one entry; returns it as a discard if it can never be claimed.
    private func apply(_ entry: StreamEntry, decoded: Result<MinedRelayEntry, DiscardReason>? = nil) -> StreamDiscard? {
        switch ingest.apply(entry, decoded: decoded) {
        case .accepted:
            return nil
        case .missingFromFrozenTree(let session):
            log.event(MinerEvent.workerError, [("session", session.sessionID), ("session_end", String(session.sessionEnd)),
                                               ("step", "apply"), ("error", "entry \(entry.id) missing from the frozen tree")])
            return nil
        case .discard(let reason, let session):
            return StreamDiscard(id: entry.id, reason: reason, session: session)
        }
    }
}
