import RelayRuntime

/// Stream commands, following Redis 7.0's t_stream.c check by check (the
/// order of validations decides which error a bad command gets).
extension RedisModel {
    enum XReadOutcome {
        case reply(RedisReply)
        /// Nothing to serve and BLOCK was given.
        case wouldBlock
    }

    private func noGroup(_ key: String, _ group: String) -> RedisReply {
        .error("NOGROUP No such key '\(RedisText.formatted(key))' or consumer group '\(RedisText.formatted(group))'")
    }

    private enum GroupLookup {
        case found(StreamValue, ConsumerGroup)
        /// WRONGTYPE, or NOGROUP for a missing key or group.
        case failed(RedisReply)
    }

    /// The stream and group a group command works on, or the error Redis answers.
    private func lookupGroup(_ key: String, _ group: String) -> GroupLookup {
        switch lookupStream(key) {
        case .wrongType: return .failed(.error(RedisErrors.wrongType))
        case .missing: return .failed(noGroup(key, group))
        case .found(let s):
            guard let g = s.group(group) else { return .failed(noGroup(key, group)) }
            return .found(s, g)
        }
    }


    // MARK: XADD

    func xadd(_ key: String, _ id: StreamAddID, _ fields: [FieldValue], _ trim: StreamTrim?, _ noMakeStream: Bool, _ x: inout ExecContext) -> RedisReply {
        if case .maxLength(let n, _)? = trim, n < 0 { return .error(RedisErrors.maxLenNegative) }
        if fields.isEmpty { return .error(RedisErrors.arity("xadd")) }
        if case .explicit(let given) = id, given == .zero { return .error(RedisErrors.xaddZeroID) }
        let s: StreamValue
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .found(let existing): s = existing
        case .missing:
            if noMakeStream { return .null }
            s = StreamValue(key: key)
            keyspace[key] = KeyEntry(value: .stream(s), expiresAt: nil)
        }
        if s.lastID == .max { return .error(RedisErrors.xaddExhausted) }
        let newID: StreamID
        switch id {
        case .auto:
            let ms = UInt64(clamping: x.now)
            if ms > s.lastID.milliseconds {
                newID = StreamID(milliseconds: ms, sequence: 0)
            } else {
                newID = StreamID(milliseconds: s.lastID.milliseconds, sequence: s.lastID.sequence &+ 1)
            }
        case .explicit(let given):
            newID = given
        }
        if newID <= s.lastID { return .error(RedisErrors.xaddTooSmall) }
        let text = s.append(newID, fields: fields)
        if let trim { _ = s.trim(trim) }
        signal(key)
        return .bulk(text)
    }

    // MARK: XRANGE / XDEL / XTRIM

    func xrange(_ key: String, _ start: StreamID, _ end: StreamID, _ count: Int?) -> RedisReply {
        var limit = count ?? -1
        if limit < -1 { limit = 0 }
        let s: StreamValue
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .missing: return .array([])
        case .found(let existing): s = existing
        }
        if limit == 0 { return .null }
        return .array(range(s, from: start, to: end, count: limit < 0 ? 0 : limit))
    }

    /// Replies for the live entries with start ≤ id ≤ end, at most `count` (0 = all).
    func range(_ s: StreamValue, from start: StreamID, to end: StreamID, count: Int) -> [RedisReply] {
        var out: [RedisReply] = []
        var slot = s.entries.live(from: s.entries.lowerBound(start))
        while slot < s.entries.endIndex {
            let id = s.entries.id(at: slot)
            if id > end { break }
            out.append(s.entries.value(at: slot)!.reply(id))
            if count > 0 && out.count == count { break }
            slot = s.entries.live(from: slot + 1)
        }
        return out
    }

    func xdel(_ key: String, _ ids: [StreamID]) -> RedisReply {
        if ids.isEmpty { return .error(RedisErrors.arity("xdel")) }
        let s: StreamValue
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .missing: return .integer(0)
        case .found(let existing): s = existing
        }
        var deleted: Int64 = 0
        for id in ids where s.delete(id) {
            if id > s.maxDeletedID { s.maxDeletedID = id }
            deleted += 1
        }
        return .integer(deleted)
    }

    func xtrim(_ key: String, _ trim: StreamTrim) -> RedisReply {
        if case .maxLength(let n, _) = trim, n < 0 { return .error(RedisErrors.maxLenNegative) }
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .missing: return .integer(0)
        case .found(let s): return .integer(Int64(s.trim(trim)))
        }
    }

    // MARK: XGROUP

    func xgroupCreate(_ key: String, _ group: String, _ start: GroupStart, _ makeStream: Bool) -> RedisReply {
        var stream: StreamValue?
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .found(let s): stream = s
        case .missing: if !makeStream { return .error(RedisErrors.xgroupNeedsKey) }
        }
        let id: StreamID
        switch start {
        case .latest: id = stream?.lastID ?? .zero
        case .id(let given): id = given
        }
        let s: StreamValue
        if let stream {
            s = stream
        } else {
            s = StreamValue(key: key)
            keyspace[key] = KeyEntry(value: .stream(s), expiresAt: nil)
        }
        if s.group(group) != nil { return .error(RedisErrors.busyGroup) }
        s.addGroup(ConsumerGroup(name: group, lastID: id))
        return .ok
    }

    func xgroupDestroy(_ key: String, _ group: String) -> RedisReply {
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .missing: return .error(RedisErrors.xgroupNeedsKey)
        case .found(let s):
            guard s.removeGroup(group) != nil else { return .integer(0) }
            signal(key)
            return .integer(1)
        }
    }

    func xgroupDelConsumer(_ key: String, _ group: String, _ consumer: String) -> RedisReply {
        let s: StreamValue
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .missing: return .error(RedisErrors.xgroupNeedsKey)
        case .found(let existing): s = existing
        }
        guard let g = s.group(group) else {
            return .error("NOGROUP No such consumer group '\(RedisText.formatted(group))' for key name '\(RedisText.formatted(key))'")
        }
        guard let c = g.removeConsumer(consumer) else { return .integer(0) }
        let pending = Int64(c.pel.count)
        for (id, _) in c.pel.elements { g.pel.remove(id) }
        return .integer(pending)
    }

    // MARK: XREADGROUP

    func xreadgroup(_ groupName: String, _ consumerName: String, _ streams: [StreamCursor], _ count: Int?, _ block: Int64?, _ noAck: Bool,
                    _ x: inout ExecContext) -> XReadOutcome {
        let argc = 4 + (count == nil ? 0 : 2) + (block == nil ? 0 : 2) + (noAck ? 1 : 0) + 1 + 2 * streams.count
        if argc < 7 { return .reply(.error(RedisErrors.arity("xreadgroup"))) }
        if let block {
            if x.inScript { return .reply(.error("ERR XREADGROUP command is not allowed with BLOCK option from scripts")) }
            if block < 0 { return .reply(.error(RedisErrors.timeoutNegative)) }
        }
        if streams.isEmpty { return .reply(.error(RedisErrors.syntax)) }
        var limit = count ?? 0
        if limit < 0 { limit = 0 }

        // The miner's hot path: one stream, `>`.
        if streams.count == 1, case .undelivered = streams[0].position {
            let key = streams[0].key
            switch lookupStream(key) {
            case .wrongType: return .reply(.error(RedisErrors.wrongType))
            case .missing:
                return .reply(.error("NOGROUP No such key '\(RedisText.formatted(key))' or consumer group '\(RedisText.formatted(groupName))' in XREADGROUP with GROUP option"))
            case .found(let s):
                guard let g = s.group(groupName) else {
                    return .reply(.error("NOGROUP No such key '\(RedisText.formatted(key))' or consumer group '\(RedisText.formatted(groupName))' in XREADGROUP with GROUP option"))
                }
                if let maxID = s.entries.lastID, maxID > g.lastID {
                    let consumer = g.consumer(named: consumerName, now: x.now)
                    let entries = deliverNew(s, g, consumer, after: g.lastID, count: limit, noAck: noAck, now: x.now)
                    return .reply(.array([.array([s.keyReply, .array(entries)])]))
                }
                return block != nil ? .wouldBlock : .reply(.null)
            }
        }

        // Validate every stream and group first.
        var resolved: [(StreamValue, ConsumerGroup)] = []
        resolved.reserveCapacity(streams.count)
        for cursor in streams {
            switch lookupStream(cursor.key) {
            case .wrongType: return .reply(.error(RedisErrors.wrongType))
            case .missing:
                return .reply(.error("NOGROUP No such key '\(RedisText.formatted(cursor.key))' or consumer group '\(RedisText.formatted(groupName))' in XREADGROUP with GROUP option"))
            case .found(let s):
                guard let g = s.group(groupName) else {
                    return .reply(.error("NOGROUP No such key '\(RedisText.formatted(cursor.key))' or consumer group '\(RedisText.formatted(groupName))' in XREADGROUP with GROUP option"))
                }
                resolved.append((s, g))
            }
        }

        var served: [RedisReply] = []
        for (i, cursor) in streams.enumerated() {
            let (s, g) = resolved[i]
            var history: StreamID?
            if case .pending(let after) = cursor.position, after != .max { history = after }
            if let after = history {
                let consumer = g.consumer(named: consumerName, now: x.now)
                let entries = deliverHistory(s, g, consumer, after: after, count: limit, now: x.now)
                served.append(.array([s.keyReply, .array(entries)]))
            } else if let maxID = s.entries.lastID, maxID > g.lastID {
                let consumer = g.consumer(named: consumerName, now: x.now)
                let entries = deliverNew(s, g, consumer, after: g.lastID, count: limit, noAck: noAck, now: x.now)
                served.append(.array([s.keyReply, .array(entries)]))
            }
        }
        if !served.isEmpty { return .reply(.array(served)) }
        if block != nil { return .wouldBlock }
        return .reply(.null)
    }

    /// `streamReplyWithRange` for a group reading `>`: delivers entries after
    /// `after`, advancing the group's cursor and read counter and creating
    /// (or reassigning) pending entries unless NOACK.
    func deliverNew(_ s: StreamValue, _ g: ConsumerGroup, _ consumer: Consumer, after: StreamID, count: Int, noAck: Bool, now: Int64) -> [RedisReply] {
        var out: [RedisReply] = []
        guard let start = after.successor else { return out }
        var slot = s.entries.live(from: s.entries.lowerBound(start))
        while slot < s.entries.endIndex {
            let id = s.entries.id(at: slot)
            let stored = s.entries.value(at: slot)!
            if id > g.lastID {
                if let read = g.entriesRead, !s.hasTombstones(from: id) {
                    g.entriesRead = read + 1
                } else if s.entriesAdded > 0 {
                    g.entriesRead = s.estimateEntriesRead(at: id)
                }
                g.lastID = id
            }
            out.append(stored.reply(id))
            if !noAck {
                if let pslot = g.pel.slot(of: id) {
                    var rec = g.pel.value(at: pslot)!
                    rec.consumer.pel.remove(id)
                    rec.consumer = consumer
                    rec.deliveryTime = now
                    rec.deliveryCount = 1
                    g.pel.setValue(rec, at: pslot)
                    consumer.pel.insert(id, true)
                } else {
                    g.pel.insert(id, PendingRecord(consumer: consumer, deliveryTime: now, deliveryCount: 1))
                    consumer.pel.insert(id, true)
                }
            }
            if count > 0 && out.count == count { break }
            slot = s.entries.live(from: slot + 1)
        }
        return out
    }

    /// `streamReplyWithRangeFromConsumerPEL`: the consumer's own pending
    /// entries after `after`; entries deleted from the stream come back as
    /// `[id, nil]` and keep their delivery data.
    func deliverHistory(_ s: StreamValue, _ g: ConsumerGroup, _ consumer: Consumer, after: StreamID, count: Int, now: Int64) -> [RedisReply] {
        var out: [RedisReply] = []
        // streamIncrID of the maximum id fails and leaves it unchanged.
        let start = after.successor ?? after
        var slot = consumer.pel.live(from: consumer.pel.lowerBound(start))
        while slot < consumer.pel.endIndex, count == 0 || out.count < count {
            let id = consumer.pel.id(at: slot)
            if let stored = s.entries[id] {
                out.append(stored.reply(id))
                if let pslot = g.pel.slot(of: id) {
                    var rec = g.pel.value(at: pslot)!
                    rec.deliveryTime = now
                    rec.deliveryCount += 1
                    g.pel.setValue(rec, at: pslot)
                }
            } else {
                out.append(.array([.bulk(RedisText.idBytes(id)), .null]))
            }
            slot = consumer.pel.live(from: slot + 1)
        }
        return out
    }

    // MARK: XACK / XPENDING

    func xack(_ key: String, _ group: String, _ ids: [StreamID]) -> RedisReply {
        if ids.isEmpty { return .error(RedisErrors.arity("xack")) }
        let s: StreamValue
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .missing: return .integer(0)
        case .found(let existing): s = existing
        }
        guard let g = s.group(group) else { return .integer(0) }
        var acked: Int64 = 0
        for id in ids {
            if let rec = g.pel.remove(id) {
                rec.consumer.pel.remove(id)
                acked += 1
            }
        }
        return .integer(acked)
    }

    func xpendingSummary(_ key: String, _ group: String) -> RedisReply {
        let g: ConsumerGroup
        switch lookupGroup(key, group) {
        case .failed(let reply): return reply
        case .found(_, let found): g = found
        }
        guard let first = g.pel.firstID, let last = g.pel.lastID else {
            return .array([.integer(0), .null, .null, .null])
        }
        var rows: [RedisReply] = []
        for c in g.sortedConsumers where c.pel.count > 0 {
            rows.append(.array([.bulk(Array(c.name.utf8)), .bulk(RedisText.decimal(Int64(c.pel.count)))]))
        }
        return .array([.integer(Int64(g.pel.count)), .bulk(RedisText.idBytes(first)), .bulk(RedisText.idBytes(last)), .array(rows)])
    }

    func xpending(_ key: String, _ group: String, _ minIdle: Int64?, _ start: StreamID, _ end: StreamID, _ count: Int, _ consumerName: String?,
                  _ now: Int64) -> RedisReply {
        var remaining = Swift.max(0, count)
        let g: ConsumerGroup
        switch lookupGroup(key, group) {
        case .failed(let reply): return reply
        case .found(_, let found): g = found
        }
        var consumer: Consumer?
        if let consumerName {
            guard let c = g.existingConsumer(consumerName) else { return .array([]) }
            consumer = c
        }
        let idle = minIdle ?? 0
        var out: [RedisReply] = []
        func emit(_ id: StreamID, _ rec: PendingRecord) {
            if idle != 0 && now &- rec.deliveryTime < idle { return }
            remaining -= 1
            out.append(.array([.bulk(RedisText.idBytes(id)), .bulk(Array(rec.consumer.name.utf8)),
                               .integer(Swift.max(0, now &- rec.deliveryTime)), .integer(rec.deliveryCount)]))
        }
        if let consumer {
            var slot = consumer.pel.live(from: consumer.pel.lowerBound(start))
            while remaining > 0, slot < consumer.pel.endIndex {
                let id = consumer.pel.id(at: slot)
                if id > end { break }
                if let rec = g.pel[id] { emit(id, rec) }
                slot = consumer.pel.live(from: slot + 1)
            }
        } else {
            var slot = g.pel.live(from: g.pel.lowerBound(start))
            while remaining > 0, slot < g.pel.endIndex {
                let id = g.pel.id(at: slot)
                if id > end { break }
                emit(id, g.pel.value(at: slot)!)
                slot = g.pel.live(from: slot + 1)
            }
        }
        return .array(out)
    }

    // MARK: XCLAIM / XAUTOCLAIM

    func xclaim(_ key: String, _ group: String, _ consumerName: String, _ minIdleArg: Int64, _ ids: [StreamID], _ options: ClaimOptions,
                _ now: Int64) -> RedisReply {
        let argc = 5 + ids.count + (options.idleMilliseconds == nil ? 0 : 2) + (options.retryCount == nil ? 0 : 2)
            + (options.force ? 1 : 0) + (options.justID ? 1 : 0)
        if argc < 6 { return .error(RedisErrors.arity("xclaim")) }
        let s: StreamValue
        let g: ConsumerGroup
        switch lookupGroup(key, group) {
        case .failed(let reply): return reply
        case .found(let fs, let fg): (s, g) = (fs, fg)
        }
        let minIdle = Swift.max(0, minIdleArg)
        var deliveryTime = now
        if let idle = options.idleMilliseconds {
            let (t, overflow) = now.subtractingReportingOverflow(idle)
            deliveryTime = (overflow || t < 0 || t > now) ? now : t
        }
        let retry = options.retryCount ?? -1
        var consumer: Consumer?
        var out: [RedisReply] = []
        for id in ids {
            let pslot = g.pel.slot(of: id)
            guard let stored = s.entries[id] else {
                if let pslot, let rec = g.pel.remove(at: pslot) { rec.consumer.pel.remove(id) }
                continue
            }
            var rec: PendingRecord
            var forced = false
            if let pslot {
                rec = g.pel.value(at: pslot)!
                if minIdle != 0 && now &- rec.deliveryTime < minIdle { continue }
            } else if options.force {
                // FORCE creates the pending entry (delivery count 1, no owner yet).
                forced = true
                rec = PendingRecord(consumer: consumer ?? g.consumer(named: consumerName, now: now), deliveryTime: now, deliveryCount: 1)
            } else {
                continue
            }
            let target = consumer ?? g.consumer(named: consumerName, now: now)
            consumer = target
            if !forced && rec.consumer !== target { rec.consumer.pel.remove(id) }
            rec.deliveryTime = deliveryTime
            if retry >= 0 { rec.deliveryCount = retry } else if !options.justID { rec.deliveryCount += 1 }
            rec.consumer = target
            target.pel.insert(id, true)
            g.pel.insert(id, rec)
            out.append(options.justID ? .bulk(stored.idText) : stored.reply(id))
        }
        return .array(out)
    }

    func xautoclaim(_ key: String, _ group: String, _ consumerName: String, _ minIdleArg: Int64, _ start: StreamID, _ countArg: Int?, _ justID: Bool,
                    _ now: Int64) -> RedisReply {
        let minIdle = Swift.max(0, minIdleArg)
        let count = countArg ?? 100
        if count < 1 || count > Int.max / 16 { return .error(RedisErrors.autoclaimCount) }
        let s: StreamValue
        let g: ConsumerGroup
        switch lookupGroup(key, group) {
        case .failed(let reply): return reply
        case .found(let fs, let fg): (s, g) = (fs, fg)
        }
        var attempts = count * 10
        var remaining = count
        var consumer: Consumer?
        var claimed: [RedisReply] = []
        var deleted: [RedisReply] = []
        // Iterate by id (not slot): removals may compact the table.
        var next: StreamID? = start
        var reachedEnd = false
        var lastExamined: StreamID?
        while attempts > 0 {
            attempts -= 1
            if remaining == 0 { break }
            guard let from = next else { reachedEnd = true; break }
            let slot = g.pel.live(from: g.pel.lowerBound(from))
            guard slot < g.pel.endIndex else { reachedEnd = true; break }
            let id = g.pel.id(at: slot)
            var rec = g.pel.value(at: slot)!
            lastExamined = id
            next = id.successor
            guard let stored = s.entries[id] else {
                g.pel.remove(at: slot)
                rec.consumer.pel.remove(id)
                deleted.append(.bulk(RedisText.idBytes(id)))
                remaining -= 1
                continue
            }
            if minIdle != 0 && now &- rec.deliveryTime < minIdle { continue }
            let target = consumer ?? g.consumer(named: consumerName, now: now)
            consumer = target
            if rec.consumer !== target {
                rec.consumer.pel.remove(id)
                target.pel.insert(id, true)
                rec.consumer = target
            }
            rec.deliveryTime = now
            if !justID { rec.deliveryCount += 1 }
            g.pel.setValue(rec, at: slot)
            claimed.append(justID ? .bulk(stored.idText) : stored.reply(id))
            remaining -= 1
        }
        var cursor = StreamID.zero
        if !reachedEnd, let last = lastExamined, let after = last.successor {
            let slot = g.pel.live(from: g.pel.lowerBound(after))
            if slot < g.pel.endIndex { cursor = g.pel.id(at: slot) }
        }
        return .array([.bulk(RedisText.idBytes(cursor)), .array(claimed), .array(deleted)])
    }

    // MARK: XINFO GROUPS

    func xinfoGroups(_ key: String) -> RedisReply {
        let s: StreamValue
        switch lookupStream(key) {
        case .wrongType: return .error(RedisErrors.wrongType)
        case .missing: return .error(RedisErrors.noSuchKey)
        case .found(let found): s = found
        }
        var rows: [RedisReply] = []
        for g in s.sortedGroups {
            rows.append(.array([
                .bulk("name"), .bulk(Array(g.name.utf8)),
                .bulk("consumers"), .integer(Int64(g.consumers.count)),
                .bulk("pending"), .integer(Int64(g.pel.count)),
                .bulk("last-delivered-id"), .bulk(RedisText.idBytes(g.lastID)),
                .bulk("entries-read"), g.entriesRead.map { .integer($0) } ?? .null,
                .bulk("lag"), s.lag(of: g).map { .integer($0) } ?? .null,
            ]))
        }
        return .array(rows)
    }
}
