import Hummingbird
import NIOConcurrencyHelpers
import RelayRuntime
import RelayRuntimeLive
import Testing

@Suite("Active health checks")
struct HealthCheckTests {
    @Test("failed probes mark an endpoint down (requests fail fast), passing probes bring it back")
    func downAndUp() async throws {
        let healthy = NIOLockedValueBox(true)
        let server = try await TestHTTPBackend.start(id: "a") { request in
            if request.uri == "/healthz" {
                guard request.method == "POST", request.values("X-Probe") == ["1"], request.values("Content-Type") == ["application/json"],
                      String(decoding: request.body, as: UTF8.self) == "{\"ping\":true}" else { return .tagged("a", status: .badRequest) }
                return healthy.withLockedValue { $0 } ? .tagged("a", body: "status: SERVING") : .tagged("a", body: "status: DRAINING")
            }
            return .tagged("a")
        }
        defer { Task { await server.stop() } }
        let check = BackendHealthCheck(
            enabled: true, path: "/healthz", interval: .milliseconds(50), timeout: .seconds(2), unhealthyThreshold: 2, healthyThreshold: 2,
            method: "POST", requestBody: "{\"ping\":true}", contentType: "application/json", expectedBody: "SERVING", expectedStatus: 200,
            headers: [Header("X-Probe", "1")])
        let pool = BackendPoolSettings(endpoints: endpoints(("a", server.url)), healthCheck: check, recoveryTimeout: .seconds(3600))
        let telemetry = RecordingTelemetry()
        try await withBackend(singlePool(pool), telemetry: telemetry, clock: ManualClock(), start: true) { backend in
            try await eventually("a first passing probe") {
                telemetry.counter(RelayerMetrics.backendHealthProbes, [("service", "svc"), ("transport", "jsonrpc"), ("endpoint", "a"), ("result", "pass")]) > 0
            }
            #expect(backend.health().first?.healthy == true)

            healthy.withLockedValue { $0 = false }
            try await eventually("the endpoint marked unhealthy") { backend.health().first?.healthy == false }
            #expect((backend.health().first?.consecutiveProbeFailures ?? 0) >= 2)
            let before = server.requests.filter { $0.uri != "/healthz" }.count
            guard case .unavailable? = await forwardError(backend, relayRequest(path: "/rpc")) else {
                Issue.record("a probed-down endpoint takes no relays")
                return
            }
            #expect(server.requests.filter { $0.uri != "/healthz" }.count == before)

            healthy.withLockedValue { $0 = true }
            try await eventually("the endpoint marked healthy again") { backend.health().first?.healthy == true }
            #expect(try completeAnswer(try await backend.forward(relayRequest(path: "/rpc"))).status == 200)
        }
    }
}
