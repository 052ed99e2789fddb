import NIOConcurrencyHelpers
import RelayRuntime
import RelayRuntimeLive

/// A monotonic clock the test moves by hand, for the breakers' recovery timeouts.
final class ManualClock: Sendable {
    private let nanoseconds = NIOLockedValueBox<Int64>(1_000_000_000)

    var now: MonotonicInstant { MonotonicInstant(nanoseconds: nanoseconds.withLockedValue { $0 }) }

    func advance(by duration: Duration) {
        nanoseconds.withLockedValue { $0 += duration.nanoseconds }
    }

    var source: BackendClock { { [self] in now } }
}

/// Counts what the adapter reported, by metric name and labels.
final class RecordingTelemetry: TelemetryPort {
    private let counters = NIOLockedValueBox<[String: Int64]>([:])
    private let gauges = NIOLockedValueBox<[String: Double]>([:])

    static func key(_ metric: MetricDescriptor, _ labels: TelemetryLabels) -> String {
        metric.name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64) {
        counters.withLockedValue { $0[Self.key(metric, labels), default: 0] += amount }
    }

    func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}

    func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {
        gauges.withLockedValue { $0[Self.key(metric, labels)] = value }
    }

    func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels) {}

    func counter(_ metric: MetricDescriptor, _ labels: TelemetryLabels) -> Int64 {
        counters.withLockedValue { $0[Self.key(metric, labels)] ?? 0 }
    }

    func gaugeValue(_ metric: MetricDescriptor, _ labels: TelemetryLabels) -> Double? {
        gauges.withLockedValue { $0[Self.key(metric, labels)] }
    }
}

/// One service with one pool, the shape most tests need.
func singlePool(
    service: String = "svc", transport: BackendTransport = .jsonRPC, _ pool: BackendPoolSettings, requestTimeout: Duration = .seconds(10),
    maxResponseBodyBytes: Int = 10 * 1024 * 1024
) -> LiveBackendConfiguration {
    LiveBackendConfiguration(services: [
        ServiceBackendSettings(
            serviceID: service, pools: [transport: pool], requestTimeout: requestTimeout, maxResponseBodyBytes: maxResponseBodyBytes)
    ])
}

func endpoints(_ urls: (String, String)...) -> [BackendEndpoint] {
    urls.map { BackendEndpoint(name: $0.0, url: $0.1) }
}

/// A relay-shaped request for `service`.
func relayRequest(
    service: String = "svc", transport: BackendTransport = .jsonRPC, method: String = "POST", path: String = "/",
    headers: [Header] = [], body: String = "{}"
) -> BackendRequest {
    BackendRequest(serviceID: service, transport: transport, method: method, path: path, headers: headers, body: Array(body.utf8))
}

/// Runs `body` with a started adapter and always shuts it down.
func withBackend<Result>(
    _ configuration: LiveBackendConfiguration, telemetry: any TelemetryPort = NullTelemetry(), clock: ManualClock? = nil,
    start: Bool = false, _ body: (LiveBackend) async throws -> Result
) async throws -> Result {
    let backend: LiveBackend
    if let clock {
        backend = try LiveBackend(configuration: configuration, telemetry: telemetry, clock: clock.source)
    } else {
        backend = try LiveBackend(configuration: configuration, telemetry: telemetry)
    }
    if start { backend.start() }
    do {
        let result = try await body(backend)
        await backend.shutdown()
        return result
    } catch {
        await backend.shutdown()
        throw error
    }
}

/// The complete answer of a forward, or a failure that names what came back instead.
func completeAnswer(_ response: BackendResponse) throws -> (status: Int, headers: [Header], body: [UInt8]) {
    guard case .complete(let status, let headers, let body) = response else {
        throw TestSetupError("expected a complete answer, got a stream (status \(response.status))")
    }
    return (status, headers, body)
}

func value(_ name: String, in headers: [Header]) -> [String] {
    headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
}

/// The error a forward threw, or nil if it answered.
func forwardError(_ backend: LiveBackend, _ request: BackendRequest) async -> BackendError? {
    do {
        _ = try await backend.forward(request)
        return nil
    } catch {
        return error
    }
}

/// Polls `condition` until it holds (the check is about a state reached, not how fast).
func eventually(_ what: String, within limit: Duration = .seconds(20), _ condition: () async -> Bool) async throws {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: limit)
    while clock.now < end {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestSetupError("\(what) did not happen within \(limit)")
}
