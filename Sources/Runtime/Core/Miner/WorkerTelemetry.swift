/// A supplier worker's telemetry: every event carries `supplier` and
/// `epoch`, every counter `supplier`, whichever stage emits it.
struct WorkerTelemetry: Sendable {
    let telemetry: any TelemetryPort
    let supplier: String
    let epoch: Int64

    /// Session transitions are `info`; per-entry events (a discarded stream
    /// entry) are `debug`, so a flood of bad entries is not a flood of log lines.
    func event(_ name: String, level: EventLevel = .info, _ fields: TelemetryLabels) {
        telemetry.event(MinerEvent.component, name, level: level, [("supplier", supplier), ("epoch", String(epoch))] + fields)
    }

    func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels = [], by n: Int64 = 1) {
        telemetry.count(metric, [("supplier", supplier)] + labels, by: n)
    }
}
