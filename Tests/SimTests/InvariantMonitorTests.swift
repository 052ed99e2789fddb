import Foundation
import RelayRuntime
import SimKernel
import Testing
@testable import PocketSim

/// Each invariant, fed a crafted event sequence that breaks it, names itself,
/// the simulated time and the seed of the first violation; and an input event
/// without a field an invariant needs is a violation, not a skipped check.
/// Events go through a real kernel trace, the way a run records them.
@Suite struct InvariantMonitorTests {
    static let supplier = "pokt1supplier"
    static let session = "abcdef0123456789"

    /// A monitor wired to a kernel's trace, and a pen to record events at chosen times.
    struct Feed {
        let kernel = SimKernel(seed: 42)
        let monitor = InvariantMonitor(seed: 42)

        init() {
            monitor.watch(kernel.trace)
        }

        func record(at seconds: Int64, _ component: String, _ event: String, _ fields: TelemetryLabels) {
            kernel.trace.record(at: SimKernel.epoch.advanced(by: .seconds(seconds)), component: component, event: event, fields: fields)
        }

        func lease(at seconds: Int64, epoch: String, instance: String) {
            record(at: seconds, "miner-1/miner", "lease.acquired", [("instance", instance), ("supplier", supplier), ("epoch", epoch)])
        }

        func claimAccepted(at seconds: Int64, count: Int) {
            record(at: seconds, "chain", "claim.accepted", [("supplier", supplier), ("session", session), ("height", "14"), ("count", String(count)),
                                                          ("sum", String(count)), ("root", "00"), ("replaced", "false")])
        }

        func acknowledge(at seconds: Int64, _ byte: UInt8) {
            monitor.observe(.relayAcknowledged(supplier: supplier, session: session, relayHash: [byte]), at: seconds * 1_000_000_000) { "relay \(byte)" }
        }

        func finish(at seconds: Int64, pending: [String] = []) -> [RunReport.Invariant] {
            monitor.finish(EndOfRun(nanosecondsSinceStart: seconds * 1_000_000_000, pendingEntries: pending))
        }

        var violation: InvariantViolation? { monitor.firstViolation }
    }

    static func verdict(_ invariants: [RunReport.Invariant], _ name: String) -> RunReport.Invariant? {
        invariants.first { $0.name == name }
    }

    // MARK: One violating sequence per invariant

    @Test func twoInstancesAcquiringOneEpochBreakOneLeaseOwnerPerEpoch() throws {
        let feed = Feed()
        feed.lease(at: 10, epoch: "3", instance: "miner-1.1")
        feed.lease(at: 11, epoch: "3", instance: "miner-1.1")  // the same owner again: fine
        feed.lease(at: 12, epoch: "4", instance: "miner-2.1")  // a new epoch for a new owner: fine
        #expect(feed.violation == nil)
        feed.lease(at: 15, epoch: "4", instance: "miner-1.2")
        let v = try #require(feed.violation)
        #expect(v.invariant == "one_lease_owner_per_epoch")
        #expect(v.nanosecondsSinceStart == 15_000_000_000)
        #expect(v.seed == 42)
        #expect(v.detail.contains("miner-2.1") && v.detail.contains("miner-1.2"))
        #expect(v.event.hasPrefix("miner-1/miner lease.acquired"))
        let report = feed.finish(at: 20)
        #expect(Self.verdict(report, "one_lease_owner_per_epoch")?.passed == false)
        #expect(Self.verdict(report, "one_lease_owner_per_epoch")?.detail.hasPrefix("at t=15.000 s") == true)
    }

    @Test func aSecondAcceptedClaimOrProofBreaksNoDoubleSubmission() throws {
        let claims = Feed()
        claims.claimAccepted(at: 140, count: 5)
        #expect(claims.violation == nil)
        claims.claimAccepted(at: 150, count: 5)
        let v = try #require(claims.violation)
        #expect(v.invariant == "no_double_submission")
        #expect(v.nanosecondsSinceStart == 150_000_000_000)
        #expect(v.detail.hasPrefix("claim of"))

        let proofs = Feed()
        for t: Int64 in [180, 190] {
            proofs.record(at: t, "chain", "proof.accepted", [("supplier", Self.supplier), ("session", Self.session), ("height", "19"), ("requirement", "PROBABILISTIC")])
        }
        let p = try #require(proofs.violation)
        #expect(p.invariant == "no_double_submission")
        #expect(p.nanosecondsSinceStart == 190_000_000_000)
        #expect(p.detail.hasPrefix("proof of"))
    }

    @Test func aWindowRefusalBreaksSubmissionsInsideWindowsAndOtherRefusalsDoNot() throws {
        let feed = Feed()
        func rejected(at t: Int64, _ event: String, rule: String) {
            feed.record(at: t, "chain", event, [("supplier", Self.supplier), ("session", Self.session), ("height", "17"), ("tx", "AB"),
                                                ("rule", rule), ("reason", "because \(rule)")])
        }
        rejected(at: 160, "claim.rejected", rule: "out_of_gas")
        rejected(at: 161, "proof.rejected", rule: "proof_not_required")
        #expect(feed.violation == nil)
        rejected(at: 170, "proof.rejected", rule: "proof_too_late")
        let v = try #require(feed.violation)
        #expect(v.invariant == "submissions_inside_windows")
        #expect(v.nanosecondsSinceStart == 170_000_000_000)
        #expect(v.detail.contains("because proof_too_late"))
    }

