import NIOConcurrencyHelpers
import PocketProtocol

/// How hard to push.
public struct LoadTestConfiguration: Sendable, Equatable {
    /// Relays in total.
    public var count: Int
    /// Relays in flight at once.
    public var concurrency: Int
    /// Launches per second, 0: as fast as the concurrency allows.
    public var rps: Int
    /// Requests signed ahead of each timed round: all of them up to this
    /// many (a run larger than this signs and sends in rounds, which bounds
    /// memory; signing stays outside the timed part either way).
    public var presignBatch: Int
    /// Progress events at most this often.
    public var progressInterval: Duration

    public init(count: Int, concurrency: Int = 10, rps: Int = 0, presignBatch: Int = 50_000, progressInterval: Duration = .seconds(1)) {
        self.count = max(0, count)
        self.concurrency = max(1, concurrency)
        self.rps = max(0, rps)
        self.presignBatch = max(1, presignBatch)
        self.progressInterval = progressInterval
    }
}

/// Where a load test is, for a progress line.
public struct LoadProgress: Sendable, Equatable {
    public let done: Int
    public let total: Int
    public let succeeded: Int
    public let failed: Int
    public let elapsedSeconds: Double

    public init(done: Int, total: Int, succeeded: Int, failed: Int, elapsedSeconds: Double) {
        self.done = done
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
        self.elapsedSeconds = elapsedSeconds
    }
}

/// What a load test reports while it runs.
public enum LoadTestEvent: Sendable, Equatable {
    /// Signing ahead of a timed round (at most once per progress interval, and when done).
    case signing(done: Int, total: Int)
    /// A round's requests are signed, for `sessionID`.
    case signed(count: Int, seconds: Double, sessionID: String)
    case progress(LoadProgress)
    /// The chain passed the session's end: the requests not yet sent are signed again for the new session.
    case sessionRollover(from: String, to: String, atHeight: Int64, resigning: Int)
}

/// Runs a load test: signs the requests ahead of the timed part (a fresh
/// ring signature each, so the relays stay distinct leaves), then keeps
/// `concurrency` relays in flight, optionally paced to `rps` launches per
/// second, until all are done. Before each relay the session is checked
/// (`SessionResolver` reads the height at most once a second); when it has
/// rolled over, the requests not yet sent are signed again for the new
/// session, and that time is left out of the timed duration.
public final class LoadTestRunner: Sendable {
    public let configuration: LoadTestConfiguration
    public let transport: RelayTransport
    public let preparer: RelayPreparer
    public let target: any RelayTarget
    private let onEvent: @Sendable (LoadTestEvent) -> Void

    public init(configuration: LoadTestConfiguration, transport: RelayTransport, preparer: RelayPreparer, target: any RelayTarget,
                onEvent: @escaping @Sendable (LoadTestEvent) -> Void = { _ in }) {
        self.configuration = configuration
        self.transport = transport
        self.preparer = preparer
        self.target = target
        self.onEvent = onEvent
    }

    public func run() async throws(RelayClientError) -> LoadReport {
        let clock = ContinuousClock()
        let tally = Tally()
        var timed = Duration.zero
        var signing = Duration.zero
        var sessions: [String] = []
        var rollovers = 0
        var resigned = 0
        var next = 0
        while next < configuration.count {
            let round = next..<min(configuration.count, next + configuration.presignBatch)
            let session = try await preparer.resolver.current()
            if sessions.last != session.sessionID { sessions.append(session.sessionID) }

            let signStart = clock.now
            var lastSigningEvent = signStart
            let prepared = try await preparer.prepare(indices: round, session: session) { done in
                let now = clock.now
                if now - lastSigningEvent >= configuration.progressInterval || done == round.count {
                    lastSigningEvent = now
                    onEvent(.signing(done: done, total: round.count))
                }
            }
            let signed = clock.now - signStart
            signing += signed
            onEvent(.signed(count: prepared.count, seconds: signed.fractionalSeconds, sessionID: session.sessionID))

            let queue = WorkQueue(items: prepared, session: session, preparer: preparer, onEvent: onEvent)
            let roundStart = clock.now
            let timedBefore = timed
            let progress = Task { [configuration, onEvent] in
                while !Task.isCancelled {
                    do { try await Task.sleep(for: configuration.progressInterval) } catch { return }
                    let elapsed = timedBefore + (clock.now - roundStart)
                    onEvent(.progress(tally.progress(total: configuration.count, elapsed: elapsed)))
                }
            }
            let pacer = configuration.rps > 0 ? RatePacer(rps: configuration.rps, start: roundStart) : nil
            let workers = min(configuration.concurrency, prepared.count)
            let failure = await withTaskGroup(of: RelayClientError?.self) { group in
                for _ in 0..<workers {
                    group.addTask { [preparer, target] in
                        do throws(RelayClientError) {
                            while true {
                                // A failed height check only skips the rollover check: the relays go on.
                                let current = try? await preparer.resolver.current()
                                guard let item = try await queue.take(current: current) else { return nil }
                                if let pacer { try? await clock.sleep(until: await pacer.slot()) }
                                tally.record(await target.relay(item))
                            }
                        } catch {
                            return error
                        }
                    }
                }
                var first: RelayClientError?
                for await result in group where first == nil { first = result }
                return first
            }
            progress.cancel()
            await progress.value
            let stats = await queue.statistics()
            timed += (clock.now - roundStart) - stats.resignTime
            signing += stats.resignTime
            rollovers += stats.rollovers
            resigned += stats.resigned
            for id in stats.sessions where sessions.last != id { sessions.append(id) }
            if let failure { throw failure }
            next = round.upperBound
        }
        onEvent(.progress(tally.progress(total: configuration.count, elapsed: timed)))
        return tally.report(transport: transport, service: preparer.resolver.serviceID, configuration: configuration,
                            duration: timed, signing: signing, sessions: sessions, rollovers: rollovers, resigned: resigned)
    }
}

