/// A metric or event label (name, value). An ordered list rather than a
/// dictionary so output order never depends on hashing.
public typealias TelemetryLabels = [(String, String)]

/// How important an event is. Production logs `info` and above by default;
/// per-relay events are `debug`, so a busy relayer does not write a log line
/// per relay. The simulator's trace keeps every level.
public enum EventLevel: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case debug = 0
    case info = 1
    case warning = 2
    case error = 3

    public static func < (a: EventLevel, b: EventLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warn"
        case .error: return "error"
        }
    }
}

/// How runtime code reports what it did. Production exports Prometheus
/// metrics and JSON logs; the simulator writes the same calls into its
/// trace, so a replayed run shows exactly what the runtime reported. Every
/// metric is one of the declared `MetricDescriptor`s (see `RelayerMetrics`,
/// `MinerMetrics`), so an exporter can register them all up front.
public protocol TelemetryPort: Sendable {
    /// Adds `amount` to a monotonically increasing counter.
    func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64)
    /// Records one observation of a distribution (latency in seconds, sizes).
    func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double)
    /// Sets a gauge to its current value.
    func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double)
    /// A discrete, structured event (state transition, decision, failure) with its fields.
    func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels)
    /// Whether an event at `level` is kept. Per-relay code asks first, so a
    /// production relayer logging at `info` does not format fields (hex
    /// hashes, messages) for thousands of debug events a second.
    func isEnabled(_ level: EventLevel) -> Bool
}

extension TelemetryPort {
    /// Keeps every level unless the adapter filters (the simulator's trace keeps all).
    public func isEnabled(_ level: EventLevel) -> Bool { true }

    public func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels = []) { count(metric, labels, by: 1) }

    /// An `info` event: a state change an operator wants in the log.
    public func event(_ component: String, _ name: String, _ fields: TelemetryLabels) {
        event(component, name, level: .info, fields)
    }
}

/// Discards everything; for tools and tests that do not look at telemetry.
public struct NullTelemetry: TelemetryPort {
    public init() {}
    public func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64) {}
    public func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    public func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    public func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels) {}
    public func isEnabled(_ level: EventLevel) -> Bool { false }
}
