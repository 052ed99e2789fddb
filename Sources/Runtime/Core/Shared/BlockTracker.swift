/// Follows the chain's committed blocks for one node and tells its tasks the
/// latest one. Subscriptions are at-most-once (docs/protocol.md#new-blocks): when the stream
/// ends or the node is unreachable, the tracker reconnects with backoff and
/// catches up from `latestBlock()`, so heights may jump but never go back.
public actor BlockTracker {
    private let chain: any BlockSource
    private let clock: any ClockPort
    private let telemetry: any TelemetryPort
    private let component: String
    private var latest: ChainBlock?
    /// Shared with cancellation handlers, which run outside the actor.
    private let waiters = HeightWaiters()
    private var listeners: [Int: AsyncStream<ChainBlock>.Continuation] = [:]
    private var nextListener = 0

    public init(chain: any BlockSource, clock: any ClockPort, telemetry: any TelemetryPort, component: String) {
        self.chain = chain
        self.clock = clock
        self.telemetry = telemetry
        self.component = component
    }

    /// The newest block seen, nil before the first one.
    public var current: ChainBlock? { latest }

    /// Follows the chain until cancelled. Run it as a child task of the node.
    public func run(retryDelay: Duration = .milliseconds(500), maxRetryDelay: Duration = .seconds(5)) async {
        var delay = retryDelay
        while !Task.isCancelled {
            do throws(ChainError) {
                let stream = try await chain.subscribeBlocks()
                observe(try await chain.latestBlock())
                delay = retryDelay
                for await block in stream {
                    observe(block)
                }
                telemetry.event(component, "blocks.subscription_ended", [])
            } catch {
                telemetry.event(component, "blocks.unavailable", [("error", error.description)])
            }
            do {
                try await clock.sleep(for: delay)
            } catch {
                break
            }
            delay = min(delay * 2, maxRetryDelay)
        }
        for id in listeners.keys.sorted() { listeners[id]?.finish() }
        listeners = [:]
    }

    /// Suspends until a block at or above `height` is seen and returns it;
    /// nil when the waiting task is cancelled first (a height the chain never
    /// reaches must not keep a shutdown waiting).
    public func wait(forHeight height: Int64) async -> ChainBlock? {
        if let latest, latest.height >= height { return latest }
        let id = waiters.reserve(height: height)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { waiters.park(id, $0) }
        } onCancel: { [waiters] in
            waiters.cancel(id)
        }
    }

    /// Every new block (heights strictly increasing) from now on.
    public func blocks() -> AsyncStream<ChainBlock> {
        let (stream, continuation) = AsyncStream<ChainBlock>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let id = nextListener
        nextListener += 1
        listeners[id] = continuation
        if let latest { continuation.yield(latest) }
        return stream
    }

    /// Feeds a block (from the subscription or a direct query). Older or equal heights are ignored.
    public func observe(_ block: ChainBlock) {
        if let latest, block.height <= latest.height { return }
        latest = block
        for continuation in waiters.takeReached(block.height) { continuation.resume(returning: block) }
        // Listeners whose stream was dropped are removed here rather than from
        // an onTermination task (an unstructured task would leave the simulator's executor).
        for id in listeners.keys.sorted() {
            if case .terminated = listeners[id]?.yield(block) { listeners[id] = nil }
        }
    }
}

/// Tasks waiting for a height, in the order they started waiting. A waiter
/// is reserved before it parks so that a cancellation arriving in between
/// is not lost.
final class HeightWaiters: @unchecked Sendable {
    private enum State {
        case reserved
        case parked(CheckedContinuation<ChainBlock?, Never>)
        case cancelled
    }

    private let lock = Locked()
    private var next = 0
    private var entries: [Int: (height: Int64, state: State)] = [:]

    func reserve(height: Int64) -> Int {
        lock.withLock {
            next += 1
            entries[next] = (height, .reserved)
            return next
        }
    }

    func park(_ id: Int, _ continuation: CheckedContinuation<ChainBlock?, Never>) {
        let cancelledAlready: Bool = lock.withLock {
            guard let entry = entries[id], case .reserved = entry.state else {
                entries[id] = nil
                return true
            }
            entries[id] = (entry.height, .parked(continuation))
            return false
        }
        if cancelledAlready { continuation.resume(returning: nil) }
    }

    func cancel(_ id: Int) {
        let parked: CheckedContinuation<ChainBlock?, Never>? = lock.withLock {
            guard let entry = entries[id] else { return nil }
            switch entry.state {
            case .reserved:
                entries[id] = (entry.height, .cancelled)
                return nil
            case .parked(let continuation):
                entries[id] = nil
                return continuation
            case .cancelled:
                return nil
            }
        }
        parked?.resume(returning: nil)
    }

    /// Removes and returns the parked waiters satisfied by `height`, oldest first.
    func takeReached(_ height: Int64) -> [CheckedContinuation<ChainBlock?, Never>] {
        lock.withLock {
            var out: [CheckedContinuation<ChainBlock?, Never>] = []
            for id in entries.keys.sorted() {
                guard let entry = entries[id], entry.height <= height, case .parked(let continuation) = entry.state else { continue }
                entries[id] = nil
                out.append(continuation)
            }
            return out
        }
    }
}
