import Foundation
import RelayRuntime

/// A client blocked in `XREADGROUP … BLOCK` (always on `>` cursors: reads
/// of a consumer's own history never block).
final class BlockedReader: @unchecked Sendable {
    let sequence: UInt64
    let connection: UInt64
    let keys: [String]
    let group: String
    let consumer: String
    /// Entries per wake-up (Redis uses 1000 when COUNT is absent or 0).
    let count: Int
    let noAck: Bool
    /// When BLOCK times out; nil for BLOCK 0 (forever).
    let deadline: RuntimeInstant?

    /// Set once, under the model's lock.
    var outcome: Result<RedisReply, RedisError>?

    private let signalLock = NSLock()
    private var signalled = false
    private var continuation: CheckedContinuation<Void, Never>?

    init(sequence: UInt64, connection: UInt64, keys: [String], group: String, consumer: String, count: Int, noAck: Bool, deadline: RuntimeInstant?) {
        self.sequence = sequence
        self.connection = connection
        self.keys = keys
        self.group = group
        self.consumer = consumer
        self.count = count
        self.noAck = noAck
        self.deadline = deadline
    }

    /// Wakes the waiting client (idempotent).
    func signal() {
        signalLock.lock()
        signalled = true
        let c = continuation
        continuation = nil
        signalLock.unlock()
        c?.resume()
    }

    /// Returns once signalled, or when the calling task is cancelled.
    func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                signalLock.lock()
                if signalled || Task.isCancelled {
                    signalLock.unlock()
                    c.resume()
                    return
                }
                continuation = c
                signalLock.unlock()
            }
        } onCancel: {
            signalLock.lock()
            let c = continuation
            continuation = nil
            signalLock.unlock()
            c?.resume()
        }
    }
}

/// One pub/sub subscription of one connection.
final class ModelSubscriber: @unchecked Sendable {
    let id: UInt64
    let connection: UInt64
    let channels: [String]
    let continuation: AsyncStream<PubSubMessage>.Continuation

    init(id: UInt64, connection: UInt64, channels: [String], continuation: AsyncStream<PubSubMessage>.Continuation) {
        self.id = id
        self.connection = connection
        self.channels = channels
        self.continuation = continuation
    }
}

extension RedisModel {
    enum Begin {
        case reply(RedisReply)
        case blocked(BlockedReader)
    }

    /// Runs a command for a connection: like `execute`, except that a
    /// blocking XREADGROUP with nothing to read registers a reader instead.
    func begin(_ command: RedisCommand, connection: UInt64) -> Begin {
        lock.lock()
        defer { lock.unlock() }
        let now = nowMilliseconds()
        purgeExpired(now: now)
        var ctx = ExecContext(now: now)
        let result: Begin
        if case .xreadgroup(let group, let consumer, let streams, let count, let block?, let noAck) = command {
            switch xreadgroup(group, consumer, streams, count, block, noAck, &ctx) {
            case .reply(let r):
                result = .reply(r)
            case .wouldBlock:
                readerSequence &+= 1
                let c = (count ?? 0) > 0 ? count! : 1000
                let deadline = block == 0 ? nil : clock.now.advanced(by: .milliseconds(block))
                let reader = BlockedReader(sequence: readerSequence, connection: connection, keys: streams.map(\.key), group: group,
                                           consumer: consumer, count: c, noAck: noAck, deadline: deadline)
                var registered = Set<String>()
                for key in reader.keys where registered.insert(key).inserted {
                    blockedByKey[key, default: []].append(reader)
                }
                result = .blocked(reader)
            }
        } else {
            result = .reply(run(command, &ctx))
        }
        if !readyKeys.isEmpty { serveReadyKeys(now: now) }
        commandsExecuted &+= 1
        return result
    }

    /// Serves readers blocked on signalled keys, FIFO per key, the way
    /// `handleClientsBlockedOnKeys` does after each command.
    func serveReadyKeys(now: Int64) {
        while !readyKeys.isEmpty {
            let keys = readyKeys
            clearReadyKeys()
            for key in keys {
                guard let readers = blockedByKey[key] else { continue }
                for reader in readers where reader.outcome == nil {
                    guard let e = keyspace[key], case .stream(let s) = e.value else {
                        resolve(reader, .success(.error(RedisErrors.unblockedDeleted)))
                        continue
                    }
                    guard let g = s.group(reader.group) else {
                        resolve(reader, .success(.error(RedisErrors.unblockedNoGroup)))
                        continue
                    }
                    if s.lastID > g.lastID {
                        let consumer = g.consumer(named: reader.consumer, now: now)
                        let entries = deliverNew(s, g, consumer, after: g.lastID, count: reader.count, noAck: reader.noAck, now: now)
                        resolve(reader, .success(.array([.array([s.keyReply, .array(entries)])])))
                    }
                }
            }
        }
    }

