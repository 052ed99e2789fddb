import Foundation
import PocketProtocol

/// The relayer pipeline of one node (docs/runtime-design.md, "Relayer pipeline"):
///
/// decode → plausibility → ring signature → session → meter → backend → sign
/// → hash/difficulty → publish → answer
///
/// Everything before the meter is free for the supplier: a request that is
/// malformed, implausible, badly signed or for the wrong session is refused
/// before it can spend the application's budget. A relay counts as
/// acknowledged minable only when its append to the supplier's stream
/// returned an id, which happens before the client gets its answer.
///
/// Transport-neutral: HTTP, SSE, WebSocket and gRPC servers call `handle`,
/// `StreamingRelay` and `openDuplex`.
public final class Relayer: Sendable {
    public let config: RelayerConfig
    let chain: any ChainPort
    let redis: any RedisClient
    let backend: any BackendPort
    let keys: any KeysPort
    let clock: any ClockPort
    /// No pipeline decision is random today; kept so future choices (cache
    /// refresh jitter, endpoint selection) stay seeded.
    let entropy: any EntropyPort
    let telemetry: any TelemetryPort
    let blocks: BlockTracker
    let cache: RelayerChainCache
    let meter: RelayMeter

    public init(
        config: RelayerConfig, chain: any ChainPort, redis: any RedisClient, backend: any BackendPort,
        keys: any KeysPort, clock: any ClockPort, entropy: any EntropyPort, telemetry: any TelemetryPort, blocks: BlockTracker
    ) {
        self.config = config
        self.chain = chain
        self.redis = redis
        self.backend = backend
        self.keys = keys
        self.clock = clock
        self.entropy = entropy
        self.telemetry = telemetry
        self.blocks = blocks
        cache = RelayerChainCache(chain: chain, config: config.cache)
        meter = RelayMeter(config: config.meter, keys: config.redisKeys, redis: redis, telemetry: telemetry, component: config.component)
    }

    var component: String { config.component }

    /// (hits, misses) of the chain-data caches.
    public var cacheStatistics: (hits: Int64, misses: Int64) {
        get async { await cache.statistics }
    }

    // MARK: - Entry point

    /// Validates, meters, forwards, signs, mines and publishes one relay.
    /// Never throws: every failure is a `RelayRejection` in the answer.
    public func handle(_ incoming: IncomingRelay) async -> RelayAnswer {
        let started = clock.now
        telemetry.count("relayer_relays_received_total")
        let transport = incoming.rpcType ?? config.defaultTransport
        let answer: RelayAnswer
        do {
            let admitted = try await admit(body: incoming.body, transport: transport, allowWebSocket: false)
            answer = await serve(admitted, incoming: incoming)
        } catch {
            answer = .rejected(error)
        }
        switch answer {
        case .rejected(let rejection): record(rejection)
        case .served(let served): record(served)
        case .streaming: telemetry.count("relayer_streams_started_total")
        }
        telemetry.observe("relayer_relay_duration_seconds", [], value: Double(started.duration(to: clock.now).nanoseconds) / 1e9)
        return answer
    }

    // MARK: - Admission (decode → plausibility → ring → session → price → meter)

    func admit(body: [UInt8], transport: BackendTransport, allowWebSocket: Bool, expectedService: String? = nil) async throws(RelayRejection) -> Relayer.Admitted {
        let decoded = try decode(body: body, transport: transport, allowWebSocket: allowWebSocket, expectedService: expectedService)
        do {
            let current = try await currentHeight()
            try checkPlausibility(decoded.header, current: current)
            try await verifyRingSignature(decoded, current: current)
            try await validateSession(decoded, current: current)
            return try await priceAndCharge(decoded, current: current)
        } catch {
            throw error.with(header: decoded.header, supplier: decoded.supplier)
        }
    }