    @Test func anAcknowledgedRelayMissingFromTheClaimBreaksZeroDriftAtTheEnd() throws {
        let feed = Feed()
        for (t, byte) in [(1, 1), (2, 2), (3, 3), (3, 3)] as [(Int64, UInt8)] { feed.acknowledge(at: t, byte) }  // 3 unique relays
        feed.claimAccepted(at: 140, count: 2)
        #expect(feed.violation == nil, "drift is only known at the end")
        let report = feed.finish(at: 400)
        let v = try #require(feed.violation)
        #expect(v.invariant == "zero_drift")
        #expect(v.nanosecondsSinceStart == 400_000_000_000)
        #expect(v.event == InvariantViolation.endOfRun)
        #expect(v.detail == "1 acknowledged minable relays are not in an accepted claim")
        #expect(Self.verdict(report, "zero_drift")?.passed == false)
        #expect(feed.monitor.drift.map(\.unpaid) == [1])
    }

    @Test func afterARedisDataLossOnlyRelaysAcknowledgedLaterBreakLossesReported() throws {
        let explained = Feed()
        explained.acknowledge(at: 1, 1)
        explained.record(at: 5, "fault", "redis.restarted", [("persist", "false"), ("keys_lost", "12")])
        #expect(explained.finish(at: 400).map(\.name).first == "losses_reported")
        #expect(explained.violation == nil, "a relay acknowledged before the loss is explained by it")

        let silent = Feed()
        silent.record(at: 5, "fault", "redis.restarted", [("persist", "false"), ("keys_lost", "12")])
        silent.acknowledge(at: 6, 1)
        _ = silent.finish(at: 400)
        let v = try #require(silent.violation)
        #expect(v.invariant == "losses_reported")
        #expect(v.nanosecondsSinceStart == 400_000_000_000)
    }

    @Test func anEntryLeftPendingBreaksPendingEntriesConsumedAtTheEnd() throws {
        let feed = Feed()
        let report = feed.finish(at: 405, pending: ["ha:relays:{pokt1supplier} ha-miners: 2 pending"])
        let v = try #require(feed.violation)
        #expect(v.invariant == "pending_entries_consumed")
        #expect(v.nanosecondsSinceStart == 405_000_000_000)
        #expect(v.detail.contains("2 pending"))
        #expect(Self.verdict(report, "pending_entries_consumed")?.passed == false)
    }

    // MARK: Malformed input is a violation, not a skip

    @Test func aLeaseEventWithoutItsEpochIsReportedNotSkipped() throws {
        let feed = Feed()
        feed.record(at: 7, "miner-2/miner", "lease.acquired", [("instance", "miner-2.1"), ("supplier", Self.supplier)])
        let v = try #require(feed.violation)
        #expect(v.invariant == InvariantMonitor.inputsWellFormed)
        #expect(v.nanosecondsSinceStart == 7_000_000_000)
        #expect(v.detail == "lease.acquired without `epoch`")
        let report = feed.finish(at: 9)
        #expect(Self.verdict(report, InvariantMonitor.inputsWellFormed)?.passed == false)
    }

    @Test func unparsableOrUnknownFieldValuesAreReportedToo() throws {
        let epoch = Feed()
        epoch.lease(at: 3, epoch: "three", instance: "miner-1.1")
        #expect(epoch.violation?.detail == "lease.acquired with unparsable `epoch`=\"three\"")

        let rule = Feed()
        rule.record(at: 4, "chain", "claim.rejected", [("supplier", Self.supplier), ("session", Self.session), ("height", "17"),
                                                      ("rule", "claim_too_tardy"), ("reason", "renamed rule")])
        #expect(rule.violation?.invariant == InvariantMonitor.inputsWellFormed)

        let several = Feed()
        several.record(at: 5, "chain", "claim.accepted", [("supplier", Self.supplier)])
        #expect(several.violation?.detail == "claim.accepted without `session`; claim.accepted without `height`; claim.accepted without `count`")
    }

    @Test func eventsThatAreNoInvariantInputAreIgnored() {
        let feed = Feed()
        feed.record(at: 1, "relayer-1/relayer", "relay.served", [("supplier", Self.supplier)])
        feed.record(at: 2, "gateways/gateway", "lease.acquired", [])  // not a miner's event
        feed.record(at: 3, "chain", "block", [("height", "1")])
        #expect(feed.violation == nil)
        #expect(feed.finish(at: 4).allSatisfy { $0.passed && $0.checked })
    }

    // MARK: The first violation wins; a live one leaves end-of-run checks undecided

    @Test func onlyTheFirstViolationIsKeptAndEndOfRunChecksAreThenNotChecked() throws {
        let feed = Feed()
        feed.acknowledge(at: 1, 1)  // never claimed: would break zero_drift at the end
        feed.lease(at: 10, epoch: "1", instance: "a")
        feed.lease(at: 11, epoch: "1", instance: "b")
        feed.claimAccepted(at: 12, count: 1)
        feed.claimAccepted(at: 13, count: 1)
        let report = feed.finish(at: 14, pending: ["stream group: 1 pending"])
        #expect(feed.violation?.invariant == "one_lease_owner_per_epoch")
        #expect(feed.violation?.nanosecondsSinceStart == 11_000_000_000)
        #expect(report.filter { !$0.passed }.map(\.name) == ["one_lease_owner_per_epoch"])
        #expect(report.filter { !$0.checked }.map(\.name) == ["zero_drift", "pending_entries_consumed"])
        #expect(report.first { !$0.checked }?.verdict == "not_checked")
    }
}