    /// Records the reader's outcome, unregisters it and wakes its client.
    func resolve(_ reader: BlockedReader, _ outcome: Result<RedisReply, RedisError>) {
        guard reader.outcome == nil else { return }
        reader.outcome = outcome
        for key in reader.keys {
            guard var list = blockedByKey[key] else { continue }
            list.removeAll { $0 === reader }
            if list.isEmpty { blockedByKey.removeValue(forKey: key) } else { blockedByKey[key] = list }
        }
        reader.signal()
    }

    /// Called by the waiting client when it wakes: applies expiry (a blocked
    /// stream that expired unblocks its readers), then the timeout.
    func poll(_ reader: BlockedReader) -> Result<RedisReply, RedisError>? {
        lock.lock()
        defer { lock.unlock() }
        if reader.outcome == nil {
            let now = nowMilliseconds()
            purgeExpired(now: now)
            if !readyKeys.isEmpty { serveReadyKeys(now: now) }
            if reader.outcome == nil, let deadline = reader.deadline, clock.now >= deadline {
                resolve(reader, .success(.null))
            }
        }
        return reader.outcome
    }

    /// When the client should next look at the reader even without a signal:
    /// its timeout, or just after one of its keys expires.
    func wakeDeadline(_ reader: BlockedReader) -> RuntimeInstant? {
        lock.lock()
        defer { lock.unlock() }
        var best = reader.deadline
        if let at = expiryDeadline(of: reader.keys) {
            let wake = RuntimeInstant(unixNanoseconds: (at + 1) * 1_000_000)
            best = best.map { Swift.min($0, wake) } ?? wake
        }
        return best
    }

    /// Ends every blocked read with a null reply, as if its BLOCK timeout had
    /// passed (Redis's `CLIENT UNBLOCK id TIMEOUT`). Returns how many there were.
    @discardableResult
    public func unblockReaders() -> Int {
        lock.lock()
        defer { lock.unlock() }
        var readers: [BlockedReader] = []
        var seen = Set<ObjectIdentifier>()
        for list in blockedByKey.values {
            for r in list where r.outcome == nil && seen.insert(ObjectIdentifier(r)).inserted { readers.append(r) }
        }
        readers.sort { $0.sequence < $1.sequence }
        for r in readers { resolve(r, .success(.null)) }
        return readers.count
    }

    /// Gives up on a reader (cancellation, connection closed); a reply that
    /// was already produced wins.
    func abandon(_ reader: BlockedReader, _ error: RedisError) -> Result<RedisReply, RedisError> {
        lock.lock()
        defer { lock.unlock() }
        resolve(reader, .failure(error))
        return reader.outcome!
    }

    // MARK: Pub/sub

    func publish(_ channel: String, _ message: [UInt8]) -> Int64 {
        guard let subs = channels[channel], !subs.isEmpty else { return 0 }
        if serverFaults.pubSubLoss {
            counters.pubSubMessagesLost += Int64(subs.count)
            return Int64(subs.count)
        }
        let m = PubSubMessage(channel: channel, payload: message)
        for s in subs { s.continuation.yield(m) }
        return Int64(subs.count)
    }

    func addSubscriber(connection: UInt64, channels wanted: [String]) -> (ModelSubscriber, AsyncStream<PubSubMessage>) {
        var unique: [String] = []
        var seen = Set<String>()
        for c in wanted where seen.insert(c).inserted { unique.append(c) }
        let (stream, continuation) = AsyncStream<PubSubMessage>.makeStream(bufferingPolicy: .unbounded)
        subscriberSequence &+= 1
        let sub = ModelSubscriber(id: subscriberSequence, connection: connection, channels: unique, continuation: continuation)
        for c in unique { channels[c, default: []].append(sub) }
        return (sub, stream)
    }

    func removeSubscriber(_ sub: ModelSubscriber) {
        for c in sub.channels {
            guard var list = channels[c] else { continue }
            list.removeAll { $0 === sub }
            if list.isEmpty { channels.removeValue(forKey: c) } else { channels[c] = list }
        }
        sub.continuation.finish()
    }

    /// Drops connections matching `predicate`: their blocked readers fail
    /// with `.connectionLost` and their subscriptions end.
    /// Returns (readers disconnected, subscriptions ended).
    @discardableResult
    func dropConnections(reason: String, where predicate: (UInt64) -> Bool) -> (Int, Int) {
        var readers: [BlockedReader] = []
        var seen = Set<ObjectIdentifier>()
        for list in blockedByKey.values {
            for r in list where r.outcome == nil && predicate(r.connection) && seen.insert(ObjectIdentifier(r)).inserted { readers.append(r) }
        }
        readers.sort { $0.sequence < $1.sequence }
        for r in readers { resolve(r, .failure(.connectionLost(reason))) }
        var subs: [ModelSubscriber] = []
        var seenSubs = Set<UInt64>()
        for list in channels.values {
            for s in list where predicate(s.connection) && seenSubs.insert(s.id).inserted { subs.append(s) }
        }
        subs.sort { $0.id < $1.id }
        for s in subs { removeSubscriber(s) }
        return (readers.count, subs.count)
    }

    func newConnectionID() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        connectionSequence &+= 1
        return connectionSequence
    }
}
