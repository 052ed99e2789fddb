import Foundation
import PocketProtocol
import RelayClient

/// What `relay` prints: results on stdout (text or one JSON object),
/// progress and details on stderr, each line written at once.
struct RelayOutput: Sendable {
    let json: Bool
    let verbose: Bool

    func fatal(_ message: String) {
        err("relay: \(message)")
    }

    /// The request about to go out (text mode; --verbose adds the wire details).
    func describe(mode: RelayTransport, destination: String, keys: RelaySigningKeys, prepared: PreparedRelay) {
        guard !json else { return }
        let header = prepared.signed.request.meta.sessionHeader
        out("relay \(mode.rawValue) → \(destination)")
        out("  application  \(keys.applicationAddress)" + (keys.role == .gateway ? "  (signed by gateway \(keys.signerAddress))" : ""))
        out("  service      \(header.serviceID)")
        out("  session      \(header.sessionID)  [\(header.sessionStartBlockHeight), \(header.sessionEndBlockHeight)]")
        out("  supplier     \(prepared.supplier)")
        if verbose {
            err("  request      \(prepared.signed.bytes.count) bytes, ring signature \(prepared.signed.request.meta.signature.count) bytes, "
                + "payload \(prepared.signed.request.payload.count) bytes, signable hash \(prepared.signed.signableHash.hex)")
            err("  supplier key \(prepared.supplierKey.compressed.hex)")
        }
    }

    func streamBatch(_ batch: StreamBatch) {
        guard !json else { return }
        out("  batch \(batch.index + 1)  \(batch.wireBytes) bytes, signature ✓  \(preview(batch.verified.body))")
    }

    func single(_ report: SingleRelayReport) {
        if json {
            printJSON(report)
            return
        }
        if report.success {
            var checks = "payload hash ✓, supplier signature ✓, session ✓"
            if report.receiptVerified { checks += ", receipt ✓" }
            out("  result       OK in \(ms(report.latencyMs)): \(checks)")
            if let status = report.backendStatus { out("  backend      HTTP \(status)") }
            if let batches = report.batches { out("  batches      \(batches.count)") }
            if let body = report.body, report.batches == nil { out("  body         \(preview(Bytes(body.utf8)))") }
        } else if let error = report.error {
            let status = error.httpStatus.map { "HTTP \($0) " } ?? ""
            out("  result       FAILED after \(ms(report.latencyMs)): \(status)\(error.reason): \(error.detail)")
        }
    }

    func loadStart(mode: RelayTransport, configuration: LoadTestConfiguration, keys: RelaySigningKeys) {
        let pace = configuration.rps > 0 ? "\(configuration.rps) launches/s" : "unpaced"
        err("relay \(mode.rawValue) load test: \(configuration.count) relays, concurrency \(configuration.concurrency), \(pace); "
            + "application \(keys.applicationAddress)")
        err("signing \(configuration.count) requests ahead of the timed part (a fresh ring signature each; signing time is not in the throughput)")
    }

    func loadEvent(_ event: LoadTestEvent) {
        switch event {
        case .signing(let done, let total):
            err("  signed \(done)/\(total)")
        case .signed(let count, let seconds, let sessionID):
            err("  \(count) requests signed in \(String(format: "%.2f", seconds)) s for session \(sessionID); sending")
        case .progress(let p):
            let rate = p.elapsedSeconds > 0 ? Double(p.done) / p.elapsedSeconds : 0
            err("  \(p.done)/\(p.total) done  \(p.succeeded) ok  \(p.failed) failed  \(String(format: "%.1f", p.elapsedSeconds)) s  "
                + "\(String(format: "%.1f", rate)) relays/s")
        case .sessionRollover(let from, let to, let height, let resigning):
            err("  session rolled over at height \(height): \(from) → \(to); re-signing the \(resigning) requests not yet sent")
        }
    }

    func load(_ report: LoadReport) {
        if json {
            printJSON(report)
            return
        }
        out("")
        out("load test: \(report.transport), service \(report.service)")
        out("  total        \(report.total)")
        out("  succeeded    \(report.succeeded)")
        out("  failed       \(report.failed)")
        out("  success rate \(String(format: "%.2f", report.successRatePercent)) %")
        out("  duration     \(String(format: "%.3f", report.durationSeconds)) s (timed part; \(report.presigned) requests signed ahead in "
            + "\(String(format: "%.2f", report.signingSeconds)) s)")
        out("  throughput   \(String(format: "%.1f", report.throughputRPS)) relays/s")
        let l = report.latencyMs
        out("  latency      p50 \(ms(l.p50Ms))  p95 \(ms(l.p95Ms))  p99 \(ms(l.p99Ms))  (min \(ms(l.minMs)), max \(ms(l.maxMs)), "
            + "over \(l.count) succeeded)")
        out("  sessions     \(report.sessions.joined(separator: ", "))"
            + (report.sessionRollovers > 0 ? "  (\(report.sessionRollovers) rollover(s), \(report.resigned) re-signed)" : ""))
        if !report.errors.isEmpty {
            out("  errors")
            for (key, n) in report.errors.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                out("    \(String(n).padding(toLength: 8, withPad: " ", startingAt: 0)) \(key)")
            }
        }
    }

    private func printJSON(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    private func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }

    private func preview(_ body: Bytes) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n")
        return body.count > 300 ? text + "…" : text
    }

    private func out(_ line: String) { sayLine(line) }
    private func err(_ line: String) { printError(line) }
}
