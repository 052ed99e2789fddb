/// Every metric the relayer reports. Names follow the reference relay
/// miner's `ha_relayer_*` family where it has the metric, so existing
/// dashboards keep working; the rest are ours, in the same family.
public enum RelayerMetrics {
    public static let relaysReceived = MetricDescriptor(
        "ha_relayer_relays_received_total", .counter, help: "Relay requests received, before any check.")
    public static let relaysServed = MetricDescriptor(
        "ha_relayer_relays_served_total", .counter, help: "Relays answered with a signed response, by what became of them on the way to a claim.",
        labels: ["service", "mining"])
    public static let relaysRejected = MetricDescriptor(
        "ha_relayer_relays_rejected_total", .counter, help: "Relays refused, by reason.", labels: ["service", "reason"])
    public static let relayDuration = MetricDescriptor(
        "ha_relayer_relay_duration_seconds", .histogram, help: "Time from receiving a relay to its answer (streams: to the first chunk).")
    public static let streamsStarted = MetricDescriptor(
        "ha_relayer_streams_started_total", .counter, help: "Relays whose backend answered as an SSE/NDJSON stream.")
    public static let streamChunks = MetricDescriptor(
        "ha_relayer_stream_chunks_total", .counter, help: "Signed chunks delivered on streamed relays.", labels: ["service"])
    public static let meterBypassed = MetricDescriptor(
        "ha_relayer_meter_bypassed_total", .counter, help: "Relays served unmetered because Redis failed and the policy is fail-open.",
        labels: ["service"])
    public static let meterRefunds = MetricDescriptor(
        "ha_relayer_meter_refunds_total", .counter, help: "Charges given back because the relay was not served or not paid.",
        labels: ["service", "reason"])
    public static let meterRefundFailed = MetricDescriptor(
        "ha_relayer_meter_refund_failed_total", .counter, help: "Refunds Redis refused (the budget over-counts; safe for the supplier).",
        labels: ["service"])
    public static let websocketSessionsOpened = MetricDescriptor(
        "ha_relayer_websocket_sessions_opened_total", .counter, help: "WebSocket bridges opened to a backend.", labels: ["service"])
    public static let websocketSessionsClosed = MetricDescriptor(
        "ha_relayer_websocket_sessions_closed_total", .counter, help: "WebSocket bridges closed.", labels: ["service"])
    public static let websocketClientFrames = MetricDescriptor(
        "ha_relayer_websocket_client_frames_total", .counter, help: "Client frames validated, charged and forwarded.", labels: ["service"])
    public static let websocketUnsignedBackendFrames = MetricDescriptor(
        "ha_relayer_websocket_unsigned_backend_frames_total", .counter,
        help: "Backend frames dropped because no valid request preceded them.", labels: ["service"])
    public static let relaysDrained = MetricDescriptor(
        "ha_relayer_relays_refused_draining_total", .counter, help: "Relays refused because the relayer is shutting down.")

    public static let all: [MetricDescriptor] = [
        relaysReceived, relaysServed, relaysRejected, relayDuration, streamsStarted, streamChunks, meterBypassed, meterRefunds,
        meterRefundFailed, websocketSessionsOpened, websocketSessionsClosed, websocketClientFrames, websocketUnsignedBackendFrames,
        relaysDrained,
    ]
}
