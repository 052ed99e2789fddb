import DemoBackend
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Testing

/// The WebSocket endpoint with a real client: JSON-RPC answers, bounded
/// subscriptions, repeated answers, and echo of binary and plain text.
@Suite(.timeLimit(.minutes(2)))
struct DemoBackendWebSocketTests {
    /// Messages a client saw, in order.
    actor Received {
        private(set) var messages: [WebSocketMessage] = []
        func append(_ message: WebSocketMessage?) { if let message { messages.append(message) } }

        /// The text messages as JSON objects.
        nonisolated func objects() async throws -> [[String: Any]] {
            try await messages.map { message in
                guard case .text(let text) = message,
                      let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    throw DemoTestFailure("not a JSON text message: \(message)")
                }
                return object
            }
        }
    }

    static var logger: Logger {
        var logger = Logger(label: "test.demo-backend.ws")
        logger.logLevel = .critical
        return logger
    }

    @Test func subscriptionPushesExactlyRepeatCountNotificationsThenStops() async throws {
        try await DemoBackendHarness.run(id: "ws-backend", startHeight: 10) { _, endpoints in
            let received = Received()
            try await WebSocketClient.connect(url: endpoints.webSocketURL, logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                try await outbound.write(.text(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads",{"repeat_count":3,"delay_ms":5}]}"#))
                for _ in 0..<4 { await received.append(try await messages.next()) }
                // Answered after the pushes: nothing else was queued in between.
                try await outbound.write(.text(#"{"jsonrpc":"2.0","id":99,"method":"eth_blockNumber"}"#))
                await received.append(try await messages.next())
                try await outbound.close(.normalClosure, reason: nil)
                while let message = try await messages.next() { await received.append(message) }
            }
            let objects = try await received.objects()
            #expect(objects.count == 5)
            let subscription = try #require(objects[0]["result"] as? String)
            #expect(objects[0]["id"] as? Int == 1)
            #expect(subscription.hasPrefix("0x"))
            let notifications = objects[1...3]
            #expect(notifications.allSatisfy { $0["method"] as? String == "eth_subscription" })
            let results = notifications.map { ($0["params"] as? [String: Any])?["result"] as? [String: Any] }
            #expect(notifications.allSatisfy { ($0["params"] as? [String: Any])?["subscription"] as? String == subscription })
            #expect(results.map { $0?["sequence"] as? Int } == [1, 2, 3])
            #expect(results.allSatisfy { $0?["total"] as? Int == 3 && $0?["backend_id"] as? String == "ws-backend" })
            #expect(try results.map { try demoHexQuantity($0?["number"]) } == [10, 11, 12])
            #expect(objects[4]["id"] as? Int == 99)
            #expect(try demoHexQuantity(objects[4]["result"]) == 13)
        }
    }

    @Test func repeatCountFromParamsOrURLQueryRepeatsTheAnswer() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let received = Received()
            try await WebSocketClient.connect(url: endpoints.webSocketURL, logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                try await outbound.write(.text(#"{"jsonrpc":"2.0","id":"r","method":"eth_call","params":[{"repeat_count":4}]}"#))
                for _ in 0..<4 { await received.append(try await messages.next()) }
                try await outbound.close(.normalClosure, reason: nil)
                while let message = try await messages.next() { await received.append(message) }
            }
            let objects = try await received.objects()
            #expect(objects.count == 4)
            #expect(objects.allSatisfy { $0["id"] as? String == "r" && $0["total"] as? Int == 4 })
            #expect(objects.map { $0["sequence"] as? Int } == [1, 2, 3, 4])
            #expect(objects.allSatisfy { ($0["result"] as? [String: Any])?["method"] as? String == "eth_call" })

            // Defaults from the upgrade URL, on the root path.
            let fromQuery = Received()
            try await WebSocketClient.connect(url: endpoints.httpURL.replacingOccurrences(of: "http:", with: "ws:") + "/?repeat_count=2",
                                              logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                try await outbound.write(.text(#"{"jsonrpc":"2.0","id":8,"method":"web3_clientVersion"}"#))
                for _ in 0..<2 { await fromQuery.append(try await messages.next()) }
                try await outbound.close(.normalClosure, reason: nil)
                while let message = try await messages.next() { await fromQuery.append(message) }
            }
            #expect(try await fromQuery.objects().map { $0["sequence"] as? Int } == [1, 2])
        }
    }

    @Test func binaryAndPlainTextAreEchoedAsSent() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let received = Received()
            try await WebSocketClient.connect(url: endpoints.webSocketURL, logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                try await outbound.write(.binary(ByteBuffer(bytes: [0x00, 0x01, 0xFE, 0xFF])))
                await received.append(try await messages.next())
                try await outbound.write(.text("hello, not json"))
                await received.append(try await messages.next())
                try await outbound.write(.text(#"{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}"#))
                await received.append(try await messages.next())
                try await outbound.close(.normalClosure, reason: nil)
                while let message = try await messages.next() { await received.append(message) }
            }
            let messages = await received.messages
            #expect(messages.count == 3)
            #expect(messages.first == .binary(ByteBuffer(bytes: [0x00, 0x01, 0xFE, 0xFF])))
            #expect(messages.dropFirst().first == .text("hello, not json"))
            guard case .text(let answer)? = messages.last else { Issue.record("no JSON-RPC answer"); return }
            #expect(answer.contains(#""id":2,"#))
        }
    }

    @Test func connectionsAndMessagesAreCounted() async throws {
        try await DemoBackendHarness.run { server, endpoints in
            try await WebSocketClient.connect(url: endpoints.webSocketURL, logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                for id in 1...3 {
                    try await outbound.write(.text(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#))
                    _ = try await messages.next()
                }
                try await outbound.close(.normalClosure, reason: nil)
                while try await messages.next() != nil {}
            }
            let stats = await server.stats()
            #expect(stats.count(route: "websocket") == 1)
            #expect(stats.count(route: "websocket_message") == 3)
            #expect(stats.methods["eth_chainId"] == 3)
        }
    }
}
