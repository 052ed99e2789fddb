import RelayRuntime

/// One stream entry as stored: the field/value pairs exactly as XADD gave
/// them (sharing the command's buffers) and the printed id (shared with
/// XADD's reply); the reply arrays are built when the entry is read.
struct StoredEntry {
    let idText: [UInt8]
    let fields: [FieldValue]

    /// `[id, [field, value, …]]`, as XRANGE/XREADGROUP/XCLAIM send it.
    func reply(_ id: StreamID) -> RedisReply {
        var flat: [RedisReply] = []
        flat.reserveCapacity(fields.count * 2)
        for f in fields {
            flat.append(.bulk(f.field))
            flat.append(.bulk(f.value))
        }
        return .array([.bulk(idText), .array(flat)])
    }
}

/// Redis stores a stream as a radix tree of listpack "nodes" of at most
/// `stream-node-max-entries` (100) entries or `stream-node-max-bytes` (4096)
/// bytes. Only approximate trimming (`~`) can observe node boundaries (it
/// removes whole nodes only), so the model keeps each node's bookkeeping —
/// master id and fields, live/deleted counts, exact listpack byte size — and
/// reproduces `~` exactly instead of approximating the approximation.
struct StreamNode {
    let masterID: StreamID
    let masterFields: [[UInt8]]
    var live: Int
    var deleted: Int
    /// `lpBytes` of the node's listpack.
    var bytes: Int
    /// Id of the last entry appended to this node (live or deleted).
    var lastID: StreamID
}

/// Sizes of listpack elements (listpack.c of Redis 7.0).
enum Listpack {
    static let nodeMaxEntries = 100
    static let nodeMaxBytes = 4096
    /// `lpNew`: 6-byte header + end byte.
    static let emptyBytes = 7

    static func backlenSize(_ l: Int) -> Int {
        if l <= 127 { return 1 }
        if l < 16383 { return 2 }
        if l < 2_097_151 { return 3 }
        if l < 268_435_455 { return 4 }
        return 5
    }

    static func integerEncodingSize(_ v: Int64) -> Int {
        if v >= 0 && v <= 127 { return 1 }
        if v >= -4096 && v <= 4095 { return 2 }
        if v >= -32768 && v <= 32767 { return 3 }
        if v >= -8_388_608 && v <= 8_388_607 { return 4 }
        if v >= -2_147_483_648 && v <= 2_147_483_647 { return 5 }
        return 9
    }

    static func integerElementSize(_ v: Int64) -> Int {
        let e = integerEncodingSize(v)
        return e + backlenSize(e)
    }

    /// Strings that look like integers are stored as integers.
    static func elementSize(_ s: [UInt8]) -> Int {
        if let v = RedisText.parseInt64(s) { return integerElementSize(v) }
        let e: Int
        if s.count < 64 { e = 1 + s.count }
        else if s.count < 4096 { e = 2 + s.count }
        else { e = 5 + s.count }
        return e + backlenSize(e)
    }
}

/// A Redis stream: entries, node bookkeeping, the counters Redis 7.0 keeps
/// for lag (`entries-added`, `max-deleted-entry-id`, first id) and the
/// consumer groups.
final class StreamValue {
    /// `.bulk(key)` for XREADGROUP replies.
    let keyReply: RedisReply
    @exclusivity(unchecked) var entries = IDTable<StoredEntry>()
    @exclusivity(unchecked) var nodes: [StreamNode] = []
    @exclusivity(unchecked) var lastID = StreamID.zero
    @exclusivity(unchecked) var entriesAdded: Int64 = 0
    @exclusivity(unchecked) var maxDeletedID = StreamID.zero
    /// Groups by name; replies list them sorted by name bytes (Redis keeps them in a radix tree).
    @exclusivity(unchecked) private(set) var groups: [String: ConsumerGroup] = [:]
    /// One-entry lookup cache (a miner asks for the same group every time).
    @exclusivity(unchecked) private var lastGroup: ConsumerGroup?

    init(key: String) {
        keyReply = .bulk(Array(key.utf8))
    }

    func group(_ name: String) -> ConsumerGroup? {
        if let g = lastGroup, g.name == name { return g }
        let g = groups[name]
        if g != nil { lastGroup = g }
        return g
    }

    func addGroup(_ g: ConsumerGroup) {
        groups[g.name] = g
    }

    @discardableResult
    func removeGroup(_ name: String) -> ConsumerGroup? {
        if lastGroup?.name == name { lastGroup = nil }
        return groups.removeValue(forKey: name)
    }

