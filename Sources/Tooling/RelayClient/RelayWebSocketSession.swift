import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PocketProtocol

/// One WebSocket to the relayer, pinned to a service and a supplier at the
/// upgrade (`Target-Service-Id`, `Pocket-Supplier-Address`). Each client
/// frame is a binary frame holding a serialized RelayRequest whose payload is
/// the raw backend message; each server frame is a serialized RelayResponse
/// whose payload is the raw backend message. A refused frame comes back as an
/// unsigned RelayResponse carrying a RelayMinerError, then a close (4xxx/1xxx).
///
/// Frames are read in order by one caller at a time (`relay` sends a frame
/// and takes the next answer).
public final class RelayWebSocketSession: Sendable {
    public enum Event: Sendable, Equatable {
        case message(Bytes)
        /// The server closed the connection (its close code and reason, if it sent them).
        case closed(code: Int?, reason: String?)
    }

    public let url: String
    public let supplier: String
    private let outbound: WebSocketOutboundWriter
    private let mailbox: Mailbox
    private let connection: Task<Void, Never>

    private init(url: String, supplier: String, outbound: WebSocketOutboundWriter, mailbox: Mailbox, connection: Task<Void, Never>) {
        self.url = url
        self.supplier = supplier
        self.outbound = outbound
        self.mailbox = mailbox
        self.connection = connection
    }

    /// The WebSocket URL of a relayer's HTTP URL: same host and port, path `/`.
    public static func webSocketURL(relayerURL: String) throws(RelayClientError) -> String {
        guard var components = URLComponents(string: relayerURL), let scheme = components.scheme?.lowercased(), components.host != nil else {
            throw RelayClientError("--relayer-url \(relayerURL) is not a URL like http://host:port")
        }
        switch scheme {
        case "http", "ws": components.scheme = "ws"
        case "https", "wss": components.scheme = "wss"
        default: throw RelayClientError("--relayer-url \(relayerURL): unsupported scheme \(scheme) (use http or ws)")
        }
        components.path = "/"
        components.query = nil
        return components.string ?? relayerURL
    }

    /// Opens a session; fails with `connection_failed` (or `timeout`) if the upgrade does not complete.
    public static func connect(url: String, serviceID: String, supplier: String, timeout: Duration,
                               maxMessageBytes: Int = 16 << 20) async throws(RelayFailure) -> RelayWebSocketSession {
        var headers = HTTPFields()
        headers[HTTPField.Name("Target-Service-Id")!] = serviceID
        headers[HTTPField.Name("Pocket-Supplier-Address")!] = supplier
        headers[HTTPField.Name("Rpc-Type")!] = String(RelayTransport.websocket.rpcType)
        let configuration = WebSocketClientConfiguration(maxFrameSize: maxMessageBytes, additionalHeaders: headers)
        var logger = Logger(label: "pocket.relay-client.websocket")
        logger.logLevel = .critical
        let mailbox = Mailbox()
        let opened = OpenSignal()
        let connection = Task {
            do {
                let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    opened.succeed(outbound)
                    var messages = inbound.messages(maxSize: maxMessageBytes).makeAsyncIterator()
                    while let message = try await messages.next() {
                        switch message {
                        case .binary(let buffer): mailbox.push(.message(Bytes(buffer.readableBytesView)))
                        case .text(let text): mailbox.push(.message(Bytes(text.utf8)))
                        }
                    }
                }
                opened.fail(RelayFailure(RelayFailure.Reason.connectionFailed, "\(url) closed before the WebSocket upgrade completed"))
                mailbox.push(.closed(code: close.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }, reason: close?.reason))
            } catch {
                opened.fail(RelayFailure(RelayFailure.Reason.connectionFailed, "WebSocket upgrade at \(url) failed: \(error)"))
                mailbox.push(.closed(code: nil, reason: "\(error)"))
            }
            mailbox.finish()
        }
        let outbound: WebSocketOutboundWriter
        do {
            outbound = try await opened.wait(timeout: timeout, what: "the WebSocket upgrade at \(url)")
        } catch {
            connection.cancel()
            throw error
        }
        return RelayWebSocketSession(url: url, supplier: supplier, outbound: outbound, mailbox: mailbox, connection: connection)
    }

    /// Sends one binary frame.
    public func send(_ bytes: Bytes) async throws(RelayFailure) {
        do {
            try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
        } catch {
            throw RelayFailure(RelayFailure.Reason.webSocketClosed, "cannot send a frame on \(url): \(error)")
        }
    }

    /// The next frame or the close, or nil after `timeout`.
    public func receive(timeout: Duration) async -> Event? {
        await mailbox.next(timeout: timeout)
    }

    /// Sends a normal close and waits (briefly) for the connection to end.
    public func close() async {
        try? await outbound.close(.normalClosure, reason: nil)
        let connection = connection
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await connection.value; return true }
            group.addTask { try? await Task.sleep(for: .seconds(2)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished { connection.cancel() }
    }

    /// One relay: sends the request's frame and verifies the next frame as its answer.
    /// A refusal (an error reply) is followed by the server's close, whose code is reported.
    public func relay(_ prepared: PreparedRelay, timeout: Duration) async throws(RelayFailure) -> VerifiedRelayResponse {
        try await send(prepared.signed.bytes)
        guard let event = await receive(timeout: timeout) else {
            throw RelayFailure(RelayFailure.Reason.timeout, "no answer frame on \(url) within \(timeout)")
        }
        switch event {
        case .closed(let code, let reason):
            throw RelayFailure(RelayFailure.Reason.webSocketClosed,
                               "\(url) closed the connection (code \(code.map(String.init) ?? "none")\(reason.map { ", \($0)" } ?? "")) instead of answering")
        case .message(let bytes):
            let verifier = ResponseVerifier(supplierKey: prepared.supplierKey)
            do {
                return try verifier.verifyAnswer(bytes: bytes, request: prepared.signed, transport: .websocket)
            } catch where error.reason == RelayFailure.Reason.relayMinerError {
                // The refusal is followed by a close: report its code with the error.
                if case .closed(let code, let reason)? = await receive(timeout: .seconds(2)) {
                    throw RelayFailure(error.reason, error.detail + "; then closed with code \(code.map(String.init) ?? "none")"
                                       + (reason.map { " (\($0))" } ?? ""))
                }
                throw error
            }
        }
    }
}

