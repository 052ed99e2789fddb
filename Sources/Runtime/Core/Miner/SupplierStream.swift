import PocketProtocol

/// An entry that will never be in a claim, with the session it named (if it decoded).
struct StreamDiscard: Sendable, Hashable {
    let id: StreamID
    let reason: DiscardReason
    let session: MinerSessionKey?
}

/// The supplier's relay stream as its owner reads it: new deliveries
/// (`XREADGROUP >`), pending entries of dead consumers (`XAUTOCLAIM`), ranges
/// (`XRANGE`), acknowledgements, and deletion of entries that can never be
/// claimed. What an entry means for the sessions is `RelayIngest`'s job;
/// this type only moves entries between Redis and the worker.
struct SupplierStream: Sendable {
    let redis: any RedisClient
    let key: String
    let group: String
    let consumer: String
    private let config: MinerConfig
    private let log: WorkerTelemetry

    init(supplier: String, config: MinerConfig, redis: any RedisClient, log: WorkerTelemetry) {
        self.redis = redis
        self.config = config
        self.log = log
        key = config.keys.relayStream(supplier: supplier)
        group = config.keys.minerGroup
        consumer = config.consumerName
    }

    /// Creates the consumer group (and the stream); BUSYGROUP (it exists) is success.
    func createGroup() async throws {
        _ = try await redis.xgroupCreate(key, group: group, start: .id(.zero), makeStream: true)
    }

    /// The next batch delivered to this consumer (blocks for `readBlock` at most).
    func readNew() async throws -> [StreamEntry] {
        let reads = try await redis.xreadgroup(group: group, consumer: consumer, streams: [StreamCursor(key: key, position: .undelivered)],
                                               count: config.readBatch, blockMilliseconds: max(1, config.readBlock.milliseconds))
        return reads.first { $0.key == key }?.entries ?? []
    }

    /// Calls `body` with each chunk of entries in `[from, to]`; returns the last id seen.
    @discardableResult
    func scan(from start: StreamID = .zero, to end: StreamID = .max, isolation: isolated (any Actor)? = #isolation,
              _ body: ([StreamEntry]) async throws -> Void) async throws -> StreamID? {
        try await StreamReplay.scan(redis, stream: key, from: start, to: end, chunk: config.rebuildChunk, body)
    }

    /// XAUTOCLAIMs every pending entry idle for `reclaimMinIdle` (entries of
    /// dead or restarted consumers — the Go miner never re-delivers them) and
    /// hands the live ones to `body`. Returns (entries reclaimed, pending ids
    /// whose entries were already deleted).
    func reclaim(isolation: isolated (any Actor)? = #isolation,
                 _ body: ([StreamEntry]) async throws -> Void) async throws -> (claimed: Int, deleted: Int) {
        var cursor = StreamID.zero
        var claimed = 0
        var deleted = 0
        repeat {
            let result = try await redis.xautoclaim(key, group: group, consumer: consumer, minIdleMilliseconds: config.reclaimMinIdle.milliseconds,
                                                    start: cursor, count: config.readBatch)
            let live = result.entries.filter { $0.fields != nil }
            claimed += live.count
            deleted += result.deletedIDs.count
            if !live.isEmpty { try await body(live) }
            cursor = result.next
        } while cursor != .zero
        return (claimed, deleted)
    }

    func ack(_ ids: [StreamID]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await redis.xack(key, group: group, ids: ids)
    }

    /// Acknowledges and deletes entries that can never be claimed, and reports each.
    func discard(_ items: [StreamDiscard]) async throws {
        guard !items.isEmpty else { return }
        try await redis.ackAndDelete(key, group: group, ids: items.map(\.id))
        for item in items {
            var fields: TelemetryLabels = [("id", item.id.description), ("reason", item.reason.rawValue)]
            if let session = item.session { fields += [("session", session.sessionID), ("session_end", String(session.sessionEnd))] }
            log.event(MinerEvent.entryDiscarded, level: .debug, fields)
            log.count(MinerMetrics.entriesDiscarded, [("reason", item.reason.rawValue)])
        }
    }
}
