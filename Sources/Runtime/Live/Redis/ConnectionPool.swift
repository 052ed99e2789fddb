import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime

/// The client's connections: up to `maxConnections` shared (multiplexed)
/// connections for ordinary commands, plus dedicated connections leased one
/// caller at a time for server-side blocking commands.
///
/// Shared connections are multiplexed rather than leased because Redis
/// answers in order: concurrent callers' requests simply queue on the
/// least-busy connection, so nobody waits for a free connection and a burst
/// of callers pipelines naturally. A blocking XREADGROUP on such a connection
/// would stall everything queued behind it, hence the dedicated ones.
///
/// Connections are opened lazily, removed as soon as their channel closes,
/// and reconnects are paced by `ReconnectBackoff`.
final class ConnectionPool: Sendable {
    private let connector: RedisConnector
    private let maxConnections: Int
    private let maxIdleDedicated: Int
    private let state: NIOLockedValueBox<State>

    private struct Slot {
        let connection: RedisConnection
        var inFlight: Int
    }

    private enum WaitOutcome {
        case connection(RedisConnection)
        case failed(RedisError)
        case retry
    }

    private enum Decision {
        case use(RedisConnection)
        case connect
        case wait
        case fail(RedisError)
    }

    private struct State {
        var slots: [Slot] = []
        var connecting = 0
        var waiters: [UnsafeContinuation<WaitOutcome, Never>] = []
        var dedicatedIdle: [RedisConnection] = []
        var dedicated: [ObjectIdentifier: RedisConnection] = [:]
        var backoff: ReconnectBackoff
        var closed = false
        var connectionsOpened = 0
        var connectFailures = 0
    }

    init(connector: RedisConnector) {
        self.connector = connector
        let configuration = connector.configuration
        maxConnections = configuration.maxConnections
        maxIdleDedicated = configuration.maxIdleDedicatedConnections
        state = NIOLockedValueBox(State(backoff: ReconnectBackoff(policy: configuration.reconnectBackoff)))
    }

    deinit {
        let connections = state.withLockedValue { s in s.slots.map(\.connection) + Array(s.dedicated.values) }
        for connection in connections { connection.channel.close(promise: nil) }
    }

    private var closedError: RedisError { .unavailable("\(connector.endpoint): client closed") }

    // MARK: Shared connections

    /// A connection to send on; `checkin` it when the request has completed.
    func checkout() async throws(RedisError) -> RedisConnection {
        while true {
            let decision = state.withLockedValue { s in decide(&s, now: .now()) }
            switch decision {
            case .use(let connection):
                return connection
            case .fail(let error):
                throw error
            case .connect:
                switch await openShared() {
                case .success(let connection): return connection
                case .failure(let error): throw error.redisError
                }
            case .wait:
                let outcome = await withUnsafeContinuation { (continuation: UnsafeContinuation<WaitOutcome, Never>) in
                    let registered = state.withLockedValue { s in
                        guard s.connecting > 0, !s.closed else { return false }
                        s.waiters.append(continuation)
                        return true
                    }
                    if !registered { continuation.resume(returning: .retry) }
                }
                switch outcome {
                case .connection(let connection): return connection
                case .failed(let error): throw error
                case .retry: continue
                }
            }
        }
    }

    private func decide(_ s: inout State, now: NIODeadline) -> Decision {
        if s.closed { return .fail(closedError) }
        s.slots.removeAll { !$0.connection.isActive }
        var best: Int?
        for i in s.slots.indices where best == nil || s.slots[i].inFlight < s.slots[best!].inFlight { best = i }
        if let b = best, s.slots[b].inFlight == 0 {
            s.slots[b].inFlight += 1
            return .use(s.slots[b].connection)
        }
        if s.slots.count + s.connecting < maxConnections {
            if let gated = s.backoff.gate(now: now) {
                guard let b = best else { return .fail(gated) }
                s.slots[b].inFlight += 1
                return .use(s.slots[b].connection)
            }
            s.connecting += 1
            return .connect
        }
        if let b = best {
            s.slots[b].inFlight += 1
            return .use(s.slots[b].connection)
        }
        return .wait
    }

    /// Marks one request on `connection` as finished.
    func checkin(_ connection: RedisConnection) {
        state.withLockedValue { s in
            if let i = s.slots.firstIndex(where: { $0.connection === connection }) { s.slots[i].inFlight -= 1 }
        }
    }

    /// Drops a connection found dead before it could be used.
    func discard(_ connection: RedisConnection) {
        state.withLockedValue { s in s.slots.removeAll { $0.connection === connection } }
        connection.channel.close(promise: nil)
    }

