import RelayRuntime
import SimKernel
import Testing

/// The simulator's telemetry keeps distributions (it used to drop every
/// `observe`), and their summaries are exact nearest-rank quantiles.
@Suite struct HistogramTests {
    @Test func quantilesAreNearestRankOverObservedValues() {
        var h = Histogram()
        for v in (1...100).reversed() { h.observe(Double(v)) }
        #expect(h.count == 100)
        #expect(h.sum == 5050)
        #expect(h.quantile(0.5) == 50)
        #expect(h.quantile(0.95) == 95)
        #expect(h.quantile(0.99) == 99)
        #expect(h.quantile(0) == 1)
        #expect(h.quantile(1) == 100)
        let s = h.summary
        #expect(s == Histogram.Summary(count: 100, sum: 5050, p50: 50, p95: 95, p99: 99, max: 100))
        #expect(s.mean == 50.5)
    }

    @Test func smallAndEmptyHistograms() {
        #expect(Histogram().quantile(0.5) == nil)
        #expect(Histogram().summary == Histogram.Summary(count: 0, sum: 0, p50: 0, p95: 0, p99: 0, max: 0))
        let three = Histogram([0.3, 0.1, 0.2])
        #expect(three.quantile(0.5) == 0.2)
        #expect(three.quantile(0.99) == 0.3)
        var merged = Histogram([1])
        merged.merge(Histogram([3, 2]))
        #expect(merged.values == [1, 3, 2])
        #expect(merged.summary.p50 == 2)
    }

    @Test func traceTelemetryRecordsObservationsPerNameAndLabels() {
        let kernel = SimKernel(seed: 1)
        let telemetry = TraceTelemetry(trace: kernel.trace, clock: kernel.clock, node: "relayer-1")
        let backend = MetricDescriptor("backend_seconds", .histogram, help: "test", labels: ["service"])
        telemetry.observe(RelayerMetrics.relayDuration, [], value: 0.006)
        telemetry.observe(RelayerMetrics.relayDuration, [], value: 0.004)
        telemetry.observe(backend, [("service", "anvil")], value: 0.5)
        let snapshot = telemetry.histogramSnapshot
        #expect(snapshot.map(\.0) == ["backend_seconds{service=anvil}", "ha_relayer_relay_duration_seconds"])
        #expect(snapshot[1].1.values == [0.006, 0.004])
        #expect(snapshot[1].1.summary.p50 == 0.004)
        #expect(kernel.trace.eventCount == 0, "observations are not trace events: the trace hash does not change")
    }
}
