import Foundation
import RelayRuntime
import SimKernel
import Testing
@testable import PocketSim

/// The monitor inside real runs: a scenario with a failover passes with
/// every invariant checked, and a violation during a run stops it at once,
/// deterministically, with its time and seed in the report.
@Suite struct InvariantRunTests {
    static func load(_ name: String) throws -> ScenarioSpec {
        try ScenarioFiles.load((ScenarioSuiteTests.directory as NSString).appendingPathComponent(name))
    }

    @Test func aScenarioWithAFailoverPassesWithEveryInvariantChecked() async throws {
        let report = await (try SimWorld(spec: try Self.load("lease-owner-killed-mid-session.yaml"))).runDetached()
        #expect(report.firstViolation == nil, "\(report.firstViolation.map(\.description) ?? "")")
        #expect(report.invariants.count == 6)
        #expect(report.invariants.allSatisfy { $0.passed && $0.checked }, "\(report.invariants.filter { !$0.passed || !$0.checked })")
        #expect(report.metric("failovers") >= 1)
        #expect(report.passed)
    }

    /// Records two owners of one lease epoch when block 5 is committed.
    static func plantViolation(in world: SimWorld) {
        let kernel = world.kernel
        kernel.trace.observe { event in
            guard event.component == "chain", event.event == "block", event.field("height") == "5" else { return }
            for instance in ["miner-1.1", "miner-2.1"] {
                kernel.record("miner-1/miner", "lease.acquired", [("instance", instance), ("supplier", "pokt1planted"), ("epoch", "7")])
            }
        }
    }

    @Test func aViolationDuringTheRunStopsItThereWithItsTimeAndSeed() async throws {
        let spec = try Self.load("happy-path.yaml")
        let world = try SimWorld(spec: spec, seed: 11)
        Self.plantViolation(in: world)
        let report = await world.runDetached()

        let v = try #require(report.firstViolation)
        #expect(v.invariant == "one_lease_owner_per_epoch")
        #expect(v.seed == 11)
        #expect(v.nanosecondsSinceStart == 40_000_000_000, "block 5 of 10 s blocks, block 1 at t = 0")
        #expect(v.event.contains("instance=miner-2.1"))
        #expect(!report.passed)
        // The chain produced no block after the violating one, and the world stopped at that instant.
        #expect(report.finalHeight == 5)
        #expect(report.simulatedSeconds == 40)
        #expect(report.invariants.filter { !$0.checked }.map(\.name) == ["zero_drift", "pending_entries_consumed"])
        #expect(report.json.contains(#""first_violation":{"invariant":"one_lease_owner_per_epoch","t_seconds":40,"seed":11,"#))

        // Deterministic: the same seed stops at the same instant with the same trace.
        let again = try SimWorld(spec: spec, seed: 11)
        Self.plantViolation(in: again)
        let second = await again.runDetached()
        #expect(second.traceHash == report.traceHash)
        #expect(second.firstViolation == report.firstViolation)
    }

    @Test func theReportCarriesTheRelayLatencyDistribution() async throws {
        let run = try await ReportFixtures.shared.happyPath()
        let latency = try #require(run.report.histograms.first { $0.name == RelayerMetrics.relayDuration.name }?.summary)
        #expect(Double(latency.count) == run.report.metric("relays_served"))
        // Backends answer in 4 ± 2 ms and 8 ± 4 ms; a relay takes at least its backend's time.
        #expect(latency.p50 >= 0.002)
        #expect(latency.p50 <= latency.p95 && latency.p95 <= latency.p99 && latency.p99 <= latency.max)
        #expect(latency.max <= 0.1)
        #expect(run.report.json.contains(#""histograms":{"ha_relayer_relay_duration_seconds":{"count":\#(latency.count),"#))
        let html = HTMLReport.render(run.timeline, report: run.report)
        #expect(html.contains("<code>ha_relayer_relay_duration_seconds</code>"))
    }
}
