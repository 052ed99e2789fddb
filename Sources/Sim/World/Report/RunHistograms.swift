import SimKernel

extension SimWorld {
    /// Every histogram the relayers' and miners' runtimes observed, merged
    /// over replicas per metric name and labels (a latency is the service's,
    /// whichever relayer answered), sorted by name.
    func histograms() -> [RunReport.Distribution] {
        var merged: [String: Histogram] = [:]
        for telemetry in relayers.map(\.host.telemetry) + miners.map(\.host.telemetry) {
            for (name, histogram) in telemetry.histogramSnapshot { merged[name, default: Histogram()].merge(histogram) }
        }
        return merged.keys.sorted().map { RunReport.Distribution(name: $0, summary: merged[$0]!.summary) }
    }
}
