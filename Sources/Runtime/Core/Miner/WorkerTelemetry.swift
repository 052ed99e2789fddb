/// A supplier worker's telemetry: every event carries `supplier` and
/// `epoch`, every counter `supplier`, whichever stage emits it.
struct WorkerTelemetry: Sendable {
    let telemetry: any TelemetryPort
    let supplier: String
    let epoch: Int64

    func event(_ name: String, _ fields: TelemetryLabels) {
        telemetry.event(MinerEvent.component, name, [("supplier", supplier), ("epoch", String(epoch))] + fields)
    }

    func count(_ metric: String, _ labels: TelemetryLabels = [], by n: Int64 = 1) {
        telemetry.count(metric, [("supplier", supplier)] + labels, by: n)
    }
}
