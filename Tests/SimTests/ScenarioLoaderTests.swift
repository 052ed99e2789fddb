import Foundation
import Testing
@testable import PocketSim

@Suite struct ScenarioLoaderTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func happyPathLoadsWithItsTopology() throws {
        let url = Self.packageRoot.appendingPathComponent("scenarios/happy-path.yaml")
        let spec = try ScenarioLoader.parse(yaml: String(contentsOf: url, encoding: .utf8), file: "happy-path.yaml")
        #expect(spec.name == "happy-path")
        #expect(spec.topology == { var t = TopologySpec(); t.relayers = 2; t.miners = 2; return t }())
        #expect(spec.services.map(\.id) == ["anvil", "ethereum"])
        #expect(spec.services.map(\.computeUnitsPerRelay) == [1, 2])
        #expect(spec.applications.map(\.name) == ["app-1", "app-2", "app-3", "app-4"])
        #expect(spec.applications[3].gateways.isEmpty)
        #expect(spec.suppliers.map(\.name) == ["supplier-1", "supplier-2", "supplier-3"])
        #expect(spec.backends["ethereum"]?.latencyMilliseconds == 8)
        #expect(spec.workload.first?.relaysPerBlock == 24)
        // Traffic ends in block 30 → session [21,30] ends at 30; its proof window closes at
        // 30 + 1 + 4 + 0 + 4 = 39; two extra blocks let settlement be observed.
        #expect(spec.untilBlock == 41)
        #expect(spec.assertions.map(\.description) == ["drift == 0", "claims_missed == 0", "proofs_missed == 0", "relays_claimed >= 600"])
    }

    @Test func unknownKeyIsReportedWithItsPath() {
        let yaml = """
        name: x
        services: [{id: a}]
        workload:
          - to_block: 3
            relays_per_blok: 4
        """
        #expect(throws: ScenarioError(file: "x.yaml", path: "workload[0].relays_per_block", problem: "required")) {
            try ScenarioLoader.parse(yaml: yaml, file: "x.yaml")
        }
        let typo = "name: x\nservices: [{id: a, compute_unit_per_relay: 2}]\n"
        #expect(throws: ScenarioError(file: "x.yaml", path: "services[0].compute_unit_per_relay", problem: "unknown key")) {
            try ScenarioLoader.parse(yaml: typo, file: "x.yaml")
        }
    }

    @Test func crossReferencesAreChecked() {
        let yaml = """
        name: x
        services: [{id: a}]
        applications: [{name: app, service: b}]
        """
        #expect(throws: ScenarioError(file: "x.yaml", path: "applications[0].service", problem: "unknown service 'b'")) {
            try ScenarioLoader.parse(yaml: yaml, file: "x.yaml")
        }
    }

    @Test func chainRulesAreEnforced() {
        let yaml = """
        name: x
        services: [{id: a}]
        chain: {num_blocks_per_session: 4, grace_period_end_offset_blocks: 4, claim_window_open_offset_blocks: 5}
        """
        #expect(throws: ScenarioError(file: "x.yaml", path: "chain.grace_period_end_offset_blocks", problem: "must be less than num_blocks_per_session (chain rule)")) {
            try ScenarioLoader.parse(yaml: yaml, file: "x.yaml")
        }
    }

    @Test func assertionsParseAndEvaluate() throws {
        let yaml = "name: x\nservices: [{id: a}]\nassertions: ['drift == 0', 'proofs_accepted >= 3']\n"
        let spec = try ScenarioLoader.parse(yaml: yaml, file: "x.yaml")
        #expect(spec.assertions[0].holds(for: 0))
        #expect(!spec.assertions[0].holds(for: 1))
        #expect(spec.assertions[1].holds(for: 3))
        #expect(!spec.assertions[1].holds(for: 2.5))
        #expect(throws: ScenarioError.self) {
            try ScenarioLoader.parse(yaml: "name: x\nservices: [{id: a}]\nassertions: ['drift is zero']\n", file: "x.yaml")
        }
    }
}
