import Foundation
import Testing
@testable import PocketSim

/// `sim run --report --junit` end to end on two tiny scenarios (one fails an
/// impossible assertion): exit status 1, one JUnit file with both runs, one
/// HTML page per scenario named after it.
@Suite struct ReportCLITests {
    static func tinyScenario(name: String, assertion: String) -> String {
        """
        name: \(name)
        seed: 4
        chain:
          num_blocks_per_session: 4
          claim_window_close_offset_blocks: 2
          proof_window_close_offset_blocks: 2
        services:
          - id: anvil
        applications:
          - name: app-1
            service: anvil
        suppliers:
          - name: supplier-1
            services: [anvil]
        workload:
          - from_block: 1
            to_block: 2
            relays_per_block: 2
        assertions:
          - \(assertion)

        """
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func reportAndJUnitForADirectoryOfScenarios() throws {
        let binary = try CLIProcess.binary()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenarios = dir.appendingPathComponent("scenarios")
        try FileManager.default.createDirectory(at: scenarios, withIntermediateDirectories: true)
        try Self.tinyScenario(name: "tiny-pass", assertion: "drift == 0").write(to: scenarios.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try Self.tinyScenario(name: "tiny-fail", assertion: "relays_claimed > 1000000").write(to: scenarios.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let junit = dir.appendingPathComponent("junit.xml").path
        let report = dir.appendingPathComponent("out/report.html").path
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("out").path, withIntermediateDirectories: true)

        let result = try CLIProcess.run(binary, ["sim", "run", scenarios.path, "--report", report, "--junit", junit])
        #expect(result.status == 1)
        #expect(result.output.contains("1 passed, 1 failed"))

        let xml = XMLCollector.parse(try String(contentsOfFile: junit, encoding: .utf8))
        #expect(xml.error == nil)
        #expect(xml.all("testsuite").first?.attributes["tests"] == "2")
        #expect(xml.all("testsuite").first?.attributes["failures"] == "1")
        #expect(xml.all("testcase").map { $0.attributes["name"] } == ["tiny-pass seed=4", "tiny-fail seed=4"])
        let failure = try #require(xml.all("failure").first)
        #expect(failure.attributes["message"] == "assertion relays_claimed > 1000000 failed")
        #expect(failure.text.contains("replay: pocket-relay-miner sim run \(scenarios.appendingPathComponent("b.yaml").path) --seed 4"))

        // One page per scenario: the name goes before the extension.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        #expect(files == ["report-tiny-fail.html", "report-tiny-pass.html"])
        for (file, passed) in [("report-tiny-pass.html", true), ("report-tiny-fail.html", false)] {
            let html = try String(contentsOfFile: dir.appendingPathComponent("out/\(file)").path, encoding: .utf8)
            let page = XMLCollector.parse(html)
            #expect(page.error == nil, "\(file): \(page.error ?? "")")
            #expect(page.all("title").first?.text.hasPrefix(passed ? "PASS" : "FAIL") == true)
            #expect(result.output.contains("report    \(dir.appendingPathComponent("out/\(file)").path)"))
        }
    }

    @Test func reportIntoADirectoryAndForOneFile() throws {
        let binary = try CLIProcess.binary()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.yaml")
        try Self.tinyScenario(name: "tiny pass/odd name", assertion: "drift == 0").write(to: file, atomically: true, encoding: .utf8)

        // A single scenario writes exactly the file given.
        let single = dir.appendingPathComponent("one.html").path
        let first = try CLIProcess.run(binary, ["sim", "run", file.path, "--report", single, "--json"])
        #expect(first.status == 0)
        #expect(FileManager.default.fileExists(atPath: single))
        // --json keeps stdout to the JSON object.
        #expect((try? JSONSerialization.jsonObject(with: Data(first.output.utf8))) != nil)

        // A directory (trailing slash, created) gets <name>.html with a file-safe name.
        let pages = dir.appendingPathComponent("pages").path + "/"
        let second = try CLIProcess.run(binary, ["sim", "run", file.path, "--report", pages])
        #expect(second.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: pages) == ["tiny_pass_odd_name.html"])
        let html = try String(contentsOfFile: pages + "tiny_pass_odd_name.html", encoding: .utf8)
        #expect(XMLCollector.parse(html).error == nil)
        #expect(html.contains("tiny pass/odd name"))
        // Same scenario and seed, same trace hash, so the two pages show the same run.
        let firstPage = try String(contentsOfFile: single, encoding: .utf8)
        let hash = try #require(firstPage.range(of: #"[0-9a-f]{64}"#, options: .regularExpression).map { String(firstPage[$0]) })
        #expect(html.contains(hash))
    }
}
