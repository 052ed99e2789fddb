/// One relayer process, assembled the same way by the simulator's nodes and
/// by `pocket-relay-miner relayer`: a block tracker and the relayer pipeline
/// over the given ports. Transport servers call `handle` / `openDuplex` here
/// (never the `Relayer` directly), so shutdown can drain what they started.
///
/// Graceful stop: new relays are refused with `shutting_down` (503, so the
/// gateway retries another relayer), open WebSocket bridges are closed
/// (their unanswered requests refunded), and `stop()` returns once every
/// relay already admitted has been answered, which includes its publish to
/// Redis. Then `run()` returns.
public final class RelayerProcess: RuntimeProcess {
    public let relayer: Relayer
    public let blocks: BlockTracker
    private let telemetry: any TelemetryPort
    private let gate = InFlightGate()
    private let bridges = OpenBridges()
    private let stopped = InFlightGate()

    public init(config: RelayerConfig, ports: RuntimePorts, chain: any ChainReader, backend: any BackendPort) {
        blocks = BlockTracker(chain: chain, clock: ports.clock, telemetry: ports.telemetry, component: config.component)
        relayer = Relayer(config: config, ports: ports, chain: chain, backend: backend, blocks: blocks)
        telemetry = ports.telemetry
        _ = stopped.enter()
    }

    /// Follows the chain until cancelled or until `stop()` has drained.
    public func run() async {
        let blocks = self.blocks
        let stopped = self.stopped
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await blocks.run() }
            group.addTask { await stopped.drained() }
            _ = await group.next()
            group.cancelAll()
        }
    }

    public func stop() async {
        guard !gate.isClosed else { return await stopped.drained() }
        gate.close()
        stopped.close()
        for bridge in bridges.removeAll() { await bridge.close() }
        await gate.drained()
        stopped.leave()
    }

    /// Relays admitted and not yet answered (streams: not yet finished).
    public var inFlight: Int { gate.inFlight }

    public func handle(_ incoming: IncomingRelay) async -> RelayAnswer {
        guard gate.enter() else { return refuseWhileDraining() }
        let answer = await relayer.handle(incoming)
        if case .streaming(let stream) = answer {
            // The stream stays in flight until its consumer finishes it.
            let gate = self.gate
            stream.onFinish { gate.leave() }
        } else {
            gate.leave()
        }
        return answer
    }

    public func openDuplex(serviceID: String, path: String = "/", headers: [Header] = []) async -> DuplexOpenAnswer {
        guard gate.enter() else { return .rejected(refuseWhileDraining().rejection!) }
        defer { gate.leave() }
        let answer = await relayer.openDuplex(serviceID: serviceID, path: path, headers: headers)
        if case .opened(let session) = answer { bridges.insert(session) }
        return answer
    }

    private func refuseWhileDraining() -> RelayAnswer {
        let rejection = RelayRejection(.shuttingDown)
        relayer.recorder.record(rejection)
        telemetry.count(RelayerMetrics.relaysDrained)
        return .rejected(rejection)
    }
}

/// The WebSocket bridges a relayer process has open, so shutdown can close them.
final class OpenBridges: @unchecked Sendable {
    private let lock = Locked()
    private var sessions: [DuplexSession] = []

    /// Registers a bridge, forgetting those that closed on their own.
    func insert(_ session: DuplexSession) {
        lock.withLock {
            sessions.removeAll { $0.isClosed }
            sessions.append(session)
        }
    }

    /// Every bridge still registered, in the order they opened.
    func removeAll() -> [DuplexSession] {
        lock.withLock {
            defer { sessions = [] }
            return sessions
        }
    }
}