    /// Stage 1, no I/O: size, protobuf, required fields, service, transport, payload, supplier key.
    func decode(body: [UInt8], transport: BackendTransport, allowWebSocket: Bool, expectedService: String?) throws(RelayRejection) -> Relayer.Decoded {
        guard body.count <= config.maxRequestBodyBytes else {
            throw RelayRejection(.requestTooLarge(size: body.count, limit: config.maxRequestBodyBytes))
        }
        let request: Pocket_Service_RelayRequest
        do { request = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: body) } catch {
            throw RelayRejection(.malformedRequest(error.description))
        }
        let meta = request.meta
        guard meta.hasSessionHeader else { throw RelayRejection(.missingField(.sessionHeader)) }
        let header = meta.sessionHeader
        let supplier = meta.supplierOperatorAddress
        func reject(_ reason: RelayRejection.Reason) -> RelayRejection {
            RelayRejection(reason, sessionHeader: header, supplier: supplier.isEmpty ? nil : supplier)
        }
        guard !header.serviceID.isEmpty else { throw reject(.missingField(.serviceID)) }
        guard !supplier.isEmpty else { throw reject(.missingField(.supplierOperatorAddress)) }
        guard !meta.signature.isEmpty else { throw reject(.missingField(.signature)) }
        do { try header.validateBasic() } catch { throw reject(.invalidSessionHeader(error)) }
        guard let service = config.services[header.serviceID] else { throw reject(.unknownService(header.serviceID)) }
        if let expectedService, expectedService != header.serviceID {
            throw reject(.transportMismatch("this WebSocket session serves \(expectedService), the frame is for \(header.serviceID); open a connection per service"))
        }
        guard body.count <= service.maxRequestBodyBytes else {
            throw reject(.requestTooLarge(size: body.count, limit: service.maxRequestBodyBytes))
        }
        if transport == .websocket, !allowWebSocket {
            throw reject(.transportMismatch("WebSocket relays travel inside a WebSocket connection (duplex session), not as single requests"))
        }
        guard service.transports.contains(transport) else { throw reject(.transportNotServed(service: service.id, transport: transport)) }
        guard !request.payload.isEmpty else { throw reject(.missingField(.payload)) }
        var http: Sdk_Types_POKTHTTPRequest?
        if transport.carriesHTTPPayload {
            do { http = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: Bytes(request.payload)) } catch {
                throw reject(.malformedRequest("payload is not a POKTHTTPRequest: \(error)"))
            }
        }
        guard let key = keys.signingKey(forOperator: supplier) else { throw reject(.supplierNotServed(supplier)) }
        let signatureBytes = Bytes(meta.signature)
        if signatureBytes.count >= 4 {
            let size = signatureBytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            if size > config.plausibility.maxRingSize { throw reject(.ringTooLarge(size: size, limit: config.plausibility.maxRingSize)) }
        }
        let ringSignature: RingSignature
        do { ringSignature = try RingSignature(serialized: signatureBytes) } catch {
            throw reject(.invalidRingSignature(.malformed(error)))
        }
        return Relayer.Decoded(
            request: request, header: header, supplier: supplier, signingKey: key, ringSignature: ringSignature,
            service: service, transport: transport, http: http
        )
    }

    func currentHeight() async throws(RelayRejection) -> Int64 {
        guard let block = await blocks.current else {
            throw RelayRejection(.notReady("no block seen yet, so sessions cannot be checked"))
        }
        return block.height
    }

    /// Stage 2, no I/O: heights a live session could have.
    func checkPlausibility(_ header: Pocket_Session_SessionHeader, current: Int64) throws(RelayRejection) {
        let p = config.plausibility
        let start = header.sessionStartBlockHeight
        let end = header.sessionEndBlockHeight
        func implausible(_ detail: String) -> RelayRejection {
            RelayRejection(.implausibleSessionHeights(start: start, end: end, currentHeight: current, detail: detail))
        }
        let length = end - start + 1
        if length > p.maxSessionLengthBlocks { throw implausible("a session of \(length) blocks is longer than \(p.maxSessionLengthBlocks)") }
        if start > current + p.maxBlocksAhead { throw implausible("it starts \(start - current) blocks after the current height") }
        if end < current - p.maxBlocksBehind { throw implausible("it ended \(current - end) blocks before the current height") }
    }

    /// Stage 3: the ring signature against the application's ring at the
    /// request's session end (spec §2.4). Before any charge.
    func verifyRingSignature(_ decoded: Relayer.Decoded, current: Int64) async throws(RelayRejection) {
        let message: [UInt8]
        do { message = try decoded.request.signableHash() } catch { throw RelayRejection(.malformedRequest(error.description)) }
        let app = decoded.header.applicationAddress
        let end = decoded.header.sessionEndBlockHeight
        var ring = try await ringOrReject(application: app, sessionEnd: end, current: current, refresh: false)
        if !decoded.ringSignature.membersBelong(to: ring.publicKeys) {
            // A gateway delegated since the ring was cached: re-read once per block.
            ring = try await ringOrReject(application: app, sessionEnd: end, current: current, refresh: true)
            guard decoded.ringSignature.membersBelong(to: ring.publicKeys) else {
                throw RelayRejection(.invalidRingSignature(.foreignMember))
            }
        }
        guard decoded.ringSignature.verify(message: message) else { throw RelayRejection(.invalidRingSignature(.invalid)) }
    }

    private func ringOrReject(application: String, sessionEnd: Int64, current: Int64, refresh: Bool) async throws(RelayRejection) -> RelayerChainCache.Ring {
        do {
            return try await cache.ring(application: application, sessionEnd: sessionEnd, current: current, refresh: refresh)
        } catch {
            if case .notFound(let detail) = error { throw RelayRejection(.ringUnavailable(application: application, detail: detail)) }
            throw RelayRejection(.chainUnavailable(error))
        }
    }

    /// Stage 4: the header equals the chain's session field by field, the
    /// supplier is in it, and an ended session is only accepted in its grace period.
    func validateSession(_ decoded: Relayer.Decoded, current: Int64) async throws(RelayRejection) {
        let header = decoded.header
        let end = header.sessionEndBlockHeight
        var lookupHeight = current
        if end < current {
            let endParams = try await params(atHeight: end, current: current)
            let grid = SessionGrid(endParams)
            if grid.isGracePeriodElapsed(sessionEndHeight: end, currentHeight: current) {
                throw RelayRejection(.sessionExpired(sessionEnd: end, gracePeriodEnd: grid.gracePeriodEnd(end), currentHeight: current))
            }
            lookupHeight = end
        }
        let session: Pocket_Session_Session
        do {
            session = try await cache.session(application: header.applicationAddress, serviceID: header.serviceID, height: lookupHeight, current: current)
        } catch {
            if case .notFound(let detail) = error {
                throw RelayRejection(.sessionNotFound(application: header.applicationAddress, serviceID: header.serviceID, height: lookupHeight, detail: detail))
            }
            throw RelayRejection(.chainUnavailable(error))
        }
        let chainHeader = session.header
        let comparisons: [(SessionHeaderField, String, String)] = [
            (.applicationAddress, chainHeader.applicationAddress, header.applicationAddress),
            (.serviceID, chainHeader.serviceID, header.serviceID),
            (.sessionID, chainHeader.sessionID, header.sessionID),
            (.sessionStartHeight, String(chainHeader.sessionStartBlockHeight), String(header.sessionStartBlockHeight)),
            (.sessionEndHeight, String(chainHeader.sessionEndBlockHeight), String(header.sessionEndBlockHeight)),
        ]
        for (field, expected, actual) in comparisons where expected != actual {
            throw RelayRejection(.sessionMismatch(field: field, expected: expected, actual: actual))
        }
        guard session.suppliers.contains(where: { $0.operatorAddress == decoded.supplier }) else {
            throw RelayRejection(.supplierNotInSession(supplier: decoded.supplier, sessionID: header.sessionID))
        }
    }

    func params(atHeight height: Int64, current: Int64) async throws(RelayRejection) -> SharedParams {
        do { return try await cache.sharedParams(atHeight: height, current: current) } catch { throw RelayRejection(.chainUnavailable(error)) }
    }

    /// Stage 5: the relay's cost and the supplier's budget, then the charge.
    /// CUPR, difficulty and pricing params at session start; pending sessions at session end.
    func priceAndCharge(_ decoded: Relayer.Decoded, current: Int64) async throws(RelayRejection) -> Relayer.Admitted {
        let header = decoded.header
        let start = header.sessionStartBlockHeight
        let serviceID = header.serviceID
        let cupr: UInt64
        let target: [UInt8]
        do {
            cupr = try await cache.computeUnitsPerRelay(serviceID: serviceID, sessionStart: start, current: current)
            target = try await cache.difficultyTarget(serviceID: serviceID, sessionStart: start, current: current)
        } catch {
            throw RelayRejection(.chainUnavailable(error))
        }
        var charge = RelayMeter.Outcome.free
        var cost: UInt64 = 0
        var limit: UInt64 = 0
        if config.meter.enabled {
            let startParams = try await params(atHeight: start, current: current)
            let endParams = try await params(atHeight: header.sessionEndBlockHeight, current: current)
            cost = RelayMeterMath.relayCostUPOKT(computeUnitsPerRelay: cupr, params: startParams)
            if cost > 0 {
                let stake: UInt64
                let suppliersPerSession: UInt64
                do {
                    let app = try await cache.application(header.applicationAddress, current: current)
                    stake = Self.parseAmount(app.stake.amount)
                    suppliersPerSession = try await cache.numSuppliersPerSession(current: current)
                } catch {
                    throw RelayRejection(.chainUnavailable(error))
                }
                limit = RelayMeterMath.maxSpendPerSupplierUPOKT(
                    appStakeUPOKT: stake, numSuppliersPerSession: suppliersPerSession, params: endParams,
                    serviceFactor: decoded.service.serviceFactor
                )
                charge = try await meter.charge(sessionID: header.sessionID, supplier: decoded.supplier, costUPOKT: cost, limitUPOKT: limit, service: serviceID)
            }
        }
        return Relayer.Admitted(
            request: decoded.request, header: header, supplier: decoded.supplier, signingKey: decoded.signingKey,
            service: decoded.service, transport: decoded.transport, http: decoded.http, arrivalHeight: current,
            computeUnitsPerRelay: cupr, difficultyTarget: target, costUPOKT: cost, limitUPOKT: limit, charge: charge
        )
    }

    /// A Cosmos `Int` amount; values beyond UInt64 saturate, garbage is 0.
    static func parseAmount(_ text: String) -> UInt64 {
        if let v = UInt64(text) { return v }
        return !text.isEmpty && text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? .max : 0
    }

    // MARK: - Backend

    /// The backend request for an HTTP-family relay: method, path and headers
    /// from the `POKTHTTPRequest`, plus who it is for.
    func backendRequest(_ admitted: Relayer.Admitted, incoming: IncomingRelay?) -> BackendRequest {
        let http = admitted.http ?? Sdk_Types_POKTHTTPRequest()
        var path = Self.pathAndQuery(of: http.url)
        if path.isEmpty { path = incoming?.path ?? "/" }
        if path.isEmpty { path = "/" }
        let pocketHeaders: [Header] = [
            Header("Pocket-Supplier", admitted.supplier),
            Header("Pocket-Service", admitted.header.serviceID),
            Header("Pocket-Application", admitted.header.applicationAddress),
        ]
        let reserved = Set(pocketHeaders.map { $0.name.lowercased() })
        var headers: [Header] = []
        for key in http.header.keys.sorted() where !reserved.contains(key.lowercased()) {
            for value in http.header[key]!.values { headers.append(Header(key, value)) }
        }
        headers += pocketHeaders
        var present = Set(headers.map { $0.name.lowercased() })
        for h in incoming?.headers ?? [] where h.name.lowercased().hasPrefix("pocket-") && !present.contains(h.name.lowercased()) {
            headers.append(h)
            present.insert(h.name.lowercased())
        }
        return BackendRequest(
            serviceID: admitted.header.serviceID, transport: admitted.transport,
            method: http.method.isEmpty ? "POST" : http.method, path: path, headers: headers, body: Bytes(http.bodyBz)
        )
    }

    /// `/path?query` of a URL (absolute or already a path); empty for an empty URL.
    static func pathAndQuery(of url: String) -> String {
        guard !url.isEmpty else { return "" }
        if url.hasPrefix("/") { return url }
        guard let scheme = url.range(of: "://") else { return "/" + url }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let tail = String(rest[slash...])
        return tail.hasPrefix("?") ? "/" + tail : tail
    }

    private enum BackendRace: Sendable {
        case answered(BackendResponse)
        case failed(BackendError)
        case deadline
        case timerCancelled
    }

    /// Forwards with the service's deadline (a structured race against the clock).
    func forward(_ request: BackendRequest, deadline: Duration) async -> Result<BackendResponse, RelayRejection> {
        let backend = self.backend
        let clock = self.clock
        let due = clock.now.advanced(by: deadline)
        let outcome: BackendRace = await withTaskGroup(of: BackendRace.self) { group in
            group.addTask {
                do throws(BackendError) { return .answered(try await backend.forward(request)) } catch { return .failed(error) }
            }
            group.addTask {
                do { try await clock.sleep(until: due) } catch { return .timerCancelled }
                return .deadline
            }
            var first: BackendRace = .timerCancelled
            while let next = await group.next() {
                if case .timerCancelled = next { continue }
                first = next
                break
            }
            group.cancelAll()
            return first
        }
        switch outcome {
        case .answered(let response): return .success(response)
        case .failed(let error): return .failure(Self.rejection(for: error))
        case .deadline, .timerCancelled:
            return .failure(RelayRejection(.backendTimeout(service: request.serviceID, afterMilliseconds: deadline.milliseconds)))
        }
    }

    static func rejection(for error: BackendError) -> RelayRejection {
        switch error {
        case .notConfigured, .unavailable: return RelayRejection(.backendUnavailable(error))
        case .timeout(let service, let ms): return RelayRejection(.backendTimeout(service: service, afterMilliseconds: ms))
        case .transport, .responseTooLarge: return RelayRejection(.backendFailed(error))
        }
    }

    // MARK: - Serve, sign, mine, publish

    /// Largest body kept from a streamed 5xx answer.
    static let maxStreamedErrorBodyBytes = 1 << 20

    func serve(_ admitted: Relayer.Admitted, incoming: IncomingRelay) async -> RelayAnswer {
        let request = backendRequest(admitted, incoming: incoming)
        switch await forward(request, deadline: admitted.service.backendDeadline) {
        case .failure(let rejection):
            await meter.refund(admitted.charge, reason: rejection.name, service: admitted.service.id)
            return .rejected(rejection.with(header: admitted.header, supplier: admitted.supplier))
        case .success(.complete(let status, let headers, let body)):
            return await complete(admitted, status: status, headers: headers, body: body)
        case .success(.stream(let status, let headers, let chunks)):
            if status >= 500 {
                // Server errors are answered whole and not mined; gather what the backend
                // sends, up to a bound (an error body is informative, not worth unbounded memory).
                var body: [UInt8] = []
                do {
                    for try await chunk in chunks {
                        body += chunk.prefix(Self.maxStreamedErrorBodyBytes - body.count)
                        if body.count >= Self.maxStreamedErrorBodyBytes { break }
                    }
                } catch {}
                return await complete(admitted, status: status, headers: headers, body: body)
            }
            return .streaming(StreamingRelay(relayer: self, admitted: admitted, status: status, headers: headers, chunks: chunks))
        }
    }

    private func complete(_ admitted: Relayer.Admitted, status: Int, headers: [Header], body: [UInt8]) async -> RelayAnswer {
        do throws(RelayRejection) {
            let payload = try httpPayload(status: status, headers: headers, body: body)
            return .served(try await signAndMine(admitted, payload: payload, backendStatus: status))
        } catch {
            await meter.refund(admitted.charge, reason: error.name, service: admitted.service.id)
            return .rejected(error.with(header: admitted.header, supplier: admitted.supplier))
        }
    }

    func httpPayload(status: Int, headers: [Header], body: [UInt8]) throws(RelayRejection) -> [UInt8] {
        do {
            return try RelayResponseBuilder.httpPayload(status: status, headers: headers.map { ($0.name, $0.value) }, body: body)
        } catch {
            throw RelayRejection(.internalError("cannot encode the backend answer: \(error)"))
        }
    }

    func sign(_ admitted: Relayer.Admitted, payload: [UInt8]) throws(RelayRejection) -> (Pocket_Service_RelayResponse, [UInt8]) {
        do {
            let response = try RelayResponseBuilder.signed(sessionHeader: admitted.header, payload: payload, key: admitted.signingKey)
            return (response, try CanonicalCodec.encode(response))
        } catch {
            throw RelayRejection(.internalError("failed to sign response: \(error)"))
        }
    }

    /// Signs the answer; for 2xx–4xx mines it (5xx are refunded and not mined).
    /// Throws only for internal failures (the caller refunds).
    func signAndMine(_ admitted: Relayer.Admitted, payload: [UInt8], backendStatus: Int) async throws(RelayRejection) -> ServedRelay {
        let (response, bytes) = try sign(admitted, payload: payload)
        if backendStatus >= 500 {
            await meter.refund(admitted.charge, reason: "backend_5xx", service: admitted.service.id)
            return ServedRelay(responseBytes: bytes, response: response, supplier: admitted.supplier, backendStatus: backendStatus, relayHash: nil, mining: .backendError(status: backendStatus))
        }
        let (outcome, hash) = try await mine(admitted, response: response)
        return ServedRelay(responseBytes: bytes, response: response, supplier: admitted.supplier, backendStatus: backendStatus, relayHash: hash, mining: outcome)
    }

    /// Hash, difficulty, and the append that makes the relay acknowledged minable.
    func mine(_ admitted: Relayer.Admitted, response: Pocket_Service_RelayResponse) async throws(RelayRejection) -> (MiningOutcome, [UInt8]) {
        let relay: DehydratedRelay
        do { relay = try DehydratedRelay(request: admitted.request, response: response) } catch {
            throw RelayRejection(.internalError("cannot encode the relay: \(error)"))
        }
        guard relay.isVolumeApplicable(targetHash: admitted.difficultyTarget) else { return (.notApplicable, relay.hash) }
        var message = Pocket_Relayminer_MinedRelayMessage()
        message.relayHash = Data(relay.hash)
        message.relayBytes = Data(relay.bytes)
        message.computeUnitsPerRelay = admitted.computeUnitsPerRelay
        message.sessionID = admitted.header.sessionID
        message.sessionEndHeight = admitted.header.sessionEndBlockHeight
        message.supplierOperatorAddress = admitted.supplier
        message.serviceID = admitted.header.serviceID
        message.applicationAddress = admitted.header.applicationAddress
        message.arrivalBlockHeight = admitted.arrivalHeight
        message.publishedAtUnixNano = clock.now.unixNanoseconds
        message.sessionStartHeight = admitted.header.sessionStartBlockHeight
        let data: [UInt8]
        do { data = try CanonicalCodec.encode(message) } catch {
            throw RelayRejection(.internalError("cannot encode the mined relay: \(error)"))
        }
        let keys = config.redisKeys
        do {
            let id = try await redis.appendUnlessSealed(
                keys.relayStream(supplier: admitted.supplier),
                sealKey: keys.seal(supplier: admitted.supplier, sessionID: admitted.header.sessionID),
                fields: [FieldValue(RedisKeys.relayField, data)]
            )
            return (id.map(MiningOutcome.published) ?? .late, relay.hash)
        } catch {
            return (.unpublished(error), relay.hash)
        }
    }

    // MARK: - Telemetry

    func serviceLabel(_ id: String?) -> String {
        guard let id, config.services[id] != nil else { return "unknown" }
        return id
    }

    func record(_ rejection: RelayRejection) {
        let service = serviceLabel(rejection.sessionHeader?.serviceID)
        telemetry.count("relayer_relays_rejected_total", [("service", service), ("reason", rejection.name)])
        telemetry.event(component, "relay.rejected", [
            ("reason", rejection.name), ("status", String(rejection.httpStatus)), ("service", service),
            ("supplier", rejection.supplier ?? ""), ("session", rejection.sessionHeader?.sessionID ?? ""),
            ("message", rejection.message),
        ])
    }

    func record(_ served: ServedRelay) {
        recordServed(mining: served.mining, relayHash: served.relayHash, header: served.response.meta.sessionHeader, supplier: served.supplier)
    }

    func recordServed(mining: MiningOutcome, relayHash: [UInt8]?, header: Pocket_Session_SessionHeader, supplier: String, kind: String = "complete") {
        let service = serviceLabel(header.serviceID)
        telemetry.count("relayer_relays_served_total", [("service", service), ("mining", mining.label)])
        var fields: TelemetryLabels = [
            ("service", service), ("supplier", supplier), ("session", header.sessionID), ("kind", kind), ("mining", mining.label),
        ]
        if let relayHash { fields.append(("relay_hash", Hex.encode(relayHash))) }
        switch mining {
        case .published(let id): fields.append(("stream_id", id.description))
        case .unpublished(let error): fields.append(("error", error.description))
        case .backendError(let status): fields.append(("backend_status", String(status)))
        case .streamFailed(let detail): fields.append(("error", detail))
        case .late, .notApplicable: break
        }
        telemetry.event(component, "relay.served", fields)
    }
}

