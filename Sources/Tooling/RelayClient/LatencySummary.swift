/// Latency percentiles computed exactly from every recorded sample (no
/// histogram buckets): the nearest-rank percentile, i.e. the smallest sample
/// such that at least p% of the samples are ≤ it (`sorted[⌈p·n⌉ − 1]`).
/// All values in milliseconds; all zero when there are no samples.
public struct LatencySummary: Codable, Sendable, Equatable {
    public let count: Int
    public let minMs: Double
    public let meanMs: Double
    public let p50Ms: Double
    public let p95Ms: Double
    public let p99Ms: Double
    public let maxMs: Double

    enum CodingKeys: String, CodingKey {
        case count
        case minMs = "min_ms"
        case meanMs = "mean_ms"
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
        case p99Ms = "p99_ms"
        case maxMs = "max_ms"
    }

    public init(samplesMs: [Double]) {
        let sorted = samplesMs.sorted()
        count = sorted.count
        minMs = sorted.first ?? 0
        maxMs = sorted.last ?? 0
        meanMs = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
        p50Ms = Self.percentile(50, sorted: sorted)
        p95Ms = Self.percentile(95, sorted: sorted)
        p99Ms = Self.percentile(99, sorted: sorted)
    }

    public init(samples: [Duration]) {
        self.init(samplesMs: samples.map(\.fractionalMilliseconds))
    }

    /// Nearest-rank percentile `p` (0 < p ≤ 100) of ascending `sorted`; 0 for no samples.
    public static func percentile(_ p: Double, sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

extension Duration {
    /// This duration in (fractional) milliseconds.
    public var fractionalMilliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }

    /// This duration in (fractional) seconds.
    public var fractionalSeconds: Double { fractionalMilliseconds / 1_000 }
}