    /// Opens the first connection now, reporting setup errors (credentials,
    /// database) in full rather than in the port's vocabulary.
    func warmUp() async -> LiveRedisError? {
        let proceed = state.withLockedValue { s in
            guard !s.closed, s.slots.isEmpty, s.connecting == 0 else { return false }
            s.connecting += 1
            return true
        }
        guard proceed else { return nil }
        switch await openShared() {
        case .success(let connection):
            checkin(connection)
            return nil
        case .failure(let error):
            return error
        }
    }

    /// Connects one shared connection (the caller already counted it in `connecting`).
    private func openShared() async -> Result<RedisConnection, LiveRedisError> {
        let result = await connector.establish(.commands)
        switch result {
        case .success(let connection):
            let (accepted, waiters) = state.withLockedValue { s -> (Bool, [UnsafeContinuation<WaitOutcome, Never>]) in
                s.connecting -= 1
                s.backoff.succeeded()
                s.connectionsOpened += 1
                let waiters = s.waiters
                s.waiters = []
                if s.closed { return (false, waiters) }
                s.slots.append(Slot(connection: connection, inFlight: 1 + waiters.count))
                return (true, waiters)
            }
            guard accepted else {
                connection.channel.close(promise: nil)
                for waiter in waiters { waiter.resume(returning: .failed(closedError)) }
                return .failure(.redis(closedError))
            }
            let id = ObjectIdentifier(connection)
            connection.channel.closeFuture.whenComplete { [weak self] _ in
                self?.state.withLockedValue { s in s.slots.removeAll { ObjectIdentifier($0.connection) == id } }
            }
            for waiter in waiters { waiter.resume(returning: .connection(connection)) }
            return .success(connection)
        case .failure(let error):
            let waiters = state.withLockedValue { s -> [UnsafeContinuation<WaitOutcome, Never>] in
                s.connecting -= 1
                s.connectFailures += 1
                s.backoff.failed(error.redisError, now: .now())
                let waiters = s.waiters
                s.waiters = []
                return waiters
            }
            for waiter in waiters { waiter.resume(returning: .failed(error.redisError)) }
            return .failure(error)
        }
    }

    // MARK: Dedicated connections

    /// A connection for this caller alone (blocking commands); give it back with `returnDedicated`.
    func leaseDedicated() async throws(RedisError) -> RedisConnection {
        let decision = state.withLockedValue { s -> Decision in
            if s.closed { return .fail(closedError) }
            while let connection = s.dedicatedIdle.popLast() {
                if connection.isActive { return .use(connection) }
            }
            if let gated = s.backoff.gate(now: .now()) { return .fail(gated) }
            return .connect
        }
        switch decision {
        case .use(let connection): return connection
        case .fail(let error): throw error
        case .connect, .wait: break
        }
        switch await connector.establish(.commands) {
        case .success(let connection):
            let accepted = state.withLockedValue { s in
                s.connectionsOpened += 1
                s.backoff.succeeded()
                guard !s.closed else { return false }
                s.dedicated[ObjectIdentifier(connection)] = connection
                return true
            }
            guard accepted else {
                connection.channel.close(promise: nil)
                throw closedError
            }
            let id = ObjectIdentifier(connection)
            connection.channel.closeFuture.whenComplete { [weak self] _ in
                self?.state.withLockedValue { s in
                    s.dedicated[id] = nil
                    s.dedicatedIdle.removeAll { ObjectIdentifier($0) == id }
                }
            }
            return connection
        case .failure(let error):
            state.withLockedValue { s in
                s.connectFailures += 1
                s.backoff.failed(error.redisError, now: .now())
            }
            throw error.redisError
        }
    }

    /// Keeps a healthy dedicated connection for reuse (up to the idle limit) or closes it.
    func returnDedicated(_ connection: RedisConnection, reusable: Bool) {
        let keep = state.withLockedValue { s in
            guard reusable, !s.closed, connection.isActive, s.dedicatedIdle.count < maxIdleDedicated else { return false }
            s.dedicatedIdle.append(connection)
            return true
        }
        if !keep { connection.channel.close(promise: nil) }
    }

    // MARK: Lifecycle

    func close() async {
        let (connections, waiters) = state.withLockedValue { s -> ([RedisConnection], [UnsafeContinuation<WaitOutcome, Never>]) in
            s.closed = true
            let all = s.slots.map(\.connection) + Array(s.dedicated.values)
            let waiters = s.waiters
            s.waiters = []
            s.slots = []
            s.dedicatedIdle = []
            s.dedicated = [:]
            return (all, waiters)
        }
        for waiter in waiters { waiter.resume(returning: .failed(closedError)) }
        for connection in connections { await connection.close() }
    }

    var statistics: (shared: Int, dedicated: Int, opened: Int, connectFailures: Int) {
        state.withLockedValue { s in
            (s.slots.filter { $0.connection.isActive }.count, s.dedicated.values.filter(\.isActive).count, s.connectionsOpened, s.connectFailures)
        }
    }
}
