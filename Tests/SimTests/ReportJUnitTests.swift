import Foundation
import Testing
@testable import PocketSim

/// JUnit XML parses, counts runs and failures in the suite attributes, has a
/// `<failure>` exactly for failing runs (with what failed), and the metrics
/// in `<system-out>`.
@Suite struct ReportJUnitTests {
    @Test func onePassingAndOneFailingRun() async throws {
        let pass = try await ReportFixtures.shared.happyPath().report
        let fail = try await ReportFixtures.shared.failingRun().report
        #expect(pass.passed)
        #expect(!fail.passed)
        let text = JUnitReport.render(runs: [.init(report: pass, scenarioFile: "scenarios/happy-path.yaml"), .init(report: fail)])
        let xml = XMLCollector.parse(text)
        #expect(xml.error == nil, "\(xml.error ?? "")")
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))

        let suites = xml.all("testsuite")
        #expect(suites.count == 1)
        let suite = try #require(suites.first)
        #expect(suite.path == ["testsuites"])
        #expect(suite.attributes["name"] == "scenarios")
        #expect(suite.attributes["tests"] == "2")
        #expect(suite.attributes["failures"] == "1")
        #expect(suite.attributes["errors"] == "0")
        #expect(suite.attributes["skipped"] == "0")
        let total = try #require(suite.attributes["time"].flatMap(Double.init))
        #expect(abs(total - (pass.wallSeconds + fail.wallSeconds)) < 0.01)
        #expect(xml.all("testsuites").first?.attributes["failures"] == "1")

        let cases = xml.all("testcase")
        #expect(cases.map { $0.attributes["name"] } == ["happy-path seed=1", "happy-path-impossible seed=2"])
        #expect(cases.allSatisfy { $0.attributes["classname"] == "sim" && $0.path == ["testsuites", "testsuite"] })
        #expect(cases.compactMap { $0.attributes["time"].flatMap(Double.init) }.count == 2)
        #expect(abs((cases[0].attributes["time"].flatMap(Double.init) ?? -1) - pass.wallSeconds) < 0.001)

        let failures = xml.all("failure")
        #expect(failures.count == 1)
        let failure = try #require(failures.first)
        #expect(failure.path.suffix(1) == ["testcase"])
        #expect(failure.attributes["type"] == "ScenarioFailure")
        #expect(failure.attributes["message"] == "assertion relays_served < 0 failed")
        let served = Int(fail.metric("relays_served"))
        #expect(failure.text.contains("assertion relays_served < 0 failed (actual \(served))"))
        #expect(failure.text.contains("trace hash \(fail.traceHash)"))
        #expect(!failure.text.contains("drift == 0"))

        let outs = xml.all("system-out")
        #expect(outs.count == 2)
        #expect(outs[0].text.contains("trace_hash \(pass.traceHash)"))
        #expect(outs[0].text.contains("drift 0\n"))
        #expect(outs[0].text.contains("claims_accepted 12\n"))
        #expect(outs[0].text.hasSuffix("passed true"))
        #expect(outs[1].text.hasSuffix("passed false"))
    }

    @Test func simulationFailuresInvariantsAndOddNamesStayValidXML() async throws {
        var r = try await ReportFixtures.shared.failingRun().report
        r.scenario = "odd <name> & \"quotes\" ]]>\u{7}"
        r.failure = "deadlock: job <42> never finished & more"
        r.invariants[0] = .init(name: r.invariants[0].name, passed: false, detail: "3 relays <lost>")
        let text = JUnitReport.render(runs: [.init(report: r, scenarioFile: "dir/a&b.yaml")])
        let xml = XMLCollector.parse(text)
        #expect(xml.error == nil, "\(xml.error ?? "")")
        #expect(xml.all("testsuite").first?.attributes["failures"] == "1")
        #expect(xml.all("testcase").first?.attributes["name"] == "odd <name> & \"quotes\" ]]>\u{FFFD} seed=2")
        let failure = try #require(xml.all("failure").first)
        #expect(failure.attributes["type"] == "SimulationFailure")
        #expect(failure.attributes["message"] == "simulation failed; invariant zero_drift failed; assertion relays_served < 0 failed")
        #expect(failure.text.hasPrefix("simulation failed: deadlock: job <42> never finished & more\ninvariant zero_drift failed: 3 relays <lost>\n"))
        #expect(failure.text.hasSuffix("replay: pocket-relay-miner sim run dir/a&b.yaml --seed 2"))
    }

    @Test func noRunsIsAnEmptySuite() {
        let xml = XMLCollector.parse(JUnitReport.render([]))
        #expect(xml.error == nil)
        #expect(xml.all("testsuite").first?.attributes["tests"] == "0")
        #expect(xml.all("testcase").isEmpty)
    }
}
