import AsyncHTTPClient
import DemoBackend
import Foundation
import NIOCore
import Testing

/// Faults asked per request (query parameter or header), each observed by a
/// real client: status, delay, gzip, size, close, JSON-RPC error.
@Suite(.timeLimit(.minutes(2)))
struct DemoBackendFaultTests {
    static let request = #"{"jsonrpc":"2.0","id":"f1","method":"eth_blockNumber"}"#

    @Test func statusByQueryAndByHeader() async throws {
        try await DemoBackendHarness.run(id: "faulty") { _, endpoints in
            let byQuery = try await DemoHTTP.post(endpoints.httpURL + "/?status=503", Self.request)
            #expect(byQuery.status == 503)
            #expect(byQuery.header("X-Backend-Id") == "faulty")
            let error = try #require(try byQuery.object()["error"] as? [String: Any])
            #expect(error["code"] as? Int == 503)

            let byHeader = try await DemoHTTP.get(endpoints.httpURL + "/health", headers: [("X-Demo-Status", "429")])
            #expect(byHeader.status == 429)

            // The query wins over the header.
            let both = try await DemoHTTP.post(endpoints.httpURL + "/?status=502", Self.request, headers: [("X-Demo-Status", "500")])
            #expect(both.status == 502)

            let malformed = try await DemoHTTP.post(endpoints.httpURL + "/?status=abc", Self.request)
            #expect(malformed.status == 400)
            #expect(malformed.text.contains("status=abc"))

            let stats = try await DemoHTTP.stats(endpoints)
            #expect(stats.injected["status"] == 3)
        }
    }

    @Test func delayHoldsTheAnswerBack() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let clock = ContinuousClock()
            let start = clock.now
            let delayed = try await DemoHTTP.post(endpoints.httpURL + "/?delay_ms=300", Self.request)
            let elapsed = clock.now - start
            #expect(delayed.status == 200)
            #expect(try delayed.object()["id"] as? String == "f1")
            // A lower bound only: the answer cannot come before the backend's sleep ends.
            #expect(elapsed >= .milliseconds(300))

            let byHeader = clock.now
            _ = try await DemoHTTP.post(endpoints.httpURL, Self.request, headers: [("X-Demo-Delay-Ms", "200")])
            #expect(clock.now - byHeader >= .milliseconds(200))

            // A client deadline shorter than the delay sees a timeout.
            await #expect(throws: HTTPClientError.self) {
                _ = try await DemoHTTP.send("POST", endpoints.httpURL + "/?delay_ms=5000", body: Self.request, timeout: .milliseconds(200))
            }
            #expect(try await DemoHTTP.stats(endpoints).injected["delay"] == 3)
        }
    }

    @Test func gzipIsSentEvenToAClientThatAskedForIdentity() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            // A client that does not inflate sees the gzip bytes.
            let raw = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(decompression: .disabled))
            let answer: DemoHTTPAnswer
            do {
                answer = try await DemoHTTP.send("POST", endpoints.httpURL + "/?gzip=1", body: Self.request,
                                                 headers: [("Accept-Encoding", "identity")], client: raw)
            } catch {
                try await raw.shutdown()
                throw error
            }
            try await raw.shutdown()
            #expect(answer.status == 200)
            #expect(answer.header("Content-Encoding") == "gzip")
            #expect(Array(answer.body.prefix(3)) == [0x1F, 0x8B, 0x08])

            // A client that inflates (the shared client does) gets the JSON back.
            let inflated = try await DemoHTTP.post(endpoints.httpURL, Self.request, headers: [("X-Demo-Gzip", "1")])
            let object = try inflated.object()
            #expect(object["id"] as? String == "f1")
            #expect(object["backend_id"] as? String == "demo-test")
            #expect(try demoHexQuantity(object["result"]) == 2)

            // Large bodies span several stored blocks (64 KiB each) and still inflate.
            let big = try await DemoHTTP.post(endpoints.httpURL + "/?gzip=1&size=200000", Self.request)
            #expect(big.body.count == 200_000)
            #expect(try big.object()["id"] as? String == "f1")
            #expect(try await DemoHTTP.stats(endpoints).injected["gzip"] == 3)
        }
    }

    @Test func sizePadsTheBodyToExactlyNBytes() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let padded = try await DemoHTTP.post(endpoints.httpURL + "/?size=4096", Self.request)
            #expect(padded.body.count == 4096)
            let object = try padded.object()
            #expect(object["id"] as? String == "f1")
            #expect((object["padding"] as? String)?.allSatisfy { $0 == "x" } == true)

            let batch = try await DemoHTTP.post(endpoints.httpURL, "[\(Self.request),\(Self.request)]", headers: [("X-Demo-Size", "1000")])
            #expect(batch.body.count == 1000)
            #expect((try batch.json() as? [Any])?.count == 2)

            // Smaller than the answer: unchanged.
            let small = try await DemoHTTP.post(endpoints.httpURL + "/?size=10", Self.request)
            #expect(small.body.count > 10)
            #expect(try small.object()["padding"] == nil)
        }
    }

    @Test func closeDropsTheConnectionWithoutAnAnswer() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            await #expect(throws: HTTPClientError.self) {
                _ = try await DemoHTTP.post(endpoints.httpURL + "/?close=1", Self.request)
            }
            await #expect(throws: HTTPClientError.self) {
                _ = try await DemoHTTP.get(endpoints.httpURL + "/health", headers: [("X-Demo-Close", "1")])
            }
            // The backend keeps serving other connections.
            let after = try await DemoHTTP.post(endpoints.httpURL, Self.request)
            #expect(after.status == 200)
            let stats = try await DemoHTTP.stats(endpoints)
            #expect(stats.injected["close"] == 2)
            #expect(stats.count(route: "jsonrpc") == 2)
        }
    }

    @Test func rpcErrorAnswersEveryRequestWithThatCode() async throws {
        try await DemoBackendHarness.run { _, endpoints in
            let answer = try await DemoHTTP.post(endpoints.httpURL + "/?rpc_error=-32005", Self.request)
            #expect(answer.status == 200)
            let object = try answer.object()
            #expect(object["id"] as? String == "f1")
            #expect((object["error"] as? [String: Any])?["code"] as? Int == -32005)
            #expect(object["result"] == nil)
        }
    }
}
