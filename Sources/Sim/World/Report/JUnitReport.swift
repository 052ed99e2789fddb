import Foundation

/// JUnit XML for CI: one `<testsuite name="scenarios">` (inside
/// `<testsuites>`) with one `<testcase classname="sim">` per scenario run,
/// named `<scenario> seed=<seed>`, timed in wall seconds. A failing run has a
/// `<failure>` listing the simulation failure, failing invariants and
/// failing assertions; every run's metrics are in `<system-out>`.
public enum JUnitReport {
    public struct Run: Sendable {
        public var report: RunReport
        /// The scenario file, for the replay command in failures.
        public var scenarioFile: String?

        public init(report: RunReport, scenarioFile: String? = nil) {
            self.report = report
            self.scenarioFile = scenarioFile
        }
    }

    /// The test case name of a run.
    public static func caseName(_ r: RunReport) -> String { "\(r.scenario) seed=\(r.seed)" }

    public static func render(_ reports: [RunReport], suiteName: String = "scenarios") -> String {
        render(runs: reports.map { Run(report: $0) }, suiteName: suiteName)
    }

    public static func render(runs: [Run], suiteName: String = "scenarios") -> String {
        let failures = runs.filter { !$0.report.passed }.count
        let time = seconds(runs.reduce(0) { $0 + $1.report.wallSeconds })
        let counts = "tests=\"\(runs.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"\(time)\""
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(Markup.escape(suiteName))\" \(counts)>\n"
        out += "  <testsuite name=\"\(Markup.escape(suiteName))\" \(counts)>\n"
        for run in runs {
            let r = run.report
            out += "    <testcase classname=\"sim\" name=\"\(Markup.escape(caseName(r)))\" time=\"\(seconds(r.wallSeconds))\">\n"
            if !r.passed {
                out += "      <failure message=\"\(Markup.escape(summary(r)))\" type=\"\(r.failure != nil ? "SimulationFailure" : "ScenarioFailure")\">"
                out += Markup.escape(failureText(run))
                out += "</failure>\n"
            }
            out += "      <system-out>" + Markup.escape(metricsText(r)) + "</system-out>\n"
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    /// One line: what failed.
    static func summary(_ r: RunReport) -> String {
        var parts: [String] = []
        if r.failure != nil { parts.append("simulation failed") }
        let invariants = r.invariants.filter { !$0.passed }.map(\.name)
        if !invariants.isEmpty { parts.append("invariant\(invariants.count == 1 ? "" : "s") \(invariants.joined(separator: ", ")) failed") }
        let assertions = r.assertions.filter { !$0.passed }.map(\.assertion)
        if !assertions.isEmpty { parts.append("assertion\(assertions.count == 1 ? "" : "s") \(assertions.joined(separator: ", ")) failed") }
        return parts.joined(separator: "; ")
    }

    static func failureText(_ run: Run) -> String {
        let r = run.report
        var lines: [String] = []
        if let f = r.failure { lines.append("simulation failed: \(f)") }
        if let v = r.firstViolation { lines.append("first violation: \(v)") }
        for inv in r.invariants where !inv.passed { lines.append("invariant \(inv.name) failed: \(inv.detail)") }
        for a in r.assertions where !a.passed { lines.append("assertion \(a.assertion) failed (actual \(a.actual.map(Markup.metric) ?? "n/a"))") }
        lines.append("trace hash \(r.traceHash)")
        if let file = run.scenarioFile { lines.append("replay: pocket-relay-miner sim run \(file) --seed \(r.seed)") }
        return lines.joined(separator: "\n")
    }

    static func metricsText(_ r: RunReport) -> String {
        var lines = [
            "scenario \(r.scenario)", "seed \(r.seed)", "trace_hash \(r.traceHash)", "trace_events \(r.traceEvents)",
            "final_height \(r.finalHeight)", "simulated_seconds \(Markup.metric(r.simulatedSeconds))", "wall_seconds \(seconds(r.wallSeconds))",
        ]
        for name in RunReport.headlineMetrics { lines.append("\(name) \(Markup.metric(r.metric(name)))") }
        for name in r.metrics.keys.sorted() where !RunReport.headlineMetrics.contains(name) { lines.append("\(name) \(Markup.metric(r.metrics[name]!))") }
        for inv in r.invariants { lines.append("invariant \(inv.name) \(inv.verdict)") }
        lines.append("passed \(r.passed)")
        return lines.joined(separator: "\n")
    }

    private static func seconds(_ v: Double) -> String { String(format: "%.3f", v) }
}
