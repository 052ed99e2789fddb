import PocketProtocol

/// The relayer pipeline of one process (docs/runtime-design.md, "Relayer pipeline"):
///
/// admission (decode → plausibility → ring signature → session → meter)
/// → backend → minting (sign → hash/difficulty → publish) → answer
///
/// Each stage is its own type (`RelayAdmission`, `BackendForwarder`,
/// `RelayMinter`, `RelayTelemetry`); this type only runs them in order for
/// one request. A relay counts as acknowledged minable only when its append
/// to the supplier's stream returned an id, which happens before the client
/// gets its answer.
///
/// Transport-neutral: HTTP, SSE, WebSocket and gRPC servers call `handle`,
/// consume `StreamingRelay`, and `openDuplex`. Processes build it through
/// `RelayerProcess`, which also owns draining on shutdown.
public final class Relayer: Sendable {
    public let config: RelayerConfig
    let admission: RelayAdmission
    let forwarder: BackendForwarder
    let minter: RelayMinter
    let recorder: RelayTelemetry
    let clock: any ClockPort

    public init(config: RelayerConfig, ports: RuntimePorts, chain: any ChainReader, backend: any BackendPort, blocks: BlockTracker) {
        self.config = config
        clock = ports.clock
        let recorder = RelayTelemetry(telemetry: ports.telemetry, services: Set(config.services.keys), component: config.component)
        let meter = RelayMeter(config: config.meter, keys: config.redisKeys, redis: ports.redis, recorder: recorder)
        let cache = ChainDataCache(chain: chain, config: config.cache)
        self.recorder = recorder
        admission = RelayAdmission(config: config, keys: ports.keys, blocks: blocks, cache: cache, meter: meter)
        forwarder = BackendForwarder(backend: backend, clock: ports.clock)
        minter = RelayMinter(redis: ports.redis, keys: config.redisKeys, clock: ports.clock, meter: meter, recorder: recorder)
    }

    var meter: RelayMeter { minter.meter }

    /// (hits, misses) of the chain-data caches.
    public var cacheStatistics: (hits: Int64, misses: Int64) {
        get async { await admission.cache.statistics }
    }

    /// Validates, meters, forwards, signs, mines and publishes one relay.
    /// Never throws: every failure is a `RelayRejection` in the answer.
    public func handle(_ incoming: IncomingRelay) async -> RelayAnswer {
        let started = clock.monotonicNow
        recorder.received()
        let answer: RelayAnswer
        do {
            let admitted = try await admission.admit(body: incoming.body, transport: incoming.rpcType, allowWebSocket: false)
            answer = await serve(admitted, incoming: incoming)
        } catch {
            answer = .rejected(error)
        }
        switch answer {
        case .rejected(let rejection): recorder.record(rejection)
        case .served(let served): recorder.record(served)
        case .streaming: recorder.streamStarted()
        }
        recorder.duration(seconds: Double(started.duration(to: clock.monotonicNow).nanoseconds) / 1e9)
        return answer
    }

    /// Backend, then minting, for an admitted relay.
    func serve(_ admitted: AdmittedRelay, incoming: IncomingRelay) async -> RelayAnswer {
        let request = BackendForwarder.request(for: admitted, incoming: incoming)
        switch await forwarder.forward(request, deadline: admitted.service.backendDeadline) {
        case .failure(let rejection):
            await meter.refund(admitted.charge, reason: rejection.name, service: admitted.service.id)
            return .rejected(rejection.with(header: admitted.header, supplier: admitted.supplier))
        case .success(.complete(let status, let headers, let body)):
            return await minter.complete(admitted, status: status, headers: headers, body: body)
        case .success(.stream(let status, let headers, let chunks)):
            if status >= 500 {
                // Server errors are answered whole and not mined; gather what the backend
                // sends, up to a bound (an error body is informative, not worth unbounded memory).
                var body: [UInt8] = []
                do {
                    for try await chunk in chunks {
                        body += chunk.prefix(RelayMinter.maxStreamedErrorBodyBytes - body.count)
                        if body.count >= RelayMinter.maxStreamedErrorBodyBytes { break }
                    }
                } catch {}
                return await minter.complete(admitted, status: status, headers: headers, body: body)
            }
            return .streaming(StreamingRelay(minter: minter, admitted: admitted, status: status, headers: headers, chunks: chunks))
        }
    }
}
