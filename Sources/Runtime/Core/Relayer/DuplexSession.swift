import PocketProtocol

/// The answer to a WebSocket upgrade.
public enum DuplexOpenAnswer: Sendable {
    case opened(DuplexSession)
    /// Refuse the upgrade with `httpStatus` (unknown service 404, no backend 503, …).
    case rejected(RelayRejection)
}

/// What became of one client frame.
public enum DuplexClientOutcome: Sendable {
    /// A valid, paid relay request: its payload went to the backend.
    case forwarded
    /// Not forwarded. Send `rejection.errorResponseBytes` to the client; close
    /// with `rejection.webSocketCloseCode` if `closesSession`.
    case rejected(RelayRejection, closesSession: Bool)
}

/// What the server sends the client for backend traffic.
public enum DuplexServerFrame: Sendable {
    /// A backend message, signed as its own `RelayResponse` (send
    /// `responseBytes` as a binary frame) and mined as its own relay.
    case relay(ServedRelay)
    /// The bridge must end: send `rejection.errorResponseBytes`, then close
    /// with `rejection.webSocketCloseCode` (session expired, budget exhausted,
    /// backend gone).
    case close(RelayRejection)
}

extension Relayer {
    /// Opens a WebSocket bridge to the service's backend. Nothing is charged
    /// or forwarded until the client sends a valid relay request.
    public func openDuplex(serviceID: String, path: String = "/", headers: [Header] = []) async -> DuplexOpenAnswer {
        guard let service = config.services[serviceID] else {
            let r = RelayRejection(.unknownService(serviceID))
            recorder.record(r)
            return .rejected(r)
        }
        guard service.transports.contains(.websocket) else {
            let r = RelayRejection(.transportNotServed(service: serviceID, transport: .websocket))
            recorder.record(r)
            return .rejected(r)
        }
        do {
            let duplex = try await forwarder.backend.openDuplex(serviceID: serviceID, path: path, headers: headers)
            recorder.count(RelayerMetrics.websocketSessionsOpened, service: serviceID)
            return .opened(DuplexSession(admission: admission, minter: minter, service: service, backend: duplex))
        } catch {
            let r = BackendForwarder.rejection(for: error)
            recorder.record(r)
            return .rejected(r)
        }
    }
}

/// One WebSocket bridge (transport-neutral). Unlike the reference, every
/// client frame must be a valid `RelayRequest`: it is decoded, checked
/// (plausibility, ring signature, session) and charged like any relay
/// before its payload (raw bytes, no HTTP wrapping) goes to the backend;
/// anything else is refused. Every backend message is signed against the
/// latest accepted request and mined as its own relay; it pays for itself:
/// the first answer after a request uses that request's charge, later ones
/// (subscription pushes) are charged on their own, so a subscription cannot
/// outrun the application's budget.
///
/// The server runs two loops in one task group: client frames into
/// `clientFrame(_:)`, and `backendFrames` out to the client; then `close()`.
public final class DuplexSession: Sendable {
    public let serviceID: String
    /// Backend traffic, signed and mined; ends when the backend closes or after a `.close`.
    public let backendFrames: AsyncStream<DuplexServerFrame>
    private let admission: RelayAdmission
    private let minter: RelayMinter
    private let backend: any BackendDuplex
    private let state: DuplexState
    private let closedFlag: Flag

    /// Whether the bridge has ended (for registries that only want open ones).
    public var isClosed: Bool { closedFlag.isSet }

    init(admission: RelayAdmission, minter: RelayMinter, service: RelayerConfig.Service, backend: any BackendDuplex) {
        serviceID = service.id
        self.admission = admission
        self.minter = minter
        self.backend = backend
        let flag = Flag()
        closedFlag = flag
        let state = DuplexState(admission: admission, minter: minter, serviceID: service.id, backend: backend, closedFlag: flag)
        self.state = state
        backendFrames = AsyncStream(unfolding: { await state.nextServerFrame() })
    }

    /// Validates, charges and forwards one client frame.
    public func clientFrame(_ frame: DuplexMessage) async -> DuplexClientOutcome {
        if await state.isClosed {
            return .rejected(RelayRejection(.transportMismatch("this WebSocket session is closed; open a new connection")), closesSession: true)
        }
        let admitted: AdmittedRelay
        do {
            admitted = try await admission.admit(body: frame.bytes, transport: .websocket, allowWebSocket: true, expectedService: serviceID)
        } catch {
            minter.recorder.record(error)
            let closes = Self.closes(error)
            if closes { await close() }
            return .rejected(error, closesSession: closes)
        }
        let payload = Bytes(admitted.request.payload)
        let message: DuplexMessage
        if case .text = frame, let text = String(validating: payload, as: UTF8.self) { message = .text(text) } else { message = .binary(payload) }
        do {
            try await backend.send(message)
        } catch {
            await minter.meter.refund(admitted.charge, reason: "backend_failed", service: serviceID)
            let r = BackendForwarder.rejection(for: error).with(header: admitted.header, supplier: admitted.supplier)
            minter.recorder.record(r)
            await close()
            return .rejected(r, closesSession: true)
        }
        await state.accepted(admitted)
        minter.recorder.count(RelayerMetrics.websocketClientFrames, service: serviceID)
        return .forwarded
    }

