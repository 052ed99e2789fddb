import Foundation
import RelayRuntime

/// The runtime's telemetry inside a simulation: events go into the trace at
/// virtual time (so they are part of the trace hash), counters, gauges and
/// histograms are kept for the run report.
public final class TraceTelemetry: TelemetryPort, @unchecked Sendable {
    private let trace: SimTrace
    private let clock: SimClock
    private let node: String
    private let lock = NSLock()
    private var counters: [String: Int64] = [:]
    private var gauges: [String: Double] = [:]
    private var histograms: [String: Histogram] = [:]

    /// `node` prefixes every event's component, so events of replicas stay apart.
    public init(trace: SimTrace, clock: SimClock, node: String) {
        self.trace = trace
        self.clock = clock
        self.node = node
    }

    public func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64) {
        let key = Self.key(metric.name, labels)
        lock.lock()
        counters[key, default: 0] += amount
        lock.unlock()
    }

    public func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {
        let key = Self.key(metric.name, labels)
        lock.lock()
        histograms[key, default: Histogram()].observe(value)
        lock.unlock()
    }

    public func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {
        let key = Self.key(metric.name, labels)
        lock.lock()
        gauges[key] = value
        lock.unlock()
    }

    /// Every level goes into the trace: a replay must see what production would only log at debug.
    public func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels) {
        trace.record(at: clock.now, component: node.isEmpty ? component : "\(node)/\(component)", event: name, fields: fields)
    }

    /// Counter values sorted by key (`name{label=value,…}`).
    public var counterSnapshot: [(String, Int64)] {
        lock.lock()
        defer { lock.unlock() }
        return counters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Histograms sorted by key (`name{label=value,…}`), so a report lists
    /// them in the same order on every run.
    public var histogramSnapshot: [(String, Histogram)] {
        lock.lock()
        defer { lock.unlock() }
        return histograms.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The total of a counter over all label sets.
    public func total(_ name: String) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return counters.filter { $0.key == name || $0.key.hasPrefix(name + "{") }.values.reduce(0, +)
    }

    static func key(_ name: String, _ labels: TelemetryLabels) -> String {
        labels.isEmpty ? name : name + "{" + labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }
}
