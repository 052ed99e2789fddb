import Foundation
import RelayRuntime

/// One connection of a simulated node to a `RedisModel`: the simulator's
/// implementation of the runtime's Redis port.
///
/// Commands run on the model's synchronous core; only a blocking
/// `XREADGROUP` (and injected latency) suspends, on the model's clock: the
/// wait races `clock.sleep(until:)` (BLOCK timeout, or the expiry of a key it
/// waits on) against the model waking it, inside a task group, so it works
/// with virtual time under `SimKernel.run` and never leaves structured
/// concurrency.
///
/// Like the live client, it refuses a command whose `{hash tag}` keys span
/// several Cluster slots (`RedisCommand.checkClusterSlots`) before it
/// reaches the model, so every scenario and runtime test also checks the
/// runtime's key layout against Redis Cluster's rules.
///
/// Faults for this connection (see `setPartitioned`, `setExtraLatency`,
/// `dropReplies`) come on top of the server's (`RedisModel.setUnavailable`,
/// `restart(persistence:)`, …). After a server restart the client reconnects
/// by itself on its next command, like the live client.
public final class RedisModelClient: RedisClient, @unchecked Sendable {
    public let model: RedisModel
    /// For reports and traces.
    public let name: String
    private let connection: UInt64
    private let lock = NSLock()
    private var closed = false
    private var partitioned = false
    private var extraLatency: Duration = .zero
    private var replyDrops: [ReplyDropFault] = []
    private var counters = RedisFaultCounters()

    public init(model: RedisModel, name: String = "client") {
        self.model = model
        self.name = name
        connection = model.newConnectionID()
    }

