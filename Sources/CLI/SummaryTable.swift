import Foundation
import PocketSim
import RelayRuntime

/// The human-readable summary of one scenario run.
enum SummaryTable {
    static func render(_ r: RunReport) -> String {
        var lines: [String] = []
        let outcome = r.passed ? "PASS" : "FAIL"
        lines.append("\(outcome)  \(r.scenario)  seed \(r.seed)  trace \(r.traceHash.prefix(16))")
        let compression = r.wallSeconds > 0 ? r.simulatedSeconds / r.wallSeconds : 0
        lines.append("  time      \(fmt(r.simulatedSeconds)) s simulated in \(String(format: "%.2f", r.wallSeconds)) s wall (\(Int(compression))×), \(r.finalHeight) blocks")
        lines.append("  relays    sent \(m(r, "relays_sent"))  served \(m(r, "relays_served"))  minable \(m(r, "relays_minable"))  claimed \(m(r, "relays_claimed"))  drift \(m(r, "drift"))")
        lines.append("  claims    accepted \(m(r, "claims_accepted"))  missed \(m(r, "claims_missed"))   proofs required \(m(r, "proofs_required"))  accepted \(m(r, "proofs_accepted"))  missed \(m(r, "proofs_missed"))")
        if let latency = r.histograms.first(where: { $0.name == RelayerMetrics.relayDuration.name })?.summary, latency.count > 0 {
            lines.append("  latency   relay p50 \(ms(latency.p50))  p95 \(ms(latency.p95))  p99 \(ms(latency.p99))  max \(ms(latency.max))")
        }
        if let v = r.firstViolation { lines.append("  first violation: \(v)") }
        for inv in r.invariants where !inv.passed { lines.append("  invariant FAILED \(inv.name): \(inv.detail)") }
        for a in r.assertions where !a.passed { lines.append("  assertion FAILED \(a.assertion) (actual \(a.actual.map(fmt) ?? "n/a"))") }
        if let f = r.failure { lines.append("  simulation FAILED: \(f)") }
        return lines.joined(separator: "\n")
    }

    private static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

    private static func m(_ r: RunReport, _ name: String) -> String { fmt(r.metric(name)) }

    private static func fmt(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
    }
}