/// Frames received, in order, for one reader.
final class Mailbox: Sendable {
    private struct State {
        var queue: [RelayWebSocketSession.Event] = []
        var finished = false
        var waiter: (id: Int, continuation: CheckedContinuation<RelayWebSocketSession.Event?, Never>)?
        var nextWaiterID = 0
        /// A timer that fired before its reader registered.
        var expiredID: Int?
    }

    private let state = NIOLockedValueBox(State())

    func push(_ event: RelayWebSocketSession.Event) {
        let waiter = state.withLockedValue { s -> CheckedContinuation<RelayWebSocketSession.Event?, Never>? in
            if let waiter = s.waiter {
                s.waiter = nil
                return waiter.continuation
            }
            s.queue.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    func finish() {
        let waiter = state.withLockedValue { s -> CheckedContinuation<RelayWebSocketSession.Event?, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter?.continuation
        }
        waiter?.resume(returning: nil)
    }

    /// The next event; nil after `timeout` or once the connection has ended and everything was read.
    func next(timeout: Duration) async -> RelayWebSocketSession.Event? {
        let id = state.withLockedValue { s in
            s.nextWaiterID += 1
            return s.nextWaiterID
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let immediate = state.withLockedValue { s -> RelayWebSocketSession.Event?? in
                if !s.queue.isEmpty { return .some(s.queue.removeFirst()) }
                if s.finished || s.expiredID == id { return .some(nil) }
                s.waiter = (id, continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    private func expire(_ id: Int) {
        let waiter = state.withLockedValue { s -> CheckedContinuation<RelayWebSocketSession.Event?, Never>? in
            guard let waiter = s.waiter, waiter.id == id else {
                s.expiredID = id
                return nil
            }
            s.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: nil)
    }
}

/// The upgrade's outcome, delivered once.
final class OpenSignal: Sendable {
    private struct State {
        var result: Result<WebSocketOutboundWriter, RelayFailure>?
        var waiter: CheckedContinuation<Result<WebSocketOutboundWriter, RelayFailure>, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func succeed(_ writer: WebSocketOutboundWriter) { deliver(.success(writer)) }
    func fail(_ failure: RelayFailure) { deliver(.failure(failure)) }

    private func deliver(_ result: Result<WebSocketOutboundWriter, RelayFailure>) {
        let waiter = state.withLockedValue { s -> CheckedContinuation<Result<WebSocketOutboundWriter, RelayFailure>, Never>? in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: result)
    }

    func wait(timeout: Duration, what: String) async throws(RelayFailure) -> WebSocketOutboundWriter {
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self.fail(RelayFailure(RelayFailure.Reason.timeout, "\(what) did not complete within \(timeout)"))
        }
        defer { timer.cancel() }
        let result = await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { s -> Result<WebSocketOutboundWriter, RelayFailure>? in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try result.get()
    }
}
