import HummingbirdWebSocket
import NIOCore

/// One WebSocket connection (`/ws`, or `/` by upgrade): JSON-RPC requests
/// answered as over HTTP; subscriptions that push a bounded number of
/// messages; anything else echoed.
///
/// * `eth_subscribe`: answered with a subscription id, then `repeat_count`
///   (default 5, at most 10 000) `eth_subscription` notifications, `delay_ms` apart.
/// * any other method with `repeat_count` N: N answers to the same id, each
///   with `sequence` (1…N) and `total` members, `delay_ms` apart.
/// * `repeat_count` and `delay_ms` come from the request (top level or
///   `params`) or else from the upgrade URL's query (`/ws?repeat_count=3`).
/// * binary frames come back as the same binary frame; text that is not a
///   JSON-RPC request comes back as the same text.
///
/// Pushes run beside the reading loop, so later requests are answered while
/// a subscription is still pushing; all writes go through one writer task.
struct DemoWebSocketSession: Sendable {
    let rpc: DemoJSONRPC
    let state: DemoBackendState
    /// From the upgrade URL's query.
    let defaultRepeatCount: Int?
    let defaultDelayMilliseconds: Int

    static let maxMessageSize = 16 << 20
    static let defaultSubscriptionPushes = 5
    static let maxPushes = 10_000

    /// The session for an upgrade request whose URL query is `query` (it holds the defaults).
    init(rpc: DemoJSONRPC, state: DemoBackendState, query: [(name: String, value: String)]) {
        self.rpc = rpc
        self.state = state
        func value(_ name: String) -> Int? { query.last { $0.name == name }.flatMap { Int($0.value) } }
        defaultRepeatCount = value("repeat_count").map { min(max($0, 0), Self.maxPushes) }
        defaultDelayMilliseconds = value("delay_ms").map { min(max($0, 0), DemoFaults.maxDelayMilliseconds) } ?? 0
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        await state.count(.websocket)
        let (frames, sink) = AsyncStream<WebSocketOutboundWriter.OutboundFrame>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { try await outbound.write(frame) }
            }
            var subscriptions = 0
            for try await message in inbound.messages(maxSize: Self.maxMessageSize) {
                await state.count(.websocketMessage)
                switch message {
                case .binary(let buffer):
                    sink.yield(.binary(buffer))
                case .text(let text):
                    guard let document = try? DemoJSON.parse(text) else {
                        sink.yield(.text(text))
                        continue
                    }
                    if case .array = document {
                        sink.yield(.text(await rpc.answer(document: document, rpcError: nil).text))
                        continue
                    }
                    guard let method = document["method"]?.stringValue else {
                        sink.yield(.text(text))
                        continue
                    }
                    let repeatCount = document.testParameter("repeat_count")?.integerValue.map { min(max($0, 0), Self.maxPushes) }
                        ?? defaultRepeatCount
                    let delay = document.testParameter("delay_ms")?.integerValue.map { min(max($0, 0), DemoFaults.maxDelayMilliseconds) }
                        ?? defaultDelayMilliseconds
                    if method == "eth_subscribe" {
                        subscriptions += 1
                        let subscription = "0x" + CometStatus.hex(seed: CometStatus.fnv1a(rpc.backendID) &+ UInt64(subscriptions), count: 32)
                        await state.count(method: method)
                        sink.yield(.text(subscribed(id: document["id"] ?? .null, subscription: subscription).text))
                        let pushes = repeatCount ?? Self.defaultSubscriptionPushes
                        group.addTask { [self] in
                            await push(pushes, delayMilliseconds: delay, into: sink, firstAfterDelay: true) { sequence in
                                await notification(subscription: subscription, sequence: sequence, total: pushes)
                            }
                        }
                    } else if let repeatCount {
                        group.addTask { [self] in
                            await push(repeatCount, delayMilliseconds: delay, into: sink, firstAfterDelay: false) { sequence in
                                await rpc.answer(request: document, rpcError: nil)
                                    .appending("sequence", .int(sequence)).appending("total", .int(repeatCount))
                            }
                        }
                    } else {
                        sink.yield(.text(await rpc.answer(request: document, rpcError: nil).text))
                    }
                }
            }
            // The client went away: drop what is still pending.
            sink.finish()
            group.cancelAll()
        }
    }

    private func push(
        _ count: Int, delayMilliseconds: Int, into sink: AsyncStream<WebSocketOutboundWriter.OutboundFrame>.Continuation,
        firstAfterDelay: Bool, message: @Sendable (Int) async -> DemoJSON
    ) async {
        var sequence = 1
        while sequence <= count, !demoStopping {
            if firstAfterDelay || sequence > 1, !(await demoPause(milliseconds: delayMilliseconds)) { return }
            sink.yield(.text(await message(sequence).text))
            sequence += 1
        }
    }

    private func subscribed(id: DemoJSON, subscription: String) -> DemoJSON {
        .object([("jsonrpc", .string("2.0")), ("id", id), ("result", .string(subscription)), ("backend_id", .string(rpc.backendID))])
    }

    private func notification(subscription: String, sequence: Int, total: Int) async -> DemoJSON {
        let height = await state.nextHeight()
        return .object([
            ("jsonrpc", .string("2.0")), ("method", .string("eth_subscription")),
            ("params", .object([
                ("subscription", .string(subscription)),
                ("result", .object([
                    ("number", .string("0x" + String(height, radix: 16))), ("sequence", .int(sequence)), ("total", .int(total)),
                    ("backend_id", .string(rpc.backendID)),
                ])),
            ])),
            ("backend_id", .string(rpc.backendID)),
        ])
    }
}
