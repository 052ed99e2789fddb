/// XPENDING summary form.
public struct PendingSummary: Sendable, Hashable {
    public let count: Int64
    public let smallestID: StreamID?
    public let greatestID: StreamID?
    /// (consumer, pending count), in the server's order (sorted by name).
    public let consumers: [ConsumerPending]

    public init(count: Int64, smallestID: StreamID?, greatestID: StreamID?, consumers: [ConsumerPending]) {
        self.count = count
        self.smallestID = smallestID
        self.greatestID = greatestID
        self.consumers = consumers
    }
}

public struct ConsumerPending: Sendable, Hashable {
    public let consumer: String
    public let count: Int64

    public init(consumer: String, count: Int64) {
        self.consumer = consumer
        self.count = count
    }
}

/// One row of the extended XPENDING form.
public struct PendingEntry: Sendable, Hashable {
    public let id: StreamID
    public let consumer: String
    public let idleMilliseconds: Int64
    public let deliveries: Int64

    public init(id: StreamID, consumer: String, idleMilliseconds: Int64, deliveries: Int64) {
        self.id = id
        self.consumer = consumer
        self.idleMilliseconds = idleMilliseconds
        self.deliveries = deliveries
    }
}

/// XAUTOCLAIM reply (Redis ≥ 7 form with deleted ids).
public struct AutoClaimResult: Sendable, Hashable {
    /// Cursor for the next call; `0-0` when the scan is complete.
    public let next: StreamID
    public let entries: [StreamEntry]
    /// Pending ids whose entries no longer exist; Redis removed them from the PEL.
    public let deletedIDs: [StreamID]

    public init(next: StreamID, entries: [StreamEntry], deletedIDs: [StreamID]) {
        self.next = next
        self.entries = entries
        self.deletedIDs = deletedIDs
    }
}

/// XREADGROUP result for one stream.
public struct StreamRead: Sendable, Hashable {
    public let key: String
    public let entries: [StreamEntry]

    public init(key: String, entries: [StreamEntry]) {
        self.key = key
        self.entries = entries
    }
}

/// One row of XINFO GROUPS (fields present in Redis 7.0).
public struct GroupInfo: Sendable, Hashable {
    public let name: String
    public let consumers: Int64
    public let pending: Int64
    public let lastDeliveredID: StreamID
    public let entriesRead: Int64?
    public let lag: Int64?

    public init(name: String, consumers: Int64, pending: Int64, lastDeliveredID: StreamID, entriesRead: Int64?, lag: Int64?) {
        self.name = name
        self.consumers = consumers
        self.pending = pending
        self.lastDeliveredID = lastDeliveredID
        self.entriesRead = entriesRead
        self.lag = lag
    }
}
