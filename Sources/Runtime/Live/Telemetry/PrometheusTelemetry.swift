import Logging
import Prometheus
import RelayRuntime

/// The runtime's telemetry in production: metrics into a Prometheus registry
/// (scraped from `/metrics`), events into swift-log. Every declared metric is
/// registered up front so a dashboard sees a zero instead of a missing series
/// before the first relay, and `isEnabled` lets callers skip building the
/// fields of events nobody will log.
public final class PrometheusTelemetry: TelemetryPort, Sendable {
    public let registry: PrometheusCollectorRegistry
    private let logger: Logger
    private let minimumLevel: EventLevel

    /// - Parameters:
    ///   - declared: metrics to register at start (label-less ones get a zero sample).
    ///   - logger: where events go; `minimumLevel` filters them before any formatting.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), declared: [MetricDescriptor], logger: Logger, minimumLevel: EventLevel = .info) {
        self.registry = registry
        self.logger = logger
        self.minimumLevel = minimumLevel
        for metric in declared where metric.labelKeys.isEmpty {
            switch metric.kind {
            case .counter: _ = registry.makeCounter(descriptor: metric.prometheusName)
            case .gauge: _ = registry.makeGauge(descriptor: metric.prometheusName)
            case .histogram: _ = registry.makeValueHistogram(descriptor: metric.prometheusName, buckets: metric.buckets)
            }
        }
    }

    public func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64) {
        guard amount > 0 else { return }
        registry.makeCounter(descriptor: metric.prometheusName, labels: labels).increment(by: amount)
    }

    public func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {
        registry.makeValueHistogram(descriptor: metric.prometheusName, labels: labels, buckets: metric.buckets).record(value)
    }

    public func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {
        registry.makeGauge(descriptor: metric.prometheusName, labels: labels).set(value)
    }

    public func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels) {
        guard level >= minimumLevel else { return }
        var metadata: Logger.Metadata = ["component": .string(component)]
        for (key, value) in fields { metadata[key] = .string(value) }
        logger.log(level: level.logLevel, "\(name)", metadata: metadata)
    }

    /// Whether an event at `level` would be written (callers skip building per-relay fields otherwise).
    public func isEnabled(_ level: EventLevel) -> Bool { level >= minimumLevel }

    /// The exposition text of every metric (the body of `/metrics`).
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension MetricDescriptor {
    /// The registry's name form: our names are complete already (`_total` included), so no unit suffix is added.
    var prometheusName: MetricNameDescriptor { MetricNameDescriptor(metricName: name, unitName: "", helpText: help) }
}

extension EventLevel {
    /// The swift-log level events of this level are written at.
    public var logLevel: Logger.Level {
        switch self {
        case .debug: return .debug
        case .info: return .info
        case .warning: return .warning
        case .error: return .error
        }
    }

    /// Parses `debug`, `info`, `warn`/`warning`, `error` (any case).
    public init?(configName: String) {
        switch configName.lowercased() {
        case "debug", "trace": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error", "fatal", "panic": self = .error
        default: return nil
        }
    }
}
