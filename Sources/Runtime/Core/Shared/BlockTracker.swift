/// Follows the chain's committed blocks for one node and tells its tasks the
/// latest one. Subscriptions are at-most-once (spec §10.2): when the stream
/// ends or the node is unreachable, the tracker reconnects with backoff and
/// catches up from `latestBlock()`, so heights may jump but never go back.
public actor BlockTracker {
    private let chain: any ChainPort
    private let clock: any ClockPort
    private let telemetry: any TelemetryPort
    private let component: String
    private var latest: ChainBlock?
    private var waiters: [(height: Int64, continuation: CheckedContinuation<ChainBlock, Never>)] = []
    private var listeners: [Int: AsyncStream<ChainBlock>.Continuation] = [:]
    private var nextListener = 0

    public init(chain: any ChainPort, clock: any ClockPort, telemetry: any TelemetryPort, component: String) {
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

    /// Suspends until a block at or above `height` is seen; returns it.
    public func wait(forHeight height: Int64) async -> ChainBlock {
        if let latest, latest.height >= height { return latest }
        return await withCheckedContinuation { waiters.append((height, $0)) }
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
        var still: [(height: Int64, continuation: CheckedContinuation<ChainBlock, Never>)] = []
        for waiter in waiters {
            if block.height >= waiter.height { waiter.continuation.resume(returning: block) } else { still.append(waiter) }
        }
        waiters = still
        // Listeners whose stream was dropped are removed here rather than from
        // an onTermination task (an unstructured task would leave the simulator's executor).
        for id in listeners.keys.sorted() {
            if case .terminated = listeners[id]?.yield(block) { listeners[id] = nil }
        }
    }
}