extension Relayer {
    /// A relay that passed every check and was charged: everything the later
    /// stages (backend, signing, mining) need.
    struct Admitted: Sendable {
        let request: Pocket_Service_RelayRequest
        let header: Pocket_Session_SessionHeader
        let supplier: String
        let signingKey: PrivateKey
        let service: RelayerConfig.Service
        let transport: BackendTransport
        /// The decoded payload for HTTP-family transports.
        let http: Sdk_Types_POKTHTTPRequest?
        /// Current height when the relay arrived.
        let arrivalHeight: Int64
        let computeUnitsPerRelay: UInt64
        let difficultyTarget: [UInt8]
        /// uPOKT per relay and the (session, supplier) budget; 0 when metering is off.
        let costUPOKT: UInt64
        let limitUPOKT: UInt64
        let charge: RelayMeter.Outcome

        /// The same relay with another charge (each WebSocket answer pays for itself).
        func with(charge: RelayMeter.Outcome) -> Admitted {
            Admitted(
                request: request, header: header, supplier: supplier, signingKey: signingKey, service: service, transport: transport,
                http: http, arrivalHeight: arrivalHeight, computeUnitsPerRelay: computeUnitsPerRelay, difficultyTarget: difficultyTarget,
                costUPOKT: costUPOKT, limitUPOKT: limitUPOKT, charge: charge
            )
        }
    }

    /// Output of the I/O-free first stage.
    struct Decoded: Sendable {
        let request: Pocket_Service_RelayRequest
        let header: Pocket_Session_SessionHeader
        let supplier: String
        let signingKey: PrivateKey
        let ringSignature: RingSignature
        let service: RelayerConfig.Service
        let transport: BackendTransport
        let http: Sdk_Types_POKTHTTPRequest?
    }
}