    var length: Int { entries.count }

    /// Redis's `s->first_id`: the first live entry, 0-0 when empty.
    var firstID: StreamID { entries.firstID ?? .zero }

    var sortedGroups: [ConsumerGroup] {
        groups.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    // MARK: Append (streamAppendItem)

    /// Appends an entry with an id already validated to be greater than
    /// `lastID`; returns the printed id.
    func append(_ id: StreamID, fields: [FieldValue]) -> [UInt8] {
        var totalElementBytes = 0
        for f in fields { totalElementBytes += f.field.count + f.value.count }

        var useTail = false
        if var tail = nodes.last {
            useTail = true
            if tail.bytes + totalElementBytes >= Listpack.nodeMaxBytes { useTail = false }
            else if tail.live + tail.deleted >= Listpack.nodeMaxEntries { useTail = false }
            if useTail {
                let sameFields = fields.count == tail.masterFields.count
                    && zip(fields, tail.masterFields).allSatisfy { $0.field == $1 }
                tail.bytes += Self.entryBytes(id: id, master: tail.masterID, fields: fields, sameFields: sameFields)
                tail.live += 1
                tail.lastID = id
                nodes[nodes.count - 1] = tail
            }
        }
        if !useTail {
            var bytes = Listpack.emptyBytes
            bytes += Listpack.integerElementSize(1) // count
            bytes += Listpack.integerElementSize(0) // deleted
            bytes += Listpack.integerElementSize(Int64(fields.count))
            for f in fields { bytes += Listpack.elementSize(f.field) }
            bytes += Listpack.integerElementSize(0) // master terminator
            bytes += Self.entryBytes(id: id, master: id, fields: fields, sameFields: true)
            nodes.append(StreamNode(masterID: id, masterFields: fields.map(\.field), live: 1, deleted: 0, bytes: bytes, lastID: id))
        }

        let text = RedisText.idBytes(id)
        entries.insert(id, StoredEntry(idText: text, fields: fields))
        entriesAdded += 1
        lastID = id
        return text
    }

    private static func entryBytes(id: StreamID, master: StreamID, fields: [FieldValue], sameFields: Bool) -> Int {
        var n = 0
        let flags: Int64 = sameFields ? 2 : 0
        n += Listpack.integerElementSize(flags)
        n += Listpack.integerElementSize(Int64(bitPattern: id.milliseconds &- master.milliseconds))
        n += Listpack.integerElementSize(Int64(bitPattern: id.sequence &- master.sequence))
        if !sameFields { n += Listpack.integerElementSize(Int64(fields.count)) }
        for f in fields {
            if !sameFields { n += Listpack.elementSize(f.field) }
            n += Listpack.elementSize(f.value)
        }
        var lpCount = Int64(fields.count) + 3
        if !sameFields { lpCount += Int64(fields.count) + 1 }
        n += Listpack.integerElementSize(lpCount)
        return n
    }

    // MARK: Delete (streamDeleteItem)

    /// Index of the node whose id range holds `id`.
    private func nodeIndex(of id: StreamID) -> Int? {
        var lo = 0
        var hi = nodes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if nodes[mid].masterID <= id { lo = mid + 1 } else { hi = mid }
        }
        let i = lo - 1
        guard i >= 0, id <= nodes[i].lastID else { return nil }
        return i
    }

    /// XDEL of one id: marks it deleted in its node (freeing the node when it
    /// was the node's last live entry). Returns whether it existed.
    func delete(_ id: StreamID) -> Bool {
        guard entries.remove(id) != nil else { return false }
        if let n = nodeIndex(of: id) {
            if nodes[n].live == 1 {
                nodes.remove(at: n)
            } else {
                nodes[n].live -= 1
                nodes[n].deleted += 1
            }
        }
        return true
    }

    // MARK: Trim (streamTrim)

