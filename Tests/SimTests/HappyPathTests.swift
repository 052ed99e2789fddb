import Foundation
import Testing
@testable import PocketSim

@Suite struct HappyPathTests {
    static let scenario = ScenarioLoaderTests.packageRoot.appendingPathComponent("scenarios/happy-path.yaml").path

    @Test func happyPathHasZeroDriftAndEveryClaimAndProofAccepted() async throws {
        let spec = try ScenarioFiles.load(Self.scenario)
        let report = await (try SimWorld(spec: spec, seed: 1)).runDetached()
        #expect(report.failure == nil)
        // 30 blocks × 24 relays, all served and acknowledged minable (base difficulty).
        #expect(report.metric("relays_sent") == 720)
        #expect(report.metric("relays_served") == 720)
        #expect(report.metric("relays_minable") == 720)
        #expect(report.metric("relays_claimed") == 720)
        #expect(report.metric("drift") == 0)
        // 3 sessions × 4 (supplier, session) pairs with traffic (supplier-1 serves both services).
        #expect(report.metric("claims_accepted") == 12)
        #expect(report.metric("claims_missed") == 0)
        #expect(report.metric("proofs_missed") == 0)
        #expect(report.metric("proofs_accepted") == report.metric("proofs_required"))
        #expect(report.metric("sessions_settled") == 12)
        #expect(report.invariants.map(\.name) == ["zero_drift", "submissions_inside_windows", "no_double_submission", "one_lease_owner_per_epoch",
                                                 "pending_entries_consumed", "invariant_inputs_well_formed"])
        let broken = report.invariants.filter { !$0.passed || !$0.checked }
        #expect(broken.isEmpty, "\(broken)")
        #expect(report.firstViolation == nil)
        #expect(report.passed)
    }

    @Test func sameSeedGivesTheSameTraceHashAndADifferentSeedDoesNot() async throws {
        let spec = try ScenarioFiles.load(Self.scenario)
        let a = await (try SimWorld(spec: spec, seed: 5)).runDetached()
        let b = await (try SimWorld(spec: spec, seed: 5)).runDetached()
        let c = await (try SimWorld(spec: spec, seed: 6)).runDetached()
        #expect(a.traceHash == b.traceHash)
        #expect(a.traceEvents == b.traceEvents)
        #expect(a.json.replacingOccurrences(of: #""wall_seconds":[0-9.]+"#, with: "", options: .regularExpression)
            == b.json.replacingOccurrences(of: #""wall_seconds":[0-9.]+"#, with: "", options: .regularExpression))
        #expect(a.traceHash != c.traceHash)
    }

    @Test func simRunJSONReportsTheRequiredKeysAndTheSameHashAcrossProcesses() throws {
        let binary = try CLIProcess.binary()
        let first = try CLIProcess.run(binary, ["sim", "run", Self.scenario, "--seed", "3", "--json"])
        let second = try CLIProcess.run(binary, ["sim", "run", Self.scenario, "--seed", "3", "--json"])
        #expect(first.status == 0)
        let a = try #require(try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(second.output.utf8)) as? [String: Any])
        for key in ["scenario", "seed", "trace_hash", "simulated_seconds", "wall_seconds", "relays_served", "relays_minable", "relays_claimed",
                    "drift", "claims_accepted", "proofs_required", "proofs_accepted", "claims_missed", "proofs_missed", "invariants", "passed"] {
            #expect(a[key] != nil, "missing \(key)")
        }
        #expect(a["scenario"] as? String == "happy-path")
        #expect(a["seed"] as? Int == 3)
        #expect(a["passed"] as? Bool == true)
        #expect(a["drift"] as? Int == 0)
        #expect((a["trace_hash"] as? String)?.count == 64)
        #expect(a["trace_hash"] as? String == b["trace_hash"] as? String)
    }
}

/// Runs the package's CLI binary (built by `swift build --build-tests`).
enum CLIProcess {
    struct NotBuilt: Error {}

    static func binary() throws -> String {
        let root = ScenarioLoaderTests.packageRoot
        for config in ["debug", "release"] {
            let path = root.appendingPathComponent(".build/\(config)/pocket-relay-miner").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw NotBuilt()
    }

    static func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