/// Outcomes so far (shared by the workers).
final class Tally: Sendable {
    private struct State {
        var succeeded = 0
        var failed = 0
        var errors: [String: Int] = [:]
        var latencies: [Duration] = []
    }

    private let state = NIOLockedValueBox(State())

    func record(_ outcome: RelayOutcome) {
        state.withLockedValue { s in
            switch outcome.result {
            case .success:
                s.succeeded += 1
                s.latencies.append(outcome.latency)
            case .failure(let failure):
                s.failed += 1
                s.errors[failure.breakdownKey, default: 0] += 1
            }
        }
    }

    func progress(total: Int, elapsed: Duration) -> LoadProgress {
        state.withLockedValue { s in
            LoadProgress(done: s.succeeded + s.failed, total: total, succeeded: s.succeeded, failed: s.failed,
                         elapsedSeconds: elapsed.fractionalSeconds)
        }
    }

    func report(transport: RelayTransport, service: String, configuration: LoadTestConfiguration, duration: Duration,
                signing: Duration, sessions: [String], rollovers: Int, resigned: Int) -> LoadReport {
        state.withLockedValue { s in
            let total = s.succeeded + s.failed
            let seconds = duration.fractionalSeconds
            return LoadReport(
                transport: transport.rawValue, service: service, total: total, succeeded: s.succeeded, failed: s.failed,
                successRatePercent: total == 0 ? 0 : Double(s.succeeded) * 100 / Double(total),
                durationSeconds: seconds, throughputRPS: seconds > 0 ? Double(total) / seconds : 0,
                latencyMs: LatencySummary(samples: s.latencies), errors: s.errors,
                concurrency: configuration.concurrency, rpsLimit: configuration.rps, presigned: configuration.count,
                signingSeconds: signing.fractionalSeconds, sessions: sessions, sessionRollovers: rollovers, resigned: resigned
            )
        }
    }
}

/// Launch times for a paced run: the n-th relay of a round starts n/rps after the round starts.
actor RatePacer {
    private let interval: Duration
    private let start: ContinuousClock.Instant
    private var issued = 0

    init(rps: Int, start: ContinuousClock.Instant) {
        interval = .seconds(1) / rps
        self.start = start
    }

    func slot() -> ContinuousClock.Instant {
        defer { issued += 1 }
        return start.advanced(by: interval * issued)
    }
}

/// The signed requests of a round, handed out in order. When a worker
/// brings a newer session than the one they were signed for, the rest are
/// signed again for it (once; the other workers wait).
actor WorkQueue {
    struct Statistics {
        var rollovers = 0
        var resigned = 0
        var resignTime = Duration.zero
        var sessions: [String] = []
    }

    private var items: [PreparedRelay]
    private var session: ResolvedSession
    private var cursor = 0
    /// A worker is re-signing; the others wait in `waiters`.
    private var resigning = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var stats = Statistics()
    private let preparer: RelayPreparer
    private let onEvent: @Sendable (LoadTestEvent) -> Void

    init(items: [PreparedRelay], session: ResolvedSession, preparer: RelayPreparer, onEvent: @escaping @Sendable (LoadTestEvent) -> Void) {
        self.items = items
        self.session = session
        self.preparer = preparer
        self.onEvent = onEvent
        stats.sessions = [session.sessionID]
    }

    /// The next request to send, nil when the round is done.
    func take(current: ResolvedSession?) async throws(RelayClientError) -> PreparedRelay? {
        while true {
            if resigning {
                // Woken (after the flag is cleared) by the worker that re-signs.
                await withCheckedContinuation { waiters.append($0) }
                continue
            }
            guard cursor < items.count else { return nil }
            if let current, current.sessionID != session.sessionID, current.endHeight > session.endHeight {
                resigning = true
                defer {
                    resigning = false
                    let woken = waiters
                    waiters = []
                    for waiter in woken { waiter.resume() }
                }
                try await resignRemaining(for: current)
                continue
            }
            defer { cursor += 1 }
            return items[cursor]
        }
    }

    private func resignRemaining(for newSession: ResolvedSession) async throws(RelayClientError) {
        let clock = ContinuousClock()
        let start = clock.now
        let remaining = items[cursor...]
        onEvent(.sessionRollover(from: session.sessionID, to: newSession.sessionID, atHeight: newSession.resolvedAtHeight,
                                 resigning: remaining.count))
        var fresh: [PreparedRelay] = []
        fresh.reserveCapacity(remaining.count)
        for item in remaining {
            fresh.append(try await preparer.prepare(index: item.index, session: newSession))
        }
        items.replaceSubrange(cursor..., with: fresh)
        session = newSession
        stats.rollovers += 1
        stats.resigned += fresh.count
        stats.resignTime += clock.now - start
        stats.sessions.append(newSession.sessionID)
    }

    func statistics() -> Statistics { stats }
}
