import RelayRuntime

/// What the injected faults did, for run reports. Server-wide counters live
/// on `RedisModel.faultCounters`, per-connection ones on
/// `RedisModelClient.faultCounters`.
public struct RedisFaultCounters: Sendable, Hashable {
    /// Commands refused with `.unavailable` because the server was down.
    public var refusedUnavailable: Int64 = 0
    /// Commands refused with `.unavailable` because the client was partitioned from the server.
    public var refusedPartitioned: Int64 = 0
    /// Commands that were not executed because their connection broke while they were in flight (`.connectionLost`).
    public var lostInFlight: Int64 = 0
    /// Commands that executed (their effects are in the data) but whose reply was dropped (`.connectionLost`).
    public var repliesDropped: Int64 = 0
    /// Commands delayed by an injected latency, and the virtual time added.
    public var delayedCommands: Int64 = 0
    public var addedLatency: Duration = .zero
    /// Server restarts, and those that lost the data (no persistence).
    public var restarts: Int64 = 0
    public var restartsWithoutPersistence: Int64 = 0
    /// Keys (live, not expired) lost by restarts without persistence.
    public var keysLost: Int64 = 0
    /// Times the server went down (`setUnavailable(true)`).
    public var outages: Int64 = 0
    /// Blocked XREADGROUPs ended with `.connectionLost` by a fault (outage, restart, partition, close).
    public var blockedReadersDisconnected: Int64 = 0
    /// Pub/sub subscriptions ended by a fault (their streams finished).
    public var subscriptionsEnded: Int64 = 0
    /// Pub/sub deliveries (one per receiving subscriber) lost to `setPubSubLoss(true)`.
    public var pubSubMessagesLost: Int64 = 0

    public init() {}
}

/// Which commands a reply-drop fault applies to.
public enum RedisCommandFilter: Sendable {
    case any
    /// Commands whose `RedisCommand.name` is one of these (e.g. `["XADD", "FENCED(HSET)"]`).
    case names(Set<String>)
    case matching(@Sendable (RedisCommand) -> Bool)

    func matches(_ command: RedisCommand) -> Bool {
        switch self {
        case .any: return true
        case .names(let names): return names.contains(command.name)
        case .matching(let predicate): return predicate(command)
        }
    }
}

/// A pending "drop the next N replies" fault.
struct ReplyDropFault {
    var remaining: Int
    var filter: RedisCommandFilter

    /// Consumes one drop if `command` matches.
    mutating func take(_ command: RedisCommand) -> Bool {
        guard remaining > 0, filter.matches(command) else { return false }
        remaining -= 1
        return true
    }
}

struct ServerFaultState {
    var unavailable = false
    var extraLatency: Duration = .zero
    var replyDrops: [ReplyDropFault] = []
    var pubSubLoss = false
    /// Incremented whenever every connection is dropped (outage, restart).
    var generation: UInt64 = 0
}

/// Server-wide faults. All are deterministic: they take effect exactly when
/// called (a scenario's fault timeline calls them at virtual instants) and
/// hold until changed.
extension RedisModel {
    /// Takes the server down (`true`) or brings it back (`false`). While down,
    /// every command and subscribe fails with `.unavailable`; going down drops
    /// every connection (blocked readers get `.connectionLost`, subscriptions
    /// end). Data is kept — combine with `restart(persistence:)` to lose it.
    public func setUnavailable(_ unavailable: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard unavailable != serverFaults.unavailable else { return }
        serverFaults.unavailable = unavailable
        if unavailable {
            counters.outages += 1
            dropAllConnections(reason: "server unavailable")
        }
    }

    /// Restarts the server: every connection drops (blocked readers get
    /// `.connectionLost`, subscriptions end). With `persistence` every key
    /// survives (an AOF with fsync always); without, the data set is empty
    /// afterwards. The server is up after the call (also if it was down).
    /// Returns the number of keys lost.
    @discardableResult
    public func restart(persistence: Bool) -> Int {
        lock.lock()
        defer { lock.unlock() }
        purgeExpired(now: nowMilliseconds())
        counters.restarts += 1
        dropAllConnections(reason: "server restarted")
        serverFaults.unavailable = false
        guard !persistence else { return 0 }
        counters.restartsWithoutPersistence += 1
        let lost = keyspace.count
        counters.keysLost += Int64(lost)
        forgetCachedStream()
        keyspace.removeAll()
        expiries.removeAll()
        clearReadyKeys()
        return lost
    }