    /// Trims like `streamTrim` and returns the number of entries removed.
    func trim(_ trim: StreamTrim) -> Int {
        let approximate: Bool
        let maxLength: Int?
        let minID: StreamID?
        switch trim {
        case .maxLength(let n, let approx): approximate = approx; maxLength = n; minID = nil
        case .minID(let id, let approx): approximate = approx; maxLength = nil; minID = id
        }
        // Approximate trimming does at most 100 nodes' worth of work per call.
        let limit = approximate ? 100 * Listpack.nodeMaxEntries : 0
        var removed = 0
        while let node = nodes.first {
            if let maxLength, length <= maxLength { break }
            if limit > 0 && removed + node.live > limit { break }
            let removeNode: Bool
            if let maxLength {
                removeNode = length - node.live >= maxLength
            } else {
                removeNode = node.lastID < minID!
            }
            if removeNode {
                removeEntries(through: node.lastID)
                removed += node.live
                nodes.removeFirst()
                continue
            }
            if approximate { break }
            // Exact: mark entries of this node deleted, oldest first, until
            // done. They are always the stream's first live entries (a
            // removal may compact the table, so no slot index is kept).
            var marked = 0
            while let slot = entries.firstSlot {
                let id = entries.id(at: slot)
                if id > node.lastID { break }
                if let maxLength {
                    if length <= maxLength { break }
                } else if id >= minID! {
                    break
                }
                entries.remove(at: slot)
                marked += 1
            }
            nodes[0].live -= marked
            nodes[0].deleted += marked
            removed += marked
            break
        }
        return removed
    }

    private func removeEntries(through last: StreamID) {
        while let slot = entries.firstSlot, entries.id(at: slot) <= last {
            entries.remove(at: slot)
        }
    }

    // MARK: Lag bookkeeping (Redis 7.0 t_stream.c)

    /// `streamRangeHasTombstones(s, start, NULL)`.
    func hasTombstones(from start: StreamID) -> Bool {
        if length == 0 || maxDeletedID == .zero { return false }
        if firstID > maxDeletedID { return false }
        return start <= maxDeletedID
    }

    /// `streamEstimateDistanceFromFirstEverEntry`; nil for Redis's "invalid".
    func estimateEntriesRead(at id: StreamID) -> Int64? {
        if entriesAdded == 0 { return 0 }
        if length == 0 && id <= lastID { return entriesAdded }
        if id == lastID { return entriesAdded }
        if id > lastID { return nil }
        let first = firstID
        if maxDeletedID == .zero || maxDeletedID < first {
            if id < first { return entriesAdded - Int64(length) }
            if id == first { return entriesAdded - Int64(length) + 1 }
        }
        return nil
    }

    /// `streamReplyWithCGLag`; nil is a null reply.
    func lag(of group: ConsumerGroup) -> Int64? {
        if entriesAdded == 0 { return 0 }
        if let read = group.entriesRead, !hasTombstones(from: group.lastID) {
            return entriesAdded - read
        }
        if let read = estimateEntriesRead(at: group.lastID) { return entriesAdded - read }
        return nil
    }
}

/// A consumer group: its delivery cursor, read counter and pending entries.
final class ConsumerGroup {
    let name: String
    @exclusivity(unchecked) var lastID: StreamID
    /// Redis's `entries_read`; nil is SCG_INVALID_ENTRIES_READ (-1).
    @exclusivity(unchecked) var entriesRead: Int64?
    /// The group PEL, by id.
    @exclusivity(unchecked) var pel = IDTable<PendingRecord>()
    @exclusivity(unchecked) private(set) var consumers: [String: Consumer] = [:]
    @exclusivity(unchecked) private var lastConsumer: Consumer?

    init(name: String, lastID: StreamID) {
        self.name = name
        self.lastID = lastID
    }

    var sortedConsumers: [Consumer] {
        consumers.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Looks the consumer up (refreshing its seen-time) or creates it.
    func consumer(named name: String, now: Int64) -> Consumer {
        if let c = lastConsumer, c.name == name {
            c.seenTime = now
            return c
        }
        if let c = consumers[name] {
            c.seenTime = now
            lastConsumer = c
            return c
        }
        let c = Consumer(name: name, seenTime: now)
        consumers[name] = c
        lastConsumer = c
        return c
    }

    func existingConsumer(_ name: String) -> Consumer? {
        if let c = lastConsumer, c.name == name { return c }
        return consumers[name]
    }

    func removeConsumer(_ name: String) -> Consumer? {
        if lastConsumer?.name == name { lastConsumer = nil }
        return consumers.removeValue(forKey: name)
    }
}

/// One pending entry (Redis's NACK).
struct PendingRecord {
    var consumer: Consumer
    /// Unix milliseconds of the last delivery.
    var deliveryTime: Int64
    var deliveryCount: Int64
}

final class Consumer {
    let name: String
    @exclusivity(unchecked) var seenTime: Int64
    /// This consumer's pending ids (the values live in the group PEL).
    @exclusivity(unchecked) var pel = IDTable<Bool>()

    init(name: String, seenTime: Int64) {
        self.name = name
        self.seenTime = seenTime
    }
}