    // MARK: RedisClient

    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        try command.checkClusterSlots()
        // `travel(_:)`, inlined: on the hot path one more async call would cost
        // the simulator an executor job per delayed command (and shift traces).
        let way = try admitWithLatency()
        if way.delay > .zero {
            recordDelay(way.delay)
            do {
                try await model.clock.sleep(for: way.delay)
            } catch {
                throw lostInFlight("request cancelled")
            }
            if let reason = brokenReason(way.generation) { throw lostInFlight(reason) }
        }
        let reply: RedisReply
        switch model.begin(command, connection: connection) {
        case .reply(let r):
            reply = r
        case .blocked(let reader):
            reply = try await wait(reader)
        }
        if takeReplyDrop(command) {
            throw .connectionLost("\(name): reply to \(command.name) lost (the command was executed)")
        }
        return reply
    }

    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        try commands.checkClusterSlots() // refused whole, like the live client
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for c in commands { replies.append(try await send(c)) }
        return replies
    }

    public func subscribe(channels: [String]) async throws(RedisError) -> RedisSubscription {
        _ = try admit()
        let (sub, stream) = model.subscribe(connection: connection, channels: channels)
        let model = self.model
        return RedisSubscription(messages: stream, onClose: { model.unsubscribe(sub) })
    }

    public func close() async {
        let first: Bool = locked {
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        _ = model.dropConnection(connection, reason: "\(name): connection closed")
    }

    // MARK: Faults of this connection

    /// Cuts (`true`) or restores (`false`) the network between this client
    /// and the server. While cut, commands and subscribe fail with
    /// `.unavailable`; cutting drops the connection (a blocked read gets
    /// `.connectionLost`, subscriptions end).
    public func setPartitioned(_ on: Bool) {
        let changed: Bool = locked {
            defer { partitioned = on }
            return partitioned != on
        }
        guard changed, on else { return }
        let (readers, subs) = model.dropConnection(connection, reason: "\(name): partitioned from the server")
        locked {
            counters.blockedReadersDisconnected += Int64(readers)
            counters.subscriptionsEnded += Int64(subs)
        }
    }

    /// Every command of this client costs `latency` extra virtual time (on
    /// top of the server's). `.zero` turns it off.
    public func setExtraLatency(_ latency: Duration) {
        locked { extraLatency = latency }
    }

    /// The next `count` commands of this client matching `filter` execute
    /// but lose their reply (`.connectionLost`).
    public func dropReplies(next count: Int, matching filter: RedisCommandFilter = .any) {
        locked { replyDrops.append(ReplyDropFault(remaining: count, filter: filter)) }
    }

    /// Removes this client's faults (not the server's).
    public func clearFaults() {
        locked {
            partitioned = false
            extraLatency = .zero
            replyDrops.removeAll()
        }
    }

    /// What faults did to this connection.
    public var faultCounters: RedisFaultCounters { locked { counters } }

    public var isPartitioned: Bool { locked { partitioned } }

    // MARK: Internals

    private func locked<T>(_ body: () throws(RedisError) -> T) throws(RedisError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// The way to the server: admitted (not closed, partitioned or down) with
    /// this server incarnation, and the latency the command pays.
    struct Way {
        let generation: UInt64
        let delay: Duration
    }

    func admitWithLatency() throws(RedisError) -> Way {
        let admission = try admit()
        return Way(generation: admission.generation, delay: admission.latency + locked { extraLatency })
    }

    private func recordDelay(_ delay: Duration) {
        locked {
            counters.delayedCommands += 1
            counters.addedLatency += delay
        }
    }

    /// Waits out `way.delay`, during which the connection may break (for
    /// admin commands; `send` inlines the same steps). Call it only when
    /// there is a delay.
    func travel(_ way: Way) async throws(RedisError) {
        recordDelay(way.delay)
        do {
            try await model.clock.sleep(for: way.delay)
        } catch {
            throw lostInFlight("request cancelled")
        }
        if let reason = brokenReason(way.generation) { throw lostInFlight(reason) }
    }

    private func admit() throws(RedisError) -> RedisModel.Admission {
        try locked { () throws(RedisError) in
            if closed { throw .unavailable("\(name): connection closed") }
            if partitioned {
                counters.refusedPartitioned += 1
                throw .unavailable("\(name): partitioned from the server")
            }
        }
        guard let admission = model.admit() else {
            locked { counters.refusedUnavailable += 1 }
            throw .unavailable("\(name): server unavailable")
        }
        return admission
    }

    /// Why the connection broke while a delayed command was travelling, if it did.
    private func brokenReason(_ generation: UInt64) -> String? {
        if locked({ closed }) { return "connection closed" }
        if locked({ partitioned }) { return "partitioned from the server" }
        if !model.stillConnected(generation) { return "server went away" }
        return nil
    }

    private func lostInFlight(_ reason: String) -> RedisError {
        locked { counters.lostInFlight += 1 }
        model.recordServerCounters { $0.lostInFlight += 1 }
        return .connectionLost("\(name): \(reason) before the command reached the server")
    }

    private func takeReplyDrop(_ command: RedisCommand) -> Bool {
        let mine: Bool = locked {
            for i in replyDrops.indices where replyDrops[i].take(command) {
                replyDrops.removeAll { $0.remaining <= 0 }
                counters.repliesDropped += 1
                return true
            }
            return false
        }
        if mine { return true }
        if model.takeServerReplyDrop(command) {
            locked { counters.repliesDropped += 1 }
            return true
        }
        return false
    }

    /// Waits for a blocked XREADGROUP to be served, time out, or be dropped.
    private func wait(_ reader: BlockedReader) async throws(RedisError) -> RedisReply {
        let clock = model.clock
        while true {
            if let outcome = model.poll(reader) { return try outcome.get() }
            if Task.isCancelled { return try model.abandon(reader, .connectionLost("\(name): blocked read cancelled")).get() }
            let wake = model.wakeDeadline(reader)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await reader.waitForSignal() }
                if let wake {
                    group.addTask { try? await clock.sleep(untilWallTime: wake) }
                }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }
}
