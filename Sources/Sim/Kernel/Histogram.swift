/// Every value one distribution metric observed in a run (e.g.
/// `relayer_relay_duration_seconds`), in the order observed.
///
/// The simulator keeps the raw values rather than Prometheus-style buckets:
/// a run is small enough (8 bytes per observation) and exact quantiles need
/// no bucket layout chosen in advance. The order of `values` is the order of
/// the run, so it is deterministic too; the summaries below do not depend on it.
public struct Histogram: Sendable, Equatable {
    public private(set) var values: [Double] = []

    public init(_ values: [Double] = []) {
        self.values = values
    }

    public mutating func observe(_ value: Double) {
        values.append(value)
    }

    /// Adds another histogram's observations (e.g. the same metric on two relayers).
    public mutating func merge(_ other: Histogram) {
        values += other.values
    }

    public var count: Int { values.count }

    public var sum: Double { values.reduce(0, +) }

    /// The nearest-rank quantile: the smallest observed value with at least
    /// `q` of the observations at or below it (`q` in 0...1; 0 gives the
    /// minimum, 1 the maximum). nil when nothing was observed. An observed
    /// value, never an interpolation, so it reads as "p99 of relays took at
    /// most this long".
    public func quantile(_ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        return Self.nearestRank(values.sorted(), q)
    }

    /// count, sum, p50, p95, p99 and max from one sort.
    public var summary: Summary {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return Summary(count: 0, sum: 0, p50: 0, p95: 0, p99: 0, max: 0) }
        return Summary(count: sorted.count, sum: sum, p50: Self.nearestRank(sorted, 0.50), p95: Self.nearestRank(sorted, 0.95),
                       p99: Self.nearestRank(sorted, 0.99), max: sorted[sorted.count - 1])
    }

    /// `sorted` is not empty.
    private static func nearestRank(_ sorted: [Double], _ q: Double) -> Double {
        let clamped = min(max(q, 0), 1)
        return sorted[max(Int((clamped * Double(sorted.count)).rounded(.up)), 1) - 1]
    }

    /// What a report shows of a distribution (all zero when it is empty).
    public struct Summary: Sendable, Equatable {
        public let count: Int
        public let sum: Double
        public let p50: Double
        public let p95: Double
        public let p99: Double
        public let max: Double

        public init(count: Int, sum: Double, p50: Double, p95: Double, p99: Double, max: Double) {
            self.count = count
            self.sum = sum
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
            self.max = max
        }

        public var mean: Double { count > 0 ? sum / Double(count) : 0 }
    }
}
