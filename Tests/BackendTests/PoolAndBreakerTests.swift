import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import RelayRuntime
import RelayRuntimeLive
import Testing

@Suite("Pools, circuit breaker, retries")
struct PoolAndBreakerTests {
    static func tag(_ response: BackendResponse) throws -> String {
        value("X-Backend-Id", in: try completeAnswer(response).headers).first ?? "?"
    }

    @Test("round_robin alternates between healthy endpoints")
    func roundRobin() async throws {
        let a = try await TestHTTPBackend.start(id: "a") { _ in .tagged("a") }
        let b = try await TestHTTPBackend.start(id: "b") { _ in .tagged("b") }
        defer { Task { await a.stop(); await b.stop() } }
        let pool = BackendPoolSettings(endpoints: endpoints(("a", a.url), ("b", b.url)), loadBalancing: .roundRobin)
        try await withBackend(singlePool(pool)) { backend in
            var tags: [String] = []
            for _ in 0..<6 { tags.append(try Self.tag(try await backend.forward(relayRequest()))) }
            #expect(Set(tags) == ["a", "b"])
            for i in 1..<tags.count { #expect(tags[i] != tags[i - 1], "\(tags)") }
        }
        #expect(a.requestCount == 3)
        #expect(b.requestCount == 3)
    }

    @Test("first_healthy sticks to the first endpoint")
    func firstHealthy() async throws {
        let a = try await TestHTTPBackend.start(id: "a") { _ in .tagged("a") }
        let b = try await TestHTTPBackend.start(id: "b") { _ in .tagged("b") }
        defer { Task { await a.stop(); await b.stop() } }
        let pool = BackendPoolSettings(endpoints: endpoints(("a", a.url), ("b", b.url)), loadBalancing: .firstHealthy)
        try await withBackend(singlePool(pool)) { backend in
            for _ in 0..<5 {
                let tag = try Self.tag(try await backend.forward(relayRequest()))
                #expect(tag == "a")
            }
        }
        #expect(b.requestCount == 0)
    }

    @Test("N consecutive 5xx open the circuit; then unavailable at once, with no request sent")
    func breakerOpensOn5xx() async throws {
        let server = try await TestHTTPBackend.start(id: "a") { _ in .tagged("a", status: .serviceUnavailable) }
        defer { Task { await server.stop() } }
        let telemetry = RecordingTelemetry()
        let pool = BackendPoolSettings(endpoints: endpoints(("a", server.url)), maxRetries: 0, unhealthyThreshold: 3)
        try await withBackend(singlePool(pool), telemetry: telemetry, clock: ManualClock()) { backend in
            for attempt in 1...3 {
                let answer = try completeAnswer(try await backend.forward(relayRequest()))
                #expect(answer.status == 503, "attempt \(attempt): a 5xx is an answer, not an error")
            }
            #expect(backend.health().first?.healthy == false)
            #expect(backend.health().first?.consecutiveFailures == 3)
            for _ in 0..<4 {
                guard case .unavailable(let service, _)? = await forwardError(backend, relayRequest()) else {
                    Issue.record("expected unavailable")
                    return
                }
                #expect(service == "svc")
            }
        }
        #expect(server.requestCount == 3)
        let labels: TelemetryLabels = [("service", "svc"), ("transport", "jsonrpc"), ("endpoint", "a")]
        #expect(telemetry.counter(RelayerMetrics.backendFastFails, [("service", "svc"), ("transport", "jsonrpc")]) == 4)
        #expect(telemetry.counter(RelayerMetrics.backendBreakerTransitions, labels + [("to", "open")]) == 1)
        #expect(telemetry.counter(RelayerMetrics.backendRequests, labels) == 3)
        #expect(telemetry.gaugeValue(RelayerMetrics.backendEndpointHealthy, labels) == 0)
    }

    @Test("refused connections fail the request (transport, a 502) and open the circuit (then unavailable, a fast 503)")
    func breakerOpensOnRefusal() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        let telemetry = RecordingTelemetry()
        let pool = BackendPoolSettings(endpoints: endpoints(("gone", "http://127.0.0.1:\(port)")), maxRetries: 0, unhealthyThreshold: 2)
        try await withBackend(singlePool(pool), telemetry: telemetry, clock: ManualClock()) { backend in
            for attempt in 0..<3 {
                let error = await forwardError(backend, relayRequest())
                switch (attempt, error) {
                case (0..<2, .transport?), (2, .unavailable?): continue
                default:
                    Issue.record("attempt \(attempt): expected transport twice then unavailable, got \(String(describing: error))")
                    return
                }
            }
            #expect(backend.health().first?.healthy == false)
        }
        let labels: TelemetryLabels = [("service", "svc"), ("transport", "jsonrpc"), ("endpoint", "gone")]
        #expect(telemetry.counter(RelayerMetrics.backendRequests, labels) == 2)
        #expect(telemetry.counter(RelayerMetrics.backendErrors, labels + [("reason", "network")]) == 2)
        #expect(telemetry.counter(RelayerMetrics.backendFastFails, [("service", "svc"), ("transport", "jsonrpc")]) == 1)
    }

    @Test("timeouts neither open the circuit nor are retried")
    func timeoutsDoNotCount() async throws {
        let slow = try await TestHTTPBackend.start(id: "slow") { _ in
            try await Task.sleep(for: .seconds(5))
            return .tagged("slow")
        }
        let fast = try await TestHTTPBackend.start(id: "fast") { _ in .tagged("fast") }
        defer { Task { await slow.stop(); await fast.stop() } }
        let pool = BackendPoolSettings(
            endpoints: endpoints(("slow", slow.url), ("fast", fast.url)), loadBalancing: .firstHealthy, maxRetries: 1, unhealthyThreshold: 1)
        let configuration = singlePool(pool, requestTimeout: .milliseconds(300))
        try await withBackend(configuration, clock: ManualClock()) { backend in
            for _ in 0..<3 {
                #expect(await forwardError(backend, relayRequest()) == .timeout(service: "svc", afterMilliseconds: 300))
            }
            #expect(backend.health().allSatisfy { $0.healthy })
            #expect(backend.health().first?.consecutiveFailures == 0)
        }
        #expect(slow.requestCount == 3)
        #expect(fast.requestCount == 0)
    }