    /// Every command costs `latency` extra virtual time (paid by the client
    /// before the command reaches the server). `.zero` turns it off.
    public func setExtraLatency(_ latency: Duration) {
        lock.lock()
        serverFaults.extraLatency = latency
        lock.unlock()
    }

    /// The next `count` commands matching `filter`, from any client, execute
    /// but lose their reply: the client gets `.connectionLost`.
    public func dropReplies(next count: Int, matching filter: RedisCommandFilter = .any) {
        lock.lock()
        serverFaults.replyDrops.append(ReplyDropFault(remaining: count, filter: filter))
        lock.unlock()
    }

    /// While on, every PUBLISH is answered as usual (the receiver count a
    /// real server reports) but no subscriber sees the message: pub/sub's
    /// at-most-once delivery at its worst (a subscriber's output buffer
    /// overflowing, a proxy dropping frames). Subscriptions stay open.
    public func setPubSubLoss(_ on: Bool) {
        lock.lock()
        serverFaults.pubSubLoss = on
        lock.unlock()
    }

    /// Removes every pending fault and brings the server up (data untouched).
    public func clearFaults() {
        lock.lock()
        serverFaults.unavailable = false
        serverFaults.extraLatency = .zero
        serverFaults.replyDrops.removeAll()
        serverFaults.pubSubLoss = false
        lock.unlock()
    }

    public var isAvailable: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !serverFaults.unavailable
    }

    /// What the server-wide faults did so far.
    public var faultCounters: RedisFaultCounters {
        lock.lock()
        defer { lock.unlock() }
        return counters
    }

    /// Keys removed because their TTL passed.
    public var expiredKeyCount: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return keysExpired
    }

    // MARK: Internal hooks for the client

    private func dropAllConnections(reason: String) {
        serverFaults.generation &+= 1
        let (readers, subs) = dropConnections(reason: reason) { _ in true }
        counters.blockedReadersDisconnected += Int64(readers)
        counters.subscriptionsEnded += Int64(subs)
    }

    struct Admission {
        let generation: UInt64
        let latency: Duration
    }

    /// Whether a command may be sent now, and the latency it pays.
    func admit() -> Admission? {
        lock.lock()
        defer { lock.unlock() }
        if serverFaults.unavailable {
            counters.refusedUnavailable += 1
            return nil
        }
        return Admission(generation: serverFaults.generation, latency: serverFaults.extraLatency)
    }

    /// Still the same server incarnation and up?
    func stillConnected(_ generation: UInt64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return !serverFaults.unavailable && serverFaults.generation == generation
    }

    func takeServerReplyDrop(_ command: RedisCommand) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        for i in serverFaults.replyDrops.indices where serverFaults.replyDrops[i].take(command) {
            serverFaults.replyDrops.removeAll { $0.remaining <= 0 }
            counters.repliesDropped += 1
            return true
        }
        return false
    }

    func recordServerCounters(_ update: (inout RedisFaultCounters) -> Void) {
        lock.lock()
        update(&counters)
        lock.unlock()
    }

    func dropConnection(_ id: UInt64, reason: String) -> (Int, Int) {
        lock.lock()
        defer { lock.unlock() }
        return dropConnections(reason: reason) { $0 == id }
    }

    func subscribe(connection: UInt64, channels: [String]) -> (ModelSubscriber, AsyncStream<PubSubMessage>) {
        lock.lock()
        defer { lock.unlock() }
        return addSubscriber(connection: connection, channels: channels)
    }

    func unsubscribe(_ sub: ModelSubscriber) {
        lock.lock()
        defer { lock.unlock() }
        removeSubscriber(sub)
    }
}
