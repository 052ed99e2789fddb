import Foundation
import RelayRuntime
import Testing
@testable import PocketSim

/// The scenario suite in `scenarios/` is the release gate: every file must
/// pass with every invariant, and the suite must be able to fail.
@Suite struct ScenarioSuiteTests {
    static let directory = ScenarioLoaderTests.packageRoot.appendingPathComponent("scenarios").path
    static let files = (try? ScenarioFiles.paths(directory)) ?? []

    @Test(arguments: files.map { ($0 as NSString).lastPathComponent })
    func scenarioPassesWithEveryInvariant(_ name: String) async throws {
        let spec = try ScenarioFiles.load((Self.directory as NSString).appendingPathComponent(name))
        #expect(!spec.assertions.isEmpty, "a scenario in the suite must assert specific numbers")
        let report = await (try SimWorld(spec: spec)).runDetached()
        #expect(report.failure == nil, "\(report.failure ?? "")")
        #expect(report.firstViolation == nil, "\(report.firstViolation.map(\.description) ?? "")")
        let brokenInvariants = report.invariants.filter { !$0.passed }
        #expect(brokenInvariants.isEmpty, "\(brokenInvariants.map { "\($0.name): \($0.detail)" })")
        let failedAssertions = report.assertions.filter { !$0.passed }
        #expect(failedAssertions.isEmpty, "\(failedAssertions.map { "\($0.assertion) (actual \($0.actual.map { String($0) } ?? "missing"))" })")
    }

    @Test func theSuiteCoversTheRequiredFailureModes() {
        let names = Set(Self.files.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension })
        for required in [
            "happy-path", "miner-killed-between-claim-and-proof", "lease-owner-killed-mid-session", "consumer-crash-pending-entries",
            "redis-restart-without-persistence", "redis-slow-during-claim-window", "redis-partition-during-claim-window",
            "chain-stall-across-claim-window", "dropped-claim-tx", "dropped-proof-tx", "proof-never-included", "late-relays-grace-period",
            "app-stake-exhaustion", "relayer-crash-under-load", "duplicate-relays", "websocket-relays",
        ] {
            #expect(names.contains(required), "missing scenario \(required)")
        }
    }

    @Test func aFaultScenarioReplaysToTheIdenticalTraceHash() async throws {
        let spec = try ScenarioFiles.load((Self.directory as NSString).appendingPathComponent("lease-owner-killed-mid-session.yaml"))
        let first = await (try SimWorld(spec: spec, seed: 99)).runDetached()
        let second = await (try SimWorld(spec: spec, seed: 99)).runDetached()
        #expect(first.traceHash == second.traceHash)
        #expect(first.metric("faults_applied") == 1)
        #expect(second.metric("faults_applied") == 1)
    }
}
