import PocketProtocol

/// The durable side of one supplier's sessions under one lease epoch: the
/// seal and submission records, the supplier's session index, and the
/// removal of a finished session's entries and records.
///
/// Every mutation is one call that issues the fenced write and, once Redis
/// took it, updates the in-memory copy on the `MinerSessionState` from the
/// same typed change (`SealChange`, `SubmissionChange`). So memory never
/// runs ahead of Redis, and a new owner reading the records back sees what
/// this owner held. The first refused fence throws `WorkerStop.fenced`,
/// which stops the worker for good.
///
/// Used only from its worker's isolation (hence `nonisolated(nonsending)`).
final class SessionRecordStore {
    private let supplier: String
    private let epoch: Int64
    private let keys: RedisKeys
    private let redis: any RedisClient
    private let stop: StopFlag
    private let retention: Int64
    private let streamKey: String
    private let epochKey: String
    private let indexKey: String

    init(supplier: String, epoch: Int64, config: MinerConfig, redis: any RedisClient, stop: StopFlag) {
        self.supplier = supplier
        self.epoch = epoch
        self.redis = redis
        self.stop = stop
        keys = config.keys
        retention = config.recordRetention.milliseconds
        streamKey = config.keys.relayStream(supplier: supplier)
        epochKey = config.keys.leaseEpoch(supplier: supplier)
        indexKey = config.keys.minerSessions(supplier: supplier)
    }

    private func sealKey(_ id: String) -> String { keys.seal(supplier: supplier, sessionID: id) }
    private func submissionKey(_ id: String) -> String { keys.submission(supplier: supplier, sessionID: id) }

    // MARK: Reads

    /// A session met for the first time in a rebuild, with whatever seal and
    /// submission records an earlier owner left.
    nonisolated(nonsending) func load(_ info: SessionInfo) async throws -> MinerSessionState {
        let replies = try await redis.pipeline([.hgetall(key: sealKey(info.key.sessionID)), .hgetall(key: submissionKey(info.key.sessionID))])
        let state = MinerSessionState(info: info)
        let sealFields = try Self.fieldValues(replies[0])
        if !sealFields.isEmpty {
            let record = SealRecord(fields: sealFields)
            if record.lastID != nil || record.outcome != nil { state.seal = record }
        }
        state.submission = SubmissionRecord(fields: try Self.fieldValues(replies[1]))
        return state
    }

    /// Every session id in the supplier's index (sorted).
    nonisolated(nonsending) func indexedSessionIDs() async throws -> [String] {
        try await redis.smembers(indexKey).map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    // MARK: Seal

    /// Adds the session to the supplier's index, before its seal, so whatever
    /// records it gets stay discoverable after its entries are gone.
    nonisolated(nonsending) func index(_ s: MinerSessionState) async throws {
        try await write([.sadd(key: indexKey, members: [Array(s.id.utf8)])])
    }

    /// `sealStream` under the fence (idempotent across owners): from now on
    /// relayers stop appending for the session. Returns and records the seal id.
    nonisolated(nonsending) func sealStream(_ s: MinerSessionState) async throws -> StreamID {
        try stop.checkRunning()
        let result: Result<StreamID, RedisError>
        do {
            result = .success(try await redis.sealStream(epochKey: epochKey, epoch: epoch, sealKey: sealKey(s.id), streamKey: streamKey))
        } catch {
            result = .failure(error)
        }
        let lastID: StreamID
        switch result {
        case .success(let id): lastID = id
        case .failure(.fenced(let m)): throw WorkerStop.fenced(m)
        case .failure(let e): throw e
        }
        var record = s.seal ?? SealRecord()
        record.lastID = lastID
        s.seal = record
        return lastID
    }

    /// Records the frozen tree's root in the seal record.
    nonisolated(nonsending) func recordRoot(_ s: MinerSessionState, height: Int64) async throws {
        let change = SealChange.root(s.tree.root, count: s.tree.count, sum: s.tree.sum, epoch: epoch, height: height)
        let key = sealKey(s.id)
        try await write([.hset(key: key, fields: change.fields), .pexpire(key: key, milliseconds: retention)])
        var record = s.seal ?? SealRecord()
        change.apply(to: &record)
        s.seal = record
        s.rootRecorded = true
    }

    // MARK: Submissions

    /// Records changes to the session's submission record (one fenced HSET, TTL refreshed).
    nonisolated(nonsending) func record(_ changes: SubmissionChange..., for s: MinerSessionState) async throws {
        let key = submissionKey(s.id)
        try await write([.hset(key: key, fields: changes.flatMap(\.fields)), .pexpire(key: key, milliseconds: retention)])
        for change in changes { change.apply(to: &s.submission) }
    }

    // MARK: Removal

    /// Removes everything of a finished session: tombstone first (so an
    /// interrupted removal is finished by the next owner), then its stream
    /// entries, its records, its index membership and the relayer's meter.
    /// Returns the number of entries removed.
    nonisolated(nonsending) func remove(_ s: MinerSessionState, outcome: String) async throws -> Int {
        if var seal = s.seal, seal.outcome == nil {
            let change = SealChange.outcome(outcome)
            try await write([.hset(key: sealKey(s.id), fields: change.fields)])
            change.apply(to: &seal)
            s.seal = seal
        }
        let ids = s.entryIDs.sorted()
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            try await write([.xack(key: streamKey, group: keys.minerGroup, ids: chunk), .xdel(key: streamKey, ids: chunk)])
            start += chunk.count
        }
        try await removeRecords(s.id)
        // The meter is the relayer's key and dead by now (the session is past its proof window): a
        // best-effort delete; a failure only leaves a key that expires on its own TTL.
        _ = try? await redis.del([keys.meter(sessionID: s.id, supplier: supplier)])
        return ids.count
    }

    /// Finishes the removal of an indexed session none of whose entries is
    /// left (a cleanup interrupted after the entries were deleted). Returns
    /// the outcome its tombstone recorded ("orphaned" if none).
    nonisolated(nonsending) func removeOrphan(_ id: String) async throws -> String {
        let outcome = SealRecord(fields: try await redis.hgetAll(sealKey(id))).outcome ?? "orphaned"
        try await removeRecords(id)
        return outcome
    }

    private nonisolated(nonsending) func removeRecords(_ id: String) async throws {
        try await write([.del(keys: [sealKey(id), submissionKey(id)])])
        try await write([.srem(key: indexKey, members: [Array(id.utf8)])])
    }

    // MARK: Fenced writes

    /// Runs each command under the lease fence (pipelined); a refusal stops the worker.
    private nonisolated(nonsending) func write(_ commands: [RedisCommand]) async throws {
        try stop.checkRunning()
        let replies = try await redis.pipeline(commands.map { .fenced(epochKey: epochKey, epoch: epoch, command: $0) })
        for reply in replies {
            if case .error(let message) = reply {
                let error = RedisError.fromErrorReply(message)
                if case .fenced = error { throw WorkerStop.fenced(message) }
                throw error
            }
        }
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
}
