import Foundation
import RelayRuntime
import Testing
@testable import PocketSim

/// The gate must be able to fail: a deliberately broken miner (one that does
/// not rebuild open sessions after a takeover) is caught by the suite and
/// found, shrunk and replayed by swarm.
@Suite struct PlantedBugTests {
    static let broken = SimWorld.Options(plantedBug: .minerSkipsRebuild)

    static func load(_ name: String) throws -> ScenarioSpec {
        try ScenarioFiles.load((ScenarioSuiteTests.directory as NSString).appendingPathComponent(name))
    }

    @Test func theSuiteCatchesAMinerThatDoesNotRebuildAfterATakeover() async throws {
        let spec = try Self.load("lease-owner-killed-mid-session.yaml")
        let healthy = await (try SimWorld(spec: spec)).runDetached()
        let broken = await (try SimWorld(spec: spec, options: Self.broken)).runDetached()
        #expect(healthy.passed)
        #expect(healthy.metric("drift") == 0)
        #expect(!broken.passed)
        #expect(broken.metric("drift") > 0)
        #expect(broken.invariants.first { $0.name == "zero_drift" }?.passed == false)
    }

    @Test func swarmFindsShrinksAndReplaysThePlantedBug() async throws {
        let swarm = Swarm(base: try Self.load("happy-path.yaml"), options: Self.broken)
        var found: Swarm.Failure?
        for seed in UInt64(1)...10 {
            let spec = swarm.scenario(seed: seed)
            let report = await Self.onThread { swarm.run(spec, seed: seed) }
            if !report.passed {
                found = Swarm.Failure(seed: seed, scenario: spec, report: report)
                break
            }
        }
        let failure = try #require(found, "swarm did not find the planted bug in 10 seeds")
        let shrunk = await Self.onThread { swarm.shrink(failure) }
        let minimal = try #require(shrunk.shrunk)
        #expect(!minimal.faults.isEmpty)
        #expect(minimal.faults.count <= 3)
        #expect(minimal.faults.count <= failure.scenario.faults.count)

        // The written scenario files load and replay exactly.
        let full = try ScenarioLoader.parse(yaml: ScenarioWriter.yaml(failure.scenario), file: "full.yaml")
        #expect(full.faults == failure.scenario.faults)
        let replay = await (try SimWorld(spec: full, seed: failure.seed, options: Self.broken)).runDetached()
        #expect(replay.traceHash == failure.report.traceHash)
        let small = try ScenarioLoader.parse(yaml: ScenarioWriter.yaml(minimal), file: "shrunk.yaml")
        let smallReport = await (try SimWorld(spec: small, seed: failure.seed, options: Self.broken)).runDetached()
        #expect(!smallReport.passed)
        // And the same schedule against the healthy runtime passes.
        let healthy = await (try SimWorld(spec: small, seed: failure.seed)).runDetached()
        #expect(healthy.passed, "\(healthy.invariants.filter { !$0.passed })")
    }

    @Test func swarmSchedulesAreSurvivedByTheHealthyRuntime() async throws {
        let swarm = Swarm(base: try Self.load("happy-path.yaml"))
        for seed in UInt64(101)...106 {
            let report = await Self.onThread { swarm.run(seed: seed) }
            #expect(report.passed, "seed \(seed): \(report.invariants.filter { !$0.passed }.map(\.detail)) \(report.failure ?? "")")
            #expect(report.metric("faults_applied") >= 1 || swarm.scenario(seed: seed).faults.isEmpty)
        }
    }

    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            let t = Thread { c.resume(returning: body()) }
            t.stackSize = 16 << 20
            t.start()
        }
    }
}
