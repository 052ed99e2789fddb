import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime

/// One WebSocket connection to a backend, as the core's `BackendDuplex`.
///
/// The WebSocket client's API is a closure that lives as long as the
/// connection, so the connection runs in a task of its own (registered with
/// the adapter, cancelled by `shutdown()`): it feeds `inbound` and hands its
/// writer to `send`. A backend close ends `inbound` normally; a broken
/// connection or a message over the limit fails it (`transport`,
/// `responseTooLarge`). `close()` sends a close frame and lets the backend
/// answer it for up to `closeGrace` before the connection is dropped.
final class LiveBackendDuplex: BackendDuplex {
    let inbound: BackendStream<DuplexMessage>
    private let serviceID: String
    private let endpoint: String
    private let writer: WebSocketOutboundWriter
    private let closed = NIOLockedValueBox(false)
    private let closeRequested: AsyncStream<Void>.Continuation

    /// How long a local close waits for the backend's close frame.
    static let closeGrace: Duration = .seconds(5)
    /// Keepalive ping period (the backend must answer within the next period).
    static let pingPeriod: Duration = .seconds(27)

    private init(
        inbound: BackendStream<DuplexMessage>, serviceID: String, endpoint: String, writer: WebSocketOutboundWriter,
        closeRequested: AsyncStream<Void>.Continuation
    ) {
        self.inbound = inbound
        self.serviceID = serviceID
        self.endpoint = endpoint
        self.writer = writer
        self.closeRequested = closeRequested
    }

    func send(_ message: DuplexMessage) async throws(BackendError) {
        guard !closed.withLockedValue({ $0 }) else {
            throw .transport(service: serviceID, reason: "the WebSocket to endpoint \(endpoint) is closed; open a new bridge")
        }
        do {
            switch message {
            case .text(let text): try await writer.writeTextMessage(text)
            case .binary(let bytes): try await writer.writeBinaryMessage(ByteBuffer(bytes: bytes))
            }
        } catch {
            throw .transport(service: serviceID, reason: "writing to the WebSocket of endpoint \(endpoint) failed: \(error)")
        }
    }

    func close() async {
        let first = closed.withLockedValue { wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }
        guard first else { return }
        try? await writer.close(.normalClosure, reason: nil)
        closeRequested.finish()
    }

    private enum DialOutcome: Sendable {
        case connected(WebSocketOutboundWriter)
        case failed(String)
    }

    /// Connects to `url` and returns once the handshake succeeded, failed, or `deadline` passed.
    static func dial(
        url: String, headers: HTTPFields, serviceID: String, endpoint: String, maxMessageBytes: Int, deadline: ContinuousClock.Instant,
        background: BackgroundTasks
    ) async -> Result<LiveBackendDuplex, AttemptFailure> {
        let (inbound, inboundContinuation) = BackendStream<DuplexMessage>.makeStream(serviceID: serviceID)
        let (closeSignal, closeContinuation) = AsyncStream<Void>.makeStream()
        let (dialOutcome, dialContinuation) = AsyncStream<DialOutcome>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: maxMessageBytes, additionalHeaders: headers, closeTimeout: closeGrace, autoPing: .enabled(timePeriod: pingPeriod))
        var logger = Logger(label: "pocket.backend.websocket")
        logger.logLevel = .critical
        let opened = NIOLockedValueBox(false)
        let id = background.reserveID()
        let task = Task {
            defer { background.remove(.duplexes, id) }
            do {
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { messages, outbound, _ in
                    opened.withLockedValue { $0 = true }
                    dialContinuation.yield(.connected(outbound))
                    dialContinuation.finish()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await message in messages.messages(maxSize: maxMessageBytes) {
                                switch message {
                                case .text(let text): inboundContinuation.yield(.text(text))
                                case .binary(let buffer): inboundContinuation.yield(.binary(Array(buffer.readableBytesView)))
                                }
                            }
                        }
                        group.addTask {
                            for await _ in closeSignal {}
                            try await Task.sleep(for: closeGrace)
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
                inboundContinuation.finish()
            } catch {
                if opened.withLockedValue({ $0 }) {
                    if let client = error as? WebSocketClientError, client == .serverSentMessageTooLarge {
                        inboundContinuation.finish(throwing: .responseTooLarge(service: serviceID, limit: maxMessageBytes))
                    } else if Task.isCancelled {
                        inboundContinuation.finish()
                    } else {
                        inboundContinuation.finish(throwing: .transport(
                            service: serviceID, reason: "the WebSocket of endpoint \(endpoint) failed: \(error)"))
                    }
                } else {
                    dialContinuation.yield(.failed("\(error)"))
                    inboundContinuation.finish()
                }
            }
            dialContinuation.finish()
            closeContinuation.finish()
        }
        background.add(.duplexes, id, task)
        // A consumer that drops the stream without closing still ends the connection.
        inboundContinuation.onTermination { task.cancel() }

        let outcome: DialOutcome? = await withTaskGroup(of: DialOutcome?.self) { group in
            group.addTask {
                for await outcome in dialOutcome { return outcome }
                return .failed("the connection ended before the handshake")
            }
            group.addTask {
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return .failed("cancelled") }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .connected(let writer)?:
            let duplex = LiveBackendDuplex(
                inbound: inbound, serviceID: serviceID, endpoint: endpoint, writer: writer, closeRequested: closeContinuation)
            return .success(duplex)
        case .failed(let reason)?:
            task.cancel()
            if Task.isCancelled { return .failure(AttemptFailure(kind: .cancelled, reason: "dial cancelled")) }
            return .failure(AttemptFailure(kind: .connect, reason: "WebSocket dial of \(url) failed: \(reason)"))
        case nil:
            task.cancel()
            return .failure(AttemptFailure(kind: .timeout, reason: "WebSocket dial of \(url) did not complete in time"))
        }
    }
}
