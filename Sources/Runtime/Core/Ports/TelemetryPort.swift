/// A metric or event label (name, value). An ordered list rather than a
/// dictionary so output order never depends on hashing.
public typealias TelemetryLabels = [(String, String)]

/// How runtime code reports what it did. Production exports Prometheus
/// metrics and JSON logs; the simulator writes the same calls into its
/// trace, so a replayed run shows exactly what the runtime reported.
public protocol TelemetryPort: Sendable {
    /// Adds `amount` to a monotonically increasing counter.
    func count(_ name: String, _ labels: TelemetryLabels, by amount: Int64)
    /// Records one observation of a distribution (latency in seconds, sizes).
    func observe(_ name: String, _ labels: TelemetryLabels, value: Double)
    /// Sets a gauge to its current value.
    func gauge(_ name: String, _ labels: TelemetryLabels, value: Double)
    /// A discrete, structured event (state transition, decision, failure) with its fields.
    func event(_ component: String, _ name: String, _ fields: TelemetryLabels)
}

extension TelemetryPort {
    public func count(_ name: String, _ labels: TelemetryLabels = []) { count(name, labels, by: 1) }
}

/// Discards everything; for tools and tests that do not look at telemetry.
public struct NullTelemetry: TelemetryPort {
    public init() {}
    public func count(_ name: String, _ labels: TelemetryLabels, by amount: Int64) {}
    public func observe(_ name: String, _ labels: TelemetryLabels, value: Double) {}
    public func gauge(_ name: String, _ labels: TelemetryLabels, value: Double) {}
    public func event(_ component: String, _ name: String, _ fields: TelemetryLabels) {}
}
