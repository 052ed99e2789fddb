import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PocketSim

/// Runs shared by the report tests: the happy path once per test process,
/// and a short copy of it that fails an impossible assertion.
actor ReportFixtures {
    static let shared = ReportFixtures()

    struct Run: Sendable {
        let report: RunReport
        let timeline: RunTimeline
    }

    private var happy: Task<Run, any Error>?
    private var failing: Task<Run, any Error>?

    func happyPath() async throws -> Run {
        if let happy { return try await happy.value }
        let task = Task<Run, any Error> {
            let spec = try ScenarioFiles.load(HappyPathTests.scenario)
            return await Self.run(spec, seed: 1)
        }
        happy = task
        return try await task.value
    }

    /// The happy path cut to one session, with an assertion no run can meet.
    func failingRun() async throws -> Run {
        if let failing { return try await failing.value }
        let task = Task<Run, any Error> {
            return await Self.run(try Self.failingSpec(), seed: 2)
        }
        failing = task
        return try await task.value
    }

    static func failingSpec() throws -> ScenarioSpec {
        var spec = try ScenarioFiles.load(HappyPathTests.scenario)
        spec.name = "happy-path-impossible"
        spec.untilBlock = 22
        spec.workload = spec.workload.map { phase in
            var p = phase
            p.toBlock = 4
            p.relaysPerBlock = 4
            return p
        }
        spec.assertions = [
            AssertionSpec(metric: "drift", comparison: .equal, value: 0),
            AssertionSpec(metric: "relays_served", comparison: .less, value: 0),
        ]
        return spec
    }

    private static func run(_ spec: ScenarioSpec, seed: UInt64) async -> Run {
        let world: SimWorld
        do { world = try SimWorld(spec: spec, seed: seed) } catch { fatalError("\(error)") }
        let report = await world.runDetached()
        return Run(report: report, timeline: world.timeline())
    }
}

/// A strict XML parse (XMLParser: Foundation's XMLDocument is not on Linux)
/// that records elements, attributes and text.
final class XMLCollector: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text = ""
        /// Names of the enclosing elements, outermost first.
        let path: [String]
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private(set) var error: String?

    static func parse(_ text: String) -> XMLCollector {
        let collector = XMLCollector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        if !parser.parse() {
            collector.error = "line \(parser.lineNumber) column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "unknown error")"
        }
        return collector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        stack.append(elements.count)
        elements.append(Element(name: name, attributes: attributes, path: stack.dropLast().map { elements[$0].name }))
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = stack.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if error == nil { error = "line \(parser.lineNumber): \(parseError)" }
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}
