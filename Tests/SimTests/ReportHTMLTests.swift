import Foundation
import Testing
@testable import PocketSim

/// The HTML report is well-formed XML (XHTML-compatible), self-contained,
/// has one lane per node and per lease row, links every claim marker to its
/// table row, and escapes whatever a scenario's names contain.
@Suite struct ReportHTMLTests {
    @Test func happyPathPageParsesAsXMLWithOneLanePerNodeAndLeaseRow() async throws {
        let run = try await ReportFixtures.shared.happyPath()
        let t = run.timeline
        let html = HTMLReport.render(t, report: run.report, replayCommand: "pocket-relay-miner sim run scenarios/happy-path.yaml --seed 1")
        let xml = XMLCollector.parse(html)
        #expect(xml.error == nil, "\(xml.error ?? "")")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(xml.elements.first?.name == "html")
        #expect(xml.all("title").first?.text == "PASS happy-path seed 1")
        #expect(xml.all("h1").first?.text.contains("happy-path") == true)
        #expect(html.contains(run.report.traceHash))
        #expect(html.contains("pocket-relay-miner sim run scenarios/happy-path.yaml --seed 1"))

        // Self-contained: one inline SVG, no scripts, no external references.
        #expect(xml.all("svg").count == 1)
        #expect(xml.all("script").isEmpty)
        #expect(xml.all("link").isEmpty && xml.all("img").isEmpty)
        let hrefs = xml.elements.compactMap { $0.attributes["href"] ?? $0.attributes["src"] }
        #expect(hrefs.allSatisfy { $0.hasPrefix("#") }, "\(hrefs.filter { !$0.hasPrefix("#") })")

        // Lanes, in order: blocks, sessions, relayers, each miner followed by its lease rows, submissions.
        var expected = ["blocks", "session:1", "session:2", "session:3", "relayer:relayer-1", "relayer:relayer-2"]
        for miner in ["miner-1", "miner-2"] {
            expected.append("miner:\(miner)")
            let held = Set(t.leases(ofMiner: miner).map(\.supplier))
            expected += t.suppliers.filter(held.contains).map { "lease:\(miner):\($0)" }
        }
        expected += ["claims-sent", "claims", "proofs-sent", "proofs", "settlements"]
        let lanes = xml.elements.compactMap { $0.attributes["data-lane"] }
        #expect(lanes == expected)
        #expect(lanes.filter { $0.hasPrefix("lease:") }.count == 3)

        // Every claim has a table row, and its markers link to it.
        let rows = xml.all("tr").compactMap { $0.attributes["id"] }
        #expect(rows == (0..<12).map { "claim-\($0)" })
        let links = Set(xml.all("a").compactMap { $0.attributes["href"] })
        #expect(links == Set((0..<12).map { "#claim-\($0)" }))
        // Headline metrics and checks.
        #expect(xml.all("div").filter { $0.attributes["class"] == "metric" }.count == RunReport.headlineMetrics.count)
        #expect(xml.all("li").filter { $0.attributes["class"] == "ok" }.count == run.report.invariants.count + run.report.assertions.count)
        #expect(!html.contains("class=\"metric bad\""))
    }

    @Test func craftedNamesAreEscapedAndSurviveAsText() async throws {
        let run = try await ReportFixtures.shared.happyPath()
        let evilScenario = "evil <script>alert('x')</script> & \"co\"\u{1}"
        let evilSupplier = "<img src=x onerror=alert(1)>&amp;"
        var t = run.timeline
        let old = t.suppliers[0]
        t.scenario = evilScenario
        t.description = "a < b && c > d ]]> <!-- not a comment -->"
        t.suppliers[0] = evilSupplier
        for i in t.leases.indices where t.leases[i].supplier == old { t.leases[i].supplier = evilSupplier }
        for i in t.claims.indices where t.claims[i].supplier == old { t.claims[i].supplier = evilSupplier }
        t.faults = [.init(kind: "crash</text>", target: "miner-1\"/><script>", detail: "nodes=<b>miner-1</b>", applied: 50_000_000_000, cleared: 80_000_000_000)]
        var report = run.report
        report.scenario = evilScenario
        report.invariants.append(.init(name: "made_up<invariant>", passed: false, detail: "detail with <tags> & \"quotes\""))

        let html = HTMLReport.render(t, report: report, replayCommand: "sim run 'a&b.yaml'")
        let xml = XMLCollector.parse(html)
        #expect(xml.error == nil, "\(xml.error ?? "")")
        #expect(xml.all("script").isEmpty)
        #expect(xml.all("img").isEmpty)
        #expect(xml.all("b").isEmpty)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"))
        // The XML parser reads the escaped text back (the control character became U+FFFD).
        #expect(xml.all("h1").first?.text.contains("evil <script>alert('x')</script> & \"co\"\u{FFFD}") == true)
        #expect(xml.all("p").contains { $0.text == "a < b && c > d ]]> <!-- not a comment -->" })
        #expect(xml.elements.contains { $0.attributes["data-lane"] == "lease:miner-2:\(evilSupplier)" || $0.attributes["data-lane"] == "lease:miner-1:\(evilSupplier)" })
        #expect(xml.all("td").contains { $0.text.contains(evilSupplier) })
        #expect(xml.elements.contains { $0.attributes["data-lane"] == "fault:0" })
        #expect(xml.all("title").contains { $0.text.contains("crash</text> → miner-1\"/><script>: nodes=<b>miner-1</b>") })
        // A failing invariant turns the page to FAIL and is listed with its detail.
        #expect(xml.all("title").first?.text.hasPrefix("FAIL ") == true)
        #expect(xml.all("div").contains { $0.attributes["class"] == "detail" && $0.text == "detail with <tags> & \"quotes\"" })
    }

    @Test func failingRunShowsTheFailedAssertion() async throws {
        let run = try await ReportFixtures.shared.failingRun()
        let html = HTMLReport.render(run.timeline, report: run.report)
        let xml = XMLCollector.parse(html)
        #expect(xml.error == nil, "\(xml.error ?? "")")
        #expect(xml.all("span").contains { $0.attributes["class"] == "badge fail" && $0.text == "FAIL" })
        let failed = xml.elements.indices.filter { xml.elements[$0].name == "li" && xml.elements[$0].attributes["class"] == "bad" }
        #expect(failed.count == 1)
        // The item's code element names the assertion; the actual value follows it.
        let code = failed.first.flatMap { i in xml.elements[i...].first { $0.name == "code" } }
        #expect(code?.text == "relays_served < 0")
        #expect(html.contains("actual \(Int(run.report.metric("relays_served")))"))
    }

    @Test func escapingKeepsXMLCharactersOnly() {
        #expect(HTMLReport.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(HTMLReport.escape("tab\tnl\ncr\r") == "tab\tnl\ncr\r")
        #expect(HTMLReport.escape("\u{0}\u{8}\u{B}\u{1F}\u{FFFE}") == String(repeating: "\u{FFFD}", count: 5))
        #expect(HTMLReport.escape("ünïcødé ✓ 🚀") == "ünïcødé ✓ 🚀")
    }
}
