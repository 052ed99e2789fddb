/// The first broken invariant of a run: which one, when (simulated time),
/// under which seed, and the event that broke it. With the scenario file
/// this is everything needed to replay the run to that instant.
public struct InvariantViolation: Sendable, Equatable, CustomStringConvertible {
    public let invariant: String
    /// Simulated time since the run's start (the trace's `t`).
    public let nanosecondsSinceStart: Int64
    public let seed: UInt64
    /// The event that broke it (`component event key=value …`), or `end of run` for end-of-run invariants.
    public let event: String
    /// What is wrong, in words.
    public let detail: String

    public init(invariant: String, nanosecondsSinceStart: Int64, seed: UInt64, event: String, detail: String) {
        self.invariant = invariant
        self.nanosecondsSinceStart = nanosecondsSinceStart
        self.seed = seed
        self.event = event
        self.detail = detail
    }

    /// The `event` of a violation found when the run ended.
    public static let endOfRun = "end of run"

    public var simulatedSeconds: Double { Double(nanosecondsSinceStart) / 1e9 }

    public var description: String {
        "\(invariant) violated at t=\(Self.seconds(nanosecondsSinceStart)) s (seed \(seed)): \(detail) [event: \(event)]"
    }

    /// Seconds with millisecond precision, without Foundation formatting.
    static func seconds(_ ns: Int64) -> String {
        let ms = ns / 1_000_000
        let fraction = String(abs(ms % 1000))
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
