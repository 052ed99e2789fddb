import AsyncHTTPClient
import DemoBackend
import Foundation
import Testing

/// SSE and NDJSON streams: the content type, exactly `batches` events, then the end.
@Suite(.timeLimit(.minutes(2)))
struct DemoBackendStreamTests {
    /// The JSON payloads of an SSE body's `data:` lines.
    static func sseEvents(_ text: String) throws -> [[String: Any]] {
        try text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event in
            guard let data = event.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else {
                throw DemoTestFailure("event without data: \(event)")
            }
            guard let object = try JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any] else {
                throw DemoTestFailure("event data is not an object: \(data)")
            }
            return object
        }
    }

    @Test func sseDeliversExactlyTheAskedBatchesThenEnds() async throws {
        try await DemoBackendHarness.run(id: "streamer") { _, endpoints in
            let answer = try await DemoHTTP.get(endpoints.httpURL + "/stream/sse?batches=7&delay_ms=5")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "text/event-stream")
            #expect(answer.header("X-Backend-Id") == "streamer")
            let events = try Self.sseEvents(answer.text)
            #expect(events.count == 7)
            #expect(events.map { $0["sequence"] as? Int } == (1...7).map { Optional($0) })
            #expect(events.allSatisfy { $0["total"] as? Int == 7 && $0["backend_id"] as? String == "streamer" })
            #expect(answer.text.hasPrefix("id: 1\ndata: {"))
        }
    }

    @Test func sseTakesBatchesFromAPOSTBodyAndEchoesTheId() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let answer = try await DemoHTTP.post(
                endpoints.httpURL + "/stream/sse", #"{"jsonrpc":"2.0","id":"s-9","method":"subscribe","params":[{"batches":3}]}"#
            )
            let events = try Self.sseEvents(answer.text)
            #expect(events.count == 3)
            #expect(events.allSatisfy { $0["id"] as? String == "s-9" })

            let defaulted = try await DemoHTTP.get(endpoints.httpURL + "/stream/sse")
            #expect(try Self.sseEvents(defaulted.text).count == 5)
            #expect(defaulted.header("X-Demo-Batches") == "5")

            let capped = try await DemoHTTP.get(endpoints.httpURL + "/stream/sse?batches=1000000")
            #expect(capped.header("X-Demo-Batches") == "10000")
            #expect(try Self.sseEvents(capped.text).count == 10_000)
        }
    }

    @Test func ndjsonDeliversExactlyTheAskedLinesThenEnds() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let answer = try await DemoHTTP.post(endpoints.httpURL + "/stream/ndjson", #"{"batches":4,"delay_ms":1}"#)
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "application/x-ndjson")
            #expect(answer.text.hasSuffix("\n"))
            let lines = answer.text.split(separator: "\n")
            #expect(lines.count == 4)
            let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(objects.map { $0?["sequence"] as? Int } == [1, 2, 3, 4])

            let none = try await DemoHTTP.get(endpoints.httpURL + "/stream/ndjson?batches=0")
            #expect(none.status == 200)
            #expect(none.body.isEmpty)

            let injected = try await DemoHTTP.get(endpoints.httpURL + "/stream/ndjson?status=500")
            #expect(injected.status == 500)

            let stats = try await DemoHTTP.stats(endpoints)
            #expect(stats.count(route: "ndjson") == 3)
        }
    }
}
