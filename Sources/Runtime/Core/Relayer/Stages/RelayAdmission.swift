import PocketProtocol

/// Output of the I/O-free first admission step: the request, parsed and
/// matched to a configured service and a supplier this process signs for.
struct DecodedRelay: Sendable {
    let request: Pocket_Service_RelayRequest
    let header: Pocket_Session_SessionHeader
    let supplier: String
    let signer: any SupplierSigner
    let ringSignature: RingSignature
    let service: RelayerConfig.Service
    let transport: BackendTransport
    /// The decoded payload for HTTP-family transports.
    let http: Sdk_Types_POKTHTTPRequest?
}

/// A relay that passed every check and was charged: everything the later
/// stages (backend, signing, mining) need.
struct AdmittedRelay: Sendable {
    let decoded: DecodedRelay
    /// Current height when the relay arrived.
    let arrivalHeight: Int64
    let computeUnitsPerRelay: UInt64
    let difficultyTarget: [UInt8]
    /// uPOKT per relay and the (session, supplier) budget; 0 when metering is off.
    let costUPOKT: UInt64
    let limitUPOKT: UInt64
    let charge: RelayMeter.Outcome

    var request: Pocket_Service_RelayRequest { decoded.request }
    var header: Pocket_Session_SessionHeader { decoded.header }
    var supplier: String { decoded.supplier }
    var service: RelayerConfig.Service { decoded.service }
    var transport: BackendTransport { decoded.transport }
    var http: Sdk_Types_POKTHTTPRequest? { decoded.http }

    /// The same relay with another charge (each WebSocket answer pays for itself).
    func with(charge: RelayMeter.Outcome) -> AdmittedRelay {
        AdmittedRelay(
            decoded: decoded, arrivalHeight: arrivalHeight, computeUnitsPerRelay: computeUnitsPerRelay,
            difficultyTarget: difficultyTarget, costUPOKT: costUPOKT, limitUPOKT: limitUPOKT, charge: charge
        )
    }
}

/// The admission stage: decode → plausibility → ring signature → session →
/// price → meter. Everything before the meter is free for the supplier, so a
/// request that is malformed, implausible, badly signed or for the wrong
/// session is refused before it can spend the application's budget.
struct RelayAdmission: Sendable {
    let config: RelayerConfig
    let keys: any KeysPort
    let blocks: BlockTracker
    let cache: ChainDataCache
    let meter: RelayMeter

    /// - Parameter transport: from the request (`Rpc-Type`); nil uses the service's default backend.
    func admit(body: [UInt8], transport: BackendTransport?, allowWebSocket: Bool, expectedService: String? = nil) async throws(RelayRejection) -> AdmittedRelay {
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

    /// Step 1, no I/O: size, protobuf, required fields, service, transport, payload, supplier key.
    func decode(body: [UInt8], transport requested: BackendTransport?, allowWebSocket: Bool, expectedService: String?) throws(RelayRejection) -> DecodedRelay {
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
        let transport = requested ?? service.defaultTransport ?? config.defaultTransport
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
        guard let signer = keys.signer(forOperator: supplier) else { throw reject(.supplierNotServed(supplier)) }
        let signatureBytes = Bytes(meta.signature)
        if signatureBytes.count >= 4 {
            let size = signatureBytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            if size > config.plausibility.maxRingSize { throw reject(.ringTooLarge(size: size, limit: config.plausibility.maxRingSize)) }
        }
        let ringSignature: RingSignature
        do { ringSignature = try RingSignature(serialized: signatureBytes) } catch {
            throw reject(.invalidRingSignature(.malformed(error)))
        }
        return DecodedRelay(
            request: request, header: header, supplier: supplier, signer: signer, ringSignature: ringSignature,
            service: service, transport: transport, http: http
        )
    }

    func currentHeight() async throws(RelayRejection) -> Int64 {
        guard let block = await blocks.current else {
            throw RelayRejection(.notReady("no block seen yet, so sessions cannot be checked"))
        }
        return block.height
    }

    /// Step 2, no I/O: heights a live session could have.
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

    /// Step 3: the ring signature against the application's ring at the
    /// request's session end (docs/protocol.md#ring-membership). Before any charge.
    func verifyRingSignature(_ decoded: DecodedRelay, current: Int64) async throws(RelayRejection) {
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

    private func ringOrReject(application: String, sessionEnd: Int64, current: Int64, refresh: Bool) async throws(RelayRejection) -> ChainDataCache.Ring {
        do {
            return try await cache.ring(application: application, sessionEnd: sessionEnd, current: current, refresh: refresh)
        } catch {
            if case .notFound(let detail) = error { throw RelayRejection(.ringUnavailable(application: application, detail: detail)) }
            throw RelayRejection(.chainUnavailable(error))
        }
    }

    /// Step 4: the header equals the chain's session field by field, the
    /// supplier is in it, and an ended session is only accepted in its grace period.
    func validateSession(_ decoded: DecodedRelay, current: Int64) async throws(RelayRejection) {
        let header = decoded.header
        let end = header.sessionEndBlockHeight
        var lookupHeight = current
        if end < current {
            let grid = SessionGrid(try await params(atHeight: end, current: current))
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

    /// Step 5: the relay's cost and the supplier's budget, then the charge.
    /// CUPR, difficulty and pricing params at session start; pending sessions at session end.
    func priceAndCharge(_ decoded: DecodedRelay, current: Int64) async throws(RelayRejection) -> AdmittedRelay {
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
        return AdmittedRelay(
            decoded: decoded, arrivalHeight: current, computeUnitsPerRelay: cupr, difficultyTarget: target,
            costUPOKT: cost, limitUPOKT: limit, charge: charge
        )
    }

    /// A Cosmos `Int` amount; values beyond UInt64 saturate, garbage is 0.
    static func parseAmount(_ text: String) -> UInt64 {
        if let v = UInt64(text) { return v }
        return !text.isEmpty && text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? .max : 0
    }

    /// The latest relay's session is past its grace period: nothing more can be
    /// mined for it (a long-lived WebSocket bridge checks this per backend frame).
    func expiry(of admitted: AdmittedRelay) async -> RelayRejection? {
        guard let current = await blocks.current?.height else { return nil }
        let end = admitted.header.sessionEndBlockHeight
        guard end < current else { return nil }
        guard let params = try? await params(atHeight: end, current: current) else { return nil }
        let grid = SessionGrid(params)
        guard grid.isGracePeriodElapsed(sessionEndHeight: end, currentHeight: current) else { return nil }
        return RelayRejection(.sessionExpired(sessionEnd: end, gracePeriodEnd: grid.gracePeriodEnd(end), currentHeight: current),
                              sessionHeader: admitted.header, supplier: admitted.supplier)
    }
}
