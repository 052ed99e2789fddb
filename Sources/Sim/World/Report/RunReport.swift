import RelayRuntime
import SimKernel

/// The outcome of one scenario run: what `sim run --json` prints and what
/// assertions and CI gates read. Numbers are exact counts from the run, never
/// estimates; `drift` counts acknowledged-minable relays (byte-identical ones
/// once) that are not in an accepted claim.
public struct RunReport: Sendable {
    public struct Invariant: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        /// Why it failed (empty when it passed; why not, when not checked).
        public let detail: String
        /// False for an end-of-run invariant of a run stopped at an earlier
        /// violation: its inputs are incomplete, so it was not decided
        /// (reported as passed, so it adds no second failure).
        public let checked: Bool

        public init(name: String, passed: Bool, detail: String, checked: Bool = true) {
            self.name = name
            self.passed = passed
            self.detail = detail
            self.checked = checked
        }

        /// `pass`, `fail` or `not_checked`: the JSON and text reports' word.
        public var verdict: String { !checked ? "not_checked" : passed ? "pass" : "fail" }
    }

    /// A distribution the runtime observed (a histogram metric), summarized.
    public struct Distribution: Sendable, Equatable {
        /// `name{label=value,…}`, as the runtime's telemetry names it.
        public let name: String
        public let summary: Histogram.Summary

        public init(name: String, summary: Histogram.Summary) {
            self.name = name
            self.summary = summary
        }
    }

    public struct AssertionResult: Sendable, Equatable {
        public let assertion: String
        public let actual: Double?
        public let passed: Bool
    }

    public var scenario: String
    public var seed: UInt64
    public var traceHash: String
    public var traceEvents: UInt64
    public var simulatedSeconds: Double
    public var wallSeconds: Double
    public var finalHeight: Int64
    /// Named counts (relays_served, drift, claims_accepted, …), sorted by name when printed.
    public var metrics: [String: Double]
    public var invariants: [Invariant]
    public var assertions: [AssertionResult]
    /// Human-readable notes: rejections by reason, lost relays, faults applied.
    public var notes: [String]
    /// Set when the simulation itself failed (deadlock, determinism violation).
    public var failure: String?
    /// The run's first broken invariant, with its simulated time and seed
    /// (a live one stopped the run there).
    public var firstViolation: InvariantViolation?
    /// Histograms of the nodes' runtimes, merged over replicas, sorted by name.
    public var histograms: [Distribution] = []

    public var passed: Bool {
        failure == nil && firstViolation == nil && invariants.allSatisfy(\.passed) && assertions.allSatisfy(\.passed)
    }

    public func metric(_ name: String) -> Double { metrics[name] ?? 0 }

    /// One JSON object, keys in a fixed order (the required keys first).
    public var json: String {
        var out = "{"
        func key(_ k: String) { if out.count > 1 { out += "," }; out += JSONText.quoted(k) + ":" }
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
        key("scenario"); out += JSONText.quoted(scenario)
        key("seed"); out += String(seed)
        key("trace_hash"); out += JSONText.quoted(traceHash)
        key("trace_events"); out += String(traceEvents)
        key("simulated_seconds"); out += number(simulatedSeconds)
        key("wall_seconds"); out += String(format: "%.3f", wallSeconds)
        key("final_height"); out += String(finalHeight)
        for name in RunReport.headlineMetrics { key(name); out += number(metric(name)) }
        for name in metrics.keys.sorted() where !RunReport.headlineMetrics.contains(name) { key(name); out += number(metrics[name]!) }
        key("invariants"); out += "{" + invariants.map { JSONText.quoted($0.name) + ":" + JSONText.quoted($0.verdict) }.joined(separator: ",") + "}"
        key("invariant_failures"); out += "{" + invariants.filter { !$0.passed }.map { JSONText.quoted($0.name) + ":" + JSONText.quoted($0.detail) }.joined(separator: ",") + "}"
        key("first_violation"); out += firstViolation.map { v in
            "{\"invariant\":\(JSONText.quoted(v.invariant)),\"t_seconds\":\(number(v.simulatedSeconds)),\"seed\":\(v.seed),"
                + "\"event\":\(JSONText.quoted(v.event)),\"detail\":\(JSONText.quoted(v.detail))}"
        } ?? "null"
        key("assertions"); out += "[" + assertions.map {
            "{\"assertion\":\(JSONText.quoted($0.assertion)),\"actual\":\($0.actual.map(number) ?? "null"),\"passed\":\($0.passed)}"
        }.joined(separator: ",") + "]"
        key("notes"); out += "[" + notes.map(JSONText.quoted).joined(separator: ",") + "]"
        key("histograms"); out += "{" + histograms.map { h in
            let s = h.summary
            return JSONText.quoted(h.name) + ":{\"count\":\(s.count),\"sum\":\(number(s.sum)),\"p50\":\(number(s.p50)),"
                + "\"p95\":\(number(s.p95)),\"p99\":\(number(s.p99)),\"max\":\(number(s.max))}"
        }.joined(separator: ",") + "}"
        key("failure"); out += failure.map(JSONText.quoted) ?? "null"
        key("passed"); out += passed ? "true" : "false"
        return out + "}"
    }

    public static let headlineMetrics = [
        "relays_sent", "relays_served", "relays_minable", "relays_claimed", "drift",
        "claims_accepted", "proofs_required", "proofs_accepted", "claims_missed", "proofs_missed",
    ]
}
