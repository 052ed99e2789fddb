import Foundation
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import RelayRuntime

/// One `subscribeBlocks()` call: a WebSocket to the node subscribed to
/// `tm.event='NewBlockHeader'`, feeding an `AsyncStream` of `ChainBlock`s.
///
/// For each event it reads `/block?height=H` (the event's header has no
/// canonical hash). The connection is re-established with backoff when it
/// drops; after a reconnect the node's latest block is yielded first if it
/// is newer than the last block yielded, and older heights are never yielded
/// (events of heights ≤ the last one are skipped). Blocks committed while
/// disconnected are not replayed: the port is at-most-once.
///
/// The WebSocket client's API is async, so the loop runs in a task of its
/// own, cancelled when the consumer drops the stream. (This is live code; the
/// simulator never runs it.)
final class CometBlockSubscription: Sendable {
    let blocks: AsyncStream<ChainBlock>
    private let continuation: AsyncStream<ChainBlock>.Continuation
    private let client: CometBFTClient
    private let state = NIOLockedValueBox(State())

    /// The subscription request id; events carry it back.
    static let requestID = "pocket-relay-miner-new-block-header"
    static let query = "tm.event='NewBlockHeader'"

    private struct State {
        var task: Task<Void, Never>?
        var lastHeight: Int64 = 0
        var cancelled = false
    }

    init(client: CometBFTClient) {
        self.client = client
        (blocks, continuation) = AsyncStream.makeStream(
            of: ChainBlock.self, bufferingPolicy: .bufferingNewest(client.configuration.subscriptionBufferSize)
        )
    }

    private var wsURL: String { client.configuration.webSocketURL }

    /// Starts the loop and waits for the node's first subscription answer;
    /// throws (and stops) if the first attempt fails.
    func start() async throws(ChainError) {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: ChainError?.self, bufferingPolicy: .bufferingNewest(1))
        let task = Task { [self] in
            await run(onFirstOutcome: { outcome in
                readyContinuation.yield(outcome)
                readyContinuation.finish()
            })
        }
        state.withLockedValue { $0.task = task }
        continuation.onTermination = { [weak self] _ in self?.cancel() }
        var outcome: ChainError?? = nil
        for await first in ready {
            outcome = first
            break
        }
        switch outcome {
        case .some(.none):
            return
        case .some(.some(let error)):
            cancel()
            throw error
        case .none:
            cancel()
            throw .unavailable("subscribe at \(wsURL): cancelled before the node answered")
        }
    }

    private func cancel() {
        let task = state.withLockedValue { s -> Task<Void, Never>? in
            s.cancelled = true
            return s.task
        }
        task?.cancel()
        continuation.finish()
    }

    // MARK: The loop

    /// Connects, serves the connection until it ends, waits, reconnects.
    private func run(onFirstOutcome: @escaping @Sendable (ChainError?) -> Void) async {
        let policy = client.configuration.reconnectBackoff
        let reported = NIOLockedValueBox(false)
        let report: @Sendable (ChainError?) -> Void = { outcome in
            let first = reported.withLockedValue { done in
                defer { done = true }
                return !done
            }
            if first { onFirstOutcome(outcome) }
        }
        var failures = 0
        var connections = 0
        while !Task.isCancelled {
            let acknowledged = NIOLockedValueBox(false)
            let reconnect = connections > 0
            let error = await connect(isReconnect: reconnect) {
                acknowledged.withLockedValue { $0 = true }
                report(nil)
            }
            if Task.isCancelled { break }
            if acknowledged.withLockedValue({ $0 }) {
                connections += 1
                failures = 1
            } else {
                failures += 1
                // The first attempt's failure is the caller's error; later ones are retried quietly.
                report(error ?? .unavailable("subscribe at \(wsURL): the node closed the connection before answering"))
            }
            if reported.withLockedValue({ $0 }) && connections == 0 { break }
            do { try await Task.sleep(for: policy.delay(afterFailures: failures)) } catch { break }
        }
        report(.unavailable("subscribe at \(wsURL): cancelled"))
        continuation.finish()
    }

    /// One connection: subscribe, wait for the acknowledgement, then turn
    /// events into blocks until the connection ends. Returns why it ended
    /// (nil for a clean close).
    private func connect(isReconnect: Bool, onAcknowledged: @escaping @Sendable () -> Void) async -> ChainError? {
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: client.configuration.maxResponseBytes,
            autoPing: .enabled(timePeriod: client.configuration.pingInterval)
        )
        var logger = Logger(label: "pocket.cometbft.subscription")
        logger.logLevel = .critical
        let subscribe = "{\"jsonrpc\":\"2.0\",\"id\":\"\(Self.requestID)\",\"method\":\"subscribe\",\"params\":{\"query\":\"\(Self.query)\"}}"
        do {
            try await WebSocketClient.connect(url: wsURL, configuration: configuration, logger: logger) { [self] inbound, outbound, _ in
                try await outbound.write(.text(subscribe))
                var messages = inbound.messages(maxSize: client.configuration.maxResponseBytes).makeAsyncIterator()
                // Until the acknowledgement: anything else is ignored, an error ends the attempt.
                while true {
                    guard let message = try await messages.next() else { return }
                    guard let decoded = try decode(message) else { continue }
                    if let error = decoded.error { throw SubscriptionRefused(error: error) }
                    if decoded.id == .string(Self.requestID), decoded.result?.data == nil { break }
                }
                onAcknowledged()
                if isReconnect, let latest = try? await client.latestBlock() { deliver(latest) }
                while let message = try await messages.next() {
                    guard let decoded = try decode(message), let header = decoded.result?.data?.value?.header else { continue }
                    let height = header.height.value
                    guard height > state.withLockedValue({ $0.lastHeight }) else { continue }
                    // A block that cannot be read now is skipped: the next event brings a newer one.
                    if let block = try? await client.block(at: height) { deliver(block) }
                }
            }
            return nil
        } catch let refused as SubscriptionRefused {
            return .invalidResponse("subscribe at \(wsURL): \(refused.error)")
        } catch let undecodable as UndecodableMessage {
            return .invalidResponse("subscribe at \(wsURL): \(undecodable.reason)")
        } catch {
            return .unavailable("subscribe at \(wsURL): \(error)")
        }
    }

    /// Yields `block` unless it is not newer than the last one yielded.
    private func deliver(_ block: ChainBlock) {
        let fresh = state.withLockedValue { s -> Bool in
            guard !s.cancelled, block.height > s.lastHeight else { return false }
            s.lastHeight = block.height
            return true
        }
        if fresh { continuation.yield(block) }
    }

    /// nil for a binary frame (CometBFT only sends text); throws on text that is not JSON-RPC.
    private func decode(_ message: WebSocketMessage) throws -> CometWebSocketMessage? {
        guard case .text(let text) = message else { return nil }
        do {
            return try JSONDecoder().decode(CometWebSocketMessage.self, from: Data(text.utf8))
        } catch {
            throw UndecodableMessage(reason: "undecodable message: \(CometRPCTransport.describe(error)); starts \(CometRPCTransport.preview(Data(text.utf8)))")
        }
    }
}

/// The node answered `subscribe` with a JSON-RPC error.
private struct SubscriptionRefused: Error {
    let error: CometRPCError
}

private struct UndecodableMessage: Error {
    let reason: String
}