    /// Ends the bridge: closes the backend side and refunds requests that got
    /// no answer. Idempotent; the session also closes itself when it answers a
    /// `.close` frame or a rejection with `closesSession`.
    public func close() async {
        await state.close()
    }

    /// Over budget and session expiry end the bridge (the reference's 4002 / 4000);
    /// other refusals leave it open for the next frame.
    static func closes(_ rejection: RelayRejection) -> Bool {
        switch rejection.reason {
        case .overBudget, .sessionExpired: return true
        default: return false
        }
    }
}

/// Mutable state of one bridge: the latest accepted request and the charges
/// of requests not yet answered (oldest first).
actor DuplexState {
    private let admission: RelayAdmission
    private let minter: RelayMinter
    private let serviceID: String
    private let backend: any BackendDuplex
    private var iterator: BackendStream<DuplexMessage>.AsyncIterator?
    private let closedFlag: Flag
    private var latest: AdmittedRelay?
    private var prepaid: [RelayMeter.Outcome] = []
    private(set) var isClosed = false

    init(admission: RelayAdmission, minter: RelayMinter, serviceID: String, backend: any BackendDuplex, closedFlag: Flag) {
        self.closedFlag = closedFlag
        self.admission = admission
        self.minter = minter
        self.serviceID = serviceID
        self.backend = backend
        iterator = backend.inbound.makeAsyncIterator()
    }

    func accepted(_ admitted: AdmittedRelay) async {
        if isClosed {
            await minter.meter.refund(admitted.charge, reason: "duplex_closed", service: serviceID)
            return
        }
        latest = admitted
        prepaid.append(admitted.charge)
    }

    func close() async {
        guard !isClosed else { return }
        isClosed = true
        closedFlag.set()
        iterator = nil
        let unanswered = prepaid
        prepaid = []
        for charge in unanswered { await minter.meter.refund(charge, reason: "duplex_unanswered", service: serviceID) }
        await backend.close()
        minter.recorder.count(RelayerMetrics.websocketSessionsClosed, service: serviceID)
    }

    private func end(_ rejection: RelayRejection) async -> DuplexServerFrame {
        minter.recorder.record(rejection)
        await close()
        return .close(rejection)
    }

    func nextServerFrame() async -> DuplexServerFrame? {
        while true {
            guard !isClosed, var it = iterator else { return nil }
            let message: DuplexMessage?
            do {
                message = try await it.next(isolation: self)
            } catch {
                guard !isClosed else { return nil }
                let failure = RelayRejection(.backendFailed(error),
                                             sessionHeader: latest?.header, supplier: latest?.supplier)
                return await end(failure)
            }
            guard !isClosed else { return nil }
            iterator = it
            guard let message else {
                await close()
                return nil
            }
            let payload = message.bytes
            guard let context = latest, !payload.isEmpty else {
                // Nothing to sign against (no request yet) or nothing to sign.
                minter.recorder.count(RelayerMetrics.websocketUnsignedBackendFrames, service: serviceID)
                continue
            }
            if let expired = await admission.expiry(of: context) { return await end(expired) }
            guard !isClosed else { return nil }
            let charge: RelayMeter.Outcome
            if !prepaid.isEmpty {
                charge = prepaid.removeFirst()
            } else {
                do {
                    charge = try await minter.meter.charge(
                        sessionID: context.header.sessionID, supplier: context.supplier, costUPOKT: context.costUPOKT,
                        limitUPOKT: context.limitUPOKT, service: serviceID
                    )
                } catch {
                    return await end(error.with(header: context.header, supplier: context.supplier))
                }
            }
            guard !isClosed else {
                // Closed while charging: this message will not be delivered.
                await minter.meter.refund(charge, reason: "duplex_closed", service: serviceID)
                return nil
            }
            let relay = context.with(charge: charge)
            do {
                let served = try await minter.signAndMine(relay, payload: payload, backendStatus: 200)
                minter.recorder.record(served)
                return .relay(served)
            } catch {
                await minter.meter.refund(charge, reason: error.name, service: serviceID)
                return await end(error.with(header: context.header, supplier: context.supplier))
            }
        }
    }
}
