/// One always-on invariant. It sees every `WorldEvent` as the run goes and
/// answers with what is wrong as soon as something is (a live invariant), or
/// waits for the end of the run (`finish`) when only the outcome can tell.
/// The monitor keeps only the first violation of the run.
protocol InvariantCheck: Sendable {
    /// The name reports and scenarios use (`zero_drift`, …).
    var name: String { get }
    /// Whether it is decided by `finish` (so a run stopped early never decided it).
    var checkedAtEnd: Bool { get }
    /// nil while the invariant holds; else what broke it. `nanoseconds`: simulated time since the start.
    mutating func observe(_ event: WorldEvent, at nanoseconds: Int64) -> String?
    /// Checked once when the run has ended; nil when it holds.
    func finish(_ end: EndOfRun) -> String?
}

extension InvariantCheck {
    func finish(_ end: EndOfRun) -> String? { nil }
}

/// What only the end of a run can tell, gathered from the world's final
/// state (typed values, no trace parsing) and the monitor's drift tally.
struct EndOfRun: Sendable {
    /// Simulated time at which the run ended.
    var nanosecondsSinceStart: Int64
    /// Stream groups with entries still pending: `key group: n pending`, sorted.
    var pendingEntries: [String] = []
    /// Per (supplier, session) with acknowledged relays: how many are unpaid.
    var drift: [SessionDrift] = []
}