    @Test("after the recovery timeout one trial passes; its success closes the circuit, its failure re-opens it")
    func halfOpen() async throws {
        let failing = NIOLockedValueBox(true)
        let server = try await TestHTTPBackend.start(id: "a") { _ in
            failing.withLockedValue { $0 } ? .tagged("a", status: .internalServerError) : .tagged("a")
        }
        defer { Task { await server.stop() } }
        let clock = ManualClock()
        let pool = BackendPoolSettings(
            endpoints: endpoints(("a", server.url)), maxRetries: 0, unhealthyThreshold: 2, recoveryTimeout: .seconds(30))
        try await withBackend(singlePool(pool), clock: clock) { backend in
            _ = try await backend.forward(relayRequest())
            _ = try await backend.forward(relayRequest())
            #expect(server.requestCount == 2)
            #expect(backend.health().first?.healthy == false)

            clock.advance(by: .seconds(29))
            guard case .unavailable? = await forwardError(backend, relayRequest()) else {
                Issue.record("still open before the recovery timeout")
                return
            }
            #expect(server.requestCount == 2)

            // Trial fails: open again for another recovery period.
            clock.advance(by: .seconds(1))
            #expect(try completeAnswer(try await backend.forward(relayRequest())).status == 500)
            #expect(server.requestCount == 3)
            guard case .unavailable? = await forwardError(backend, relayRequest()) else {
                Issue.record("a failed trial re-opens the circuit")
                return
            }
            #expect(server.requestCount == 3)

            // Trial succeeds: closed, and requests flow again.
            failing.withLockedValue { $0 = false }
            clock.advance(by: .seconds(30))
            #expect(try completeAnswer(try await backend.forward(relayRequest())).status == 200)
            #expect(backend.health().first?.healthy == true)
            #expect(backend.health().first?.consecutiveFailures == 0)
            #expect(try completeAnswer(try await backend.forward(relayRequest())).status == 200)
        }
        #expect(server.requestCount == 5)
    }

    @Test("a 5xx is retried on the alternate endpoint, whose success carries Backend-Retries")
    func retryAfter5xx() async throws {
        let bad = try await TestHTTPBackend.start(id: "bad") { _ in .tagged("bad", status: .badGateway) }
        let good = try await TestHTTPBackend.start(id: "good") { _ in .tagged("good") }
        defer { Task { await bad.stop(); await good.stop() } }
        let pool = BackendPoolSettings(endpoints: endpoints(("bad", bad.url), ("good", good.url)), loadBalancing: .firstHealthy, maxRetries: 1)
        try await withBackend(singlePool(pool), clock: ManualClock()) { backend in
            let answer = try completeAnswer(try await backend.forward(relayRequest(body: "{\"id\":7}")))
            #expect(answer.status == 200)
            #expect(value("X-Backend-Id", in: answer.headers) == ["good"])
            #expect(value("Backend-Retries", in: answer.headers) == ["1"])
        }
        #expect(bad.requestCount == 1)
        #expect(String(decoding: try #require(good.requests.first).body, as: UTF8.self) == "{\"id\":7}")
    }

    @Test("a refused connection is retried on the alternate endpoint")
    func retryAfterRefusal() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        let good = try await TestHTTPBackend.start(id: "good") { _ in .tagged("good") }
        defer { Task { await good.stop() } }
        let pool = BackendPoolSettings(
            endpoints: endpoints(("gone", "http://127.0.0.1:\(port)"), ("good", good.url)), loadBalancing: .firstHealthy, maxRetries: 1)
        try await withBackend(singlePool(pool), clock: ManualClock()) { backend in
            let answer = try completeAnswer(try await backend.forward(relayRequest()))
            #expect(value("X-Backend-Id", in: answer.headers) == ["good"])
            #expect(value("Backend-Retries", in: answer.headers) == ["1"])
        }
    }

    @Test("with retries exhausted the last 5xx is the answer; maxRetries 0 never tries another endpoint")
    func retriesExhausted() async throws {
        let a = try await TestHTTPBackend.start(id: "a") { _ in .tagged("a", status: .internalServerError) }
        let b = try await TestHTTPBackend.start(id: "b") { _ in .tagged("b", status: .serviceUnavailable) }
        defer { Task { await a.stop(); await b.stop() } }
        let retrying = BackendPoolSettings(endpoints: endpoints(("a", a.url), ("b", b.url)), loadBalancing: .firstHealthy, maxRetries: 3)
        try await withBackend(singlePool(retrying), clock: ManualClock()) { backend in
            let answer = try completeAnswer(try await backend.forward(relayRequest()))
            #expect(answer.status == 503)
            #expect(value("Backend-Retries", in: answer.headers).isEmpty)
        }
        #expect(a.requestCount == 1)
        #expect(b.requestCount == 1)
        let single = BackendPoolSettings(endpoints: endpoints(("a", a.url), ("b", b.url)), loadBalancing: .firstHealthy, maxRetries: 0)
        try await withBackend(singlePool(single), clock: ManualClock()) { backend in
            let status = try completeAnswer(try await backend.forward(relayRequest())).status
            #expect(status == 500)
        }
        #expect(a.requestCount == 2)
        #expect(b.requestCount == 1)
    }
}
