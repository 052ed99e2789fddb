import Hummingbird
import NIOCore
import RelayRuntime
import RelayRuntimeLive
import Testing

@Suite("Streamed answers (SSE, NDJSON)")
struct StreamingTests {
    /// A streaming answer written in `pieces`, cut at awkward places on purpose.
    static func streaming(_ contentType: String, _ pieces: [String]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for piece in pieces {
                try await writer.write(ByteBuffer(string: piece))
                try await Task.sleep(for: .milliseconds(5))
            }
            try await writer.finish(nil)
        })
    }

    static func collect(_ response: BackendResponse) async throws(BackendError) -> (status: Int, chunks: [String]) {
        guard case .stream(let status, _, let chunks) = response else { return (response.status, ["<not a stream>"]) }
        var collected: [String] = []
        for try await chunk in chunks { collected.append(String(decoding: chunk, as: UTF8.self)) }
        return (status, collected)
    }

    @Test("NDJSON arrives one line per chunk, newline included, however the backend cut it")
    func ndjsonLines() async throws {
        let server = try await TestHTTPBackend.start { _ in
            Self.streaming("application/x-ndjson", ["{\"a\":1}\n{\"b\"", ":2}\n", "{\"c\":3}\n{\"tail\":true}"])
        }
        defer { Task { await server.stop() } }
        try await withBackend(singlePool(BackendPoolSettings(endpoints: endpoints(("e", server.url))))) { backend in
            let (status, chunks) = try await Self.collect(try await backend.forward(relayRequest()))
            #expect(status == 200)
            #expect(chunks == ["{\"a\":1}\n", "{\"b\":2}\n", "{\"c\":3}\n", "{\"tail\":true}"])
        }
    }

    @Test("SSE arrives one event per chunk (its lines and the blank line that ends it)")
    func sseEvents() async throws {
        let server = try await TestHTTPBackend.start { _ in
            Self.streaming("text/event-stream; charset=utf-8", ["data: one\n", "\nid: 2\ndata: t", "wo\n\n", "data: three\r\n\r\n"])
        }
        defer { Task { await server.stop() } }
        try await withBackend(singlePool(BackendPoolSettings(endpoints: endpoints(("e", server.url))))) { backend in
            let (_, chunks) = try await Self.collect(try await backend.forward(relayRequest()))
            #expect(chunks == ["data: one\n\n", "id: 2\ndata: two\n\n", "data: three\r\n\r\n"])
        }
    }

    @Test("a line longer than 256 KiB fails the stream with responseTooLarge after the lines before it")
    func lineCap() async throws {
        let long = String(repeating: "z", count: 256 * 1024 + 1)
        let server = try await TestHTTPBackend.start { _ in
            Self.streaming("application/x-ndjson", ["{\"ok\":1}\n", long, "\n"])
        }
        defer { Task { await server.stop() } }
        try await withBackend(singlePool(BackendPoolSettings(endpoints: endpoints(("e", server.url))))) { backend in
            guard case .stream(_, _, let chunks) = try await backend.forward(relayRequest()) else {
                Issue.record("expected a stream")
                return
            }
            var received: [String] = []
            var failure: BackendError?
            do throws(BackendError) {
                for try await chunk in chunks { received.append(String(decoding: chunk, as: UTF8.self)) }
            } catch {
                failure = error
            }
            #expect(received == ["{\"ok\":1}\n"])
            #expect(failure == .responseTooLarge(service: "svc", limit: 256 * 1024))
        }
    }

    @Test("a line of exactly 256 KiB passes")
    func lineAtCap() async throws {
        let exact = String(repeating: "y", count: 256 * 1024)
        let server = try await TestHTTPBackend.start { _ in Self.streaming("application/x-ndjson", [exact, "\n"]) }
        defer { Task { await server.stop() } }
        try await withBackend(singlePool(BackendPoolSettings(endpoints: endpoints(("e", server.url))))) { backend in
            let (_, chunks) = try await Self.collect(try await backend.forward(relayRequest()))
            #expect(chunks.map(\.utf8.count) == [256 * 1024 + 1])
        }
    }

    @Test("a consumer that stops reading cancels the backend request")
    func consumerCancellation() async throws {
        let finished = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let server = try await TestHTTPBackend.start { _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/x-ndjson"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                do {
                    for i in 0..<10_000 {
                        try await writer.write(ByteBuffer(string: "{\"n\":\(i)}\n"))
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    finished.continuation.yield(true)
                } catch {
                    finished.continuation.yield(false)
                    throw error
                }
            })
        }
        defer { Task { await server.stop() } }
        try await withBackend(singlePool(BackendPoolSettings(endpoints: endpoints(("e", server.url))))) { backend in
            do {
                guard case .stream(_, _, let chunks) = try await backend.forward(relayRequest()) else {
                    Issue.record("expected a stream")
                    return
                }
                var iterator = chunks.makeAsyncIterator()
                let first = try await iterator.next()
                #expect(first.map { String(decoding: $0, as: UTF8.self) } == "{\"n\":0}\n")
            }
            // The stream is gone: the backend's writer must fail long before its 10 000 lines.
            var outcome: Bool?
            for await value in finished.stream {
                outcome = value
                break
            }
            #expect(outcome == false)
        }
    }
}
