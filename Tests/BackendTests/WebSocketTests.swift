import Hummingbird
import HummingbirdWebSocket
import NIOCore
import RelayRuntime
import RelayRuntimeLive
import Testing

@Suite("WebSocket bridges")
struct WebSocketTests {
    /// `/echo` echoes every message; `/bye` answers the first message with "bye" and closes.
    /// (Both speak only after the client did, as a relay backend does: the WebSocket client can
    /// lose frames a server pushes in the same instant as its handshake answer.)
    static func start() async throws -> TestHTTPBackend {
        try await TestHTTPBackend.start(
            id: "ws",
            webSocket: { request, inbound, outbound in
                if request.uri.hasSuffix("/bye") {
                    var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                    _ = try await messages.next()
                    try await outbound.write(.text("bye"))
                    try await outbound.close(.normalClosure, reason: "done")
                    return
                }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .text(let text): try await outbound.write(.text("echo:" + text))
                    case .binary(let buffer): try await outbound.write(.binary(buffer))
                    }
                }
            },
            { _ in Response(status: .notFound) })
    }

    static func wsPool(_ server: TestHTTPBackend) -> LiveBackendConfiguration {
        singlePool(transport: .websocket, BackendPoolSettings(
            endpoints: endpoints(("ws", "ws://127.0.0.1:\(server.port)")), basePath: "/v1", headers: [Header("X-Pool", "p")]))
    }

    @Test("messages go to the backend and come back, text and binary; handshake carries path and pool headers")
    func echo() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        try await withBackend(Self.wsPool(server)) { backend in
            let duplex = try await backend.openDuplex(serviceID: "svc", path: "/echo", headers: [Header("Pocket-Supplier", "pokt1s")])
            var inbound = duplex.inbound.makeAsyncIterator()
            try await duplex.send(.text("hello"))
            #expect(try await inbound.next() == .text("echo:hello"))
            try await duplex.send(.binary([0, 1, 2, 255]))
            #expect(try await inbound.next() == .binary([0, 1, 2, 255]))
            await duplex.close()
            #expect(try await inbound.next() == nil)
        }
        let handshake = try #require(server.requests.first)
        #expect(handshake.uri == "/v1/echo")
        #expect(handshake.values("X-Pool") == ["p"])
        #expect(handshake.values("Pocket-Supplier") == ["pokt1s"])
    }

    @Test("a backend close ends inbound normally after its last message")
    func backendClose() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        try await withBackend(Self.wsPool(server)) { backend in
            let duplex = try await backend.openDuplex(serviceID: "svc", path: "/bye", headers: [])
            try await duplex.send(.text("hi"))
            var messages: [DuplexMessage] = []
            for try await message in duplex.inbound { messages.append(message) }
            #expect(messages == [.text("bye")])
            await duplex.close()
        }
    }

    @Test("a dial that fails is unavailable and counts against the endpoint")
    func dialFailure() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        let pool = BackendPoolSettings(endpoints: endpoints(("gone", "ws://127.0.0.1:\(port)")), maxRetries: 0, unhealthyThreshold: 1)
        try await withBackend(singlePool(transport: .websocket, pool), clock: ManualClock()) { backend in
            do throws(BackendError) {
                _ = try await backend.openDuplex(serviceID: "svc", path: "/", headers: [])
                Issue.record("dialling a closed port succeeded")
            } catch {
                guard case .unavailable(let service, _) = error else {
                    Issue.record("expected unavailable, got \(error)")
                    return
                }
                #expect(service == "svc")
            }
            #expect(backend.health().first?.healthy == false)
        }
    }
}
