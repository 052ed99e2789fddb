import Foundation
import SimKernel

/// Checks the always-on invariants while the run happens. It is fed every
/// trace event (decoded by `WorldEventDecoder`) and the gateways' typed
/// acknowledgements, synchronously, on the simulator thread, in the order
/// they happen; it starts no task and iterates no unordered collection, so a
/// run's violation (invariant, time, event) is as deterministic as its trace.
///
/// It keeps the first violation only. A live violation ends the run: the
/// world passes `hasViolation` to the chain, which produces no further block
/// (it stops right after the block whose event broke the invariant, or at the
/// next block slot for a violation between blocks), and shuts the nodes down
/// there. The end-of-run invariants are then reported as not checked (their
/// inputs are incomplete). A run without a live violation is checked once
/// more by `finish`.
public final class InvariantMonitor: @unchecked Sendable {
    /// The invariant every decoded input belongs to: an input event without a
    /// field an invariant needs is a violation, never a skipped check.
    public static let inputsWellFormed = "invariant_inputs_well_formed"

    public let seed: UInt64
    private let lock = NSLock()
    private var checks: [any InvariantCheck]
    private var tally = DriftTally()
    private var first: InvariantViolation?
    /// The first violation is a live one (so the run stopped there and the end-of-run checks are skipped).
    private var liveViolation = false
    /// Set once `finish` ran: which invariants failed at the end, and with what.
    private var endFailures: [String: String]?

    init(seed: UInt64, checks: [any InvariantCheck] = InvariantMonitor.standardChecks()) {
        self.seed = seed
        self.checks = checks
    }

    /// The five invariants of `scenarios/README.md`, in report order.
    static func standardChecks() -> [any InvariantCheck] {
        [ZeroDrift(), SubmissionsInsideWindows(), NoDoubleSubmission(), OneLeaseOwnerPerEpoch(), PendingEntriesConsumed()]
    }

    /// A trace event as it is recorded.
    func observe(_ trace: TraceEvent) {
        switch WorldEventDecoder.decode(trace) {
        case .ignored:
            return
        case .event(let event):
            observe(event, at: trace.nanosecondsSinceStart, source: { WorldEventDecoder.source(trace) })
        case .malformed(let problems):
            violate(Self.inputsWellFormed, at: trace.nanosecondsSinceStart, event: WorldEventDecoder.source(trace),
                    detail: problems.joined(separator: "; "))
        }
    }

    /// A typed event from a world component (`source` renders it only if it breaks something).
    func observe(_ event: WorldEvent, at nanoseconds: Int64, source: () -> String) {
        lock.lock()
        tally.record(event, at: nanoseconds)
        guard first == nil else {
            lock.unlock()
            return
        }
        var broken: (name: String, detail: String)?
        for i in checks.indices {
            if let detail = checks[i].observe(event, at: nanoseconds) {
                broken = (checks[i].name, detail)
                break
            }
        }
        lock.unlock()
        if let broken { violate(broken.name, at: nanoseconds, event: source(), detail: broken.detail) }
    }

    /// The run's first violation so far.
    public var firstViolation: InvariantViolation? {
        lock.withLock { first }
    }

    /// Polled by the world to stop the run at the first violation.
    public var hasViolation: Bool {
        lock.withLock { first != nil }
    }

    /// Drift per (supplier, session), from the events seen so far.
    var drift: [SessionDrift] {
        lock.withLock { tally.sessions() }
    }

    /// Runs the end-of-run invariants (unless a live one already stopped the
    /// run) and returns every invariant's verdict, in report order. The first
    /// failing end-of-run invariant becomes the run's first violation.
    func finish(_ end: EndOfRun) -> [RunReport.Invariant] {
        lock.lock()
        var end = end
        end.drift = tally.sessions()
        if endFailures == nil {
            var failures: [String: String] = [:]
            if first == nil {
                for check in checks where check.checkedAtEnd {
                    guard let detail = check.finish(end) else { continue }
                    failures[check.name] = detail
                    if first == nil {
                        first = InvariantViolation(invariant: check.name, nanosecondsSinceStart: end.nanosecondsSinceStart, seed: seed,
                                                   event: InvariantViolation.endOfRun, detail: detail)
                    }
                }
            }
            endFailures = failures
        }
        let liveViolation = self.liveViolation
        let failures = endFailures ?? [:]
        let first = self.first
        let names = checks.map { ($0.name, $0.checkedAtEnd) }
        lock.unlock()

        var out: [RunReport.Invariant] = []
        for (name, atEnd) in names + [(Self.inputsWellFormed, false)] {
            if let first, first.invariant == name, liveViolation {
                out.append(.init(name: name, passed: false, detail: "at t=\(InvariantViolation.seconds(first.nanosecondsSinceStart)) s: \(first.detail)"))
            } else if let detail = failures[name] {
                out.append(.init(name: name, passed: false, detail: detail))
            } else if atEnd, liveViolation {
                out.append(.init(name: name, passed: true, detail: "not checked: the run stopped at an earlier violation", checked: false))
            } else {
                out.append(.init(name: name, passed: true, detail: ""))
            }
        }
        return out
    }

    private func violate(_ invariant: String, at nanoseconds: Int64, event: String, detail: String) {
        lock.withLock {
            guard first == nil else { return }
            first = InvariantViolation(invariant: invariant, nanosecondsSinceStart: nanoseconds, seed: seed, event: event, detail: detail)
            liveViolation = true
        }
    }
}
