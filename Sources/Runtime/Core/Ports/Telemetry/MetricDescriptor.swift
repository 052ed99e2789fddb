/// One metric, declared once: its exported name, kind, help text and label
/// keys. Runtime code passes descriptors, never bare strings, so a Prometheus
/// adapter can register every metric at start and a renamed metric is a
/// compile error, not a silently empty dashboard.
public struct MetricDescriptor: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case counter
        case gauge
        case histogram
    }

    public let name: String
    public let kind: Kind
    public let help: String
    /// The label keys every sample carries, in order.
    public let labelKeys: [String]
    /// Upper bounds of histogram buckets (seconds for latencies); empty for other kinds.
    public let buckets: [Double]

    public init(_ name: String, _ kind: Kind, help: String, labels: [String] = [], buckets: [Double] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        labelKeys = labels
        self.buckets = kind == .histogram && buckets.isEmpty ? MetricDescriptor.latencyBuckets : buckets
    }

    public var description: String { name }

    /// Default latency buckets, 0.5 ms to 30 s.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
}
