import NIOConcurrencyHelpers
import PocketProtocol

/// The result of one relay: verified, or why not, and how long it took from
/// sending the signed request to having the verified answer.
public struct RelayOutcome: Sendable {
    public let index: Int
    public let supplier: String
    public let sessionID: String
    public let latency: Duration
    public let result: Result<VerifiedRelayResponse, RelayFailure>

    public var failure: RelayFailure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }
}

/// Sends a prepared (signed) relay and verifies its answer: one
/// implementation per transport family, so the single-relay mode and the
/// load test run the same code.
public protocol RelayTarget: Sendable {
    func relay(_ prepared: PreparedRelay) async -> RelayOutcome
}

extension RelayTarget {
    /// Times `body` and packages its result.
    func timed(_ prepared: PreparedRelay, _ body: () async throws(RelayFailure) -> VerifiedRelayResponse) async -> RelayOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let result: Result<VerifiedRelayResponse, RelayFailure>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        return RelayOutcome(index: prepared.index, supplier: prepared.supplier, sessionID: prepared.sessionID,
                            latency: clock.now - start, result: result)
    }
}

/// jsonrpc, rest and cometbft: one POST, one signed answer (and its receipt when asked for).
public struct HTTPRelayTarget: RelayTarget {
    public let sender: RelayHTTPSender

    public init(sender: RelayHTTPSender) {
        self.sender = sender
    }

    public func relay(_ prepared: PreparedRelay) async -> RelayOutcome {
        await timed(prepared) { () async throws(RelayFailure) -> VerifiedRelayResponse in
            let answer = try await sender.send(prepared.signed)
            let verifier = ResponseVerifier(supplierKey: prepared.supplierKey, requireReceipt: sender.requestReceipt)
            return try verifier.verifyAnswer(bytes: answer.body, request: prepared.signed, transport: sender.transport,
                                             receiptHeader: answer.receiptHeader)
        }
    }
}

/// The relayer's gRPC service.
public struct GRPCRelayTarget: RelayTarget {
    public let sender: RelayGRPCSender

    public init(sender: RelayGRPCSender) {
        self.sender = sender
    }

    public func relay(_ prepared: PreparedRelay) async -> RelayOutcome {
        await timed(prepared) { () async throws(RelayFailure) -> VerifiedRelayResponse in
            let bytes = try await sender.send(prepared.signed)
            return try ResponseVerifier(supplierKey: prepared.supplierKey).verifyAnswer(bytes: bytes, request: prepared.signed, transport: .grpc)
        }
    }
}

/// WebSocket: connections are pinned to a supplier at the upgrade, so each
/// relay borrows an idle connection of its supplier (opening one if there is
/// none: at most one per concurrent relay), sends its frame and takes the
/// next answer. A connection that failed or closed is dropped, not reused.
public final class WebSocketRelayTarget: RelayTarget {
    public let url: String
    public let serviceID: String
    public let timeout: Duration
    private let idle = NIOLockedValueBox<[String: [RelayWebSocketSession]]>([:])
    private let opened = NIOLockedValueBox(0)

    public init(url: String, serviceID: String, timeout: Duration) {
        self.url = url
        self.serviceID = serviceID
        self.timeout = timeout
    }

    /// Connections opened so far.
    public var connectionsOpened: Int { opened.withLockedValue { $0 } }

    public func relay(_ prepared: PreparedRelay) async -> RelayOutcome {
        await timed(prepared) { () async throws(RelayFailure) -> VerifiedRelayResponse in
            let session = try await borrow(supplier: prepared.supplier)
            do throws(RelayFailure) {
                let verified = try await session.relay(prepared, timeout: timeout)
                giveBack(session)
                return verified
            } catch {
                await session.close()
                throw error
            }
        }
    }

    /// Closes every idle connection.
    public func closeAll() async {
        let sessions = idle.withLockedValue { all in
            defer { all = [:] }
            return all.values.flatMap { $0 }
        }
        for session in sessions { await session.close() }
    }

    private func borrow(supplier: String) async throws(RelayFailure) -> RelayWebSocketSession {
        let reused = idle.withLockedValue { all in all[supplier]?.popLast() }
        if let reused { return reused }
        let session = try await RelayWebSocketSession.connect(url: url, serviceID: serviceID, supplier: supplier, timeout: timeout)
        opened.withLockedValue { $0 += 1 }
        return session
    }

    private func giveBack(_ session: RelayWebSocketSession) {
        idle.withLockedValue { all in all[session.supplier, default: []].append(session) }
    }
}
