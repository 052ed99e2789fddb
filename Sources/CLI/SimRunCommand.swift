import ArgumentParser
import Foundation
import PocketSim
import RelayRuntime

/// `sim run`: runs scenario files in the simulator and gates on their outcome.
struct SimRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenario files (a file or a directory) in the deterministic simulator."
    )

    @Argument(help: "A scenario file or a directory of them.") var path: String
    @Option(help: "Seed (default: each scenario's own seed).") var seed: UInt64?
    @Flag(help: "Print one JSON object per scenario instead of the table.") var json = false
    @Option(help: "Write the event trace (JSON lines) to this file (one scenario only).") var trace: String?
    @Option(help: ArgumentHelp(
        "Write an HTML report (timeline, claims, leases) per scenario.",
        discussion: "With several scenarios the scenario name is inserted before the extension (report.html → report-<name>.html); a directory (existing, or ending in /) gets <name>.html per scenario.",
        valueName: "file"
    )) var report: String?
    @Option(help: ArgumentHelp("Write a JUnit XML report of all scenario runs.", valueName: "file")) var junit: String?
    @Option(help: "Run a deliberately broken runtime variant to see the suite fail (\(PlantedBug.allCases.map(\.rawValue).joined(separator: ", "))).")
    var plantBug: String?

    private func worldOptions() throws -> SimWorld.Options {
        guard let plantBug else { return SimWorld.Options() }
        guard let bug = PlantedBug(rawValue: plantBug) else {
            throw ValidationError("unknown planted bug '\(plantBug)'; known: \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return SimWorld.Options(plantedBug: bug)
    }

    func run() async throws {
        let files = try ScenarioFiles.paths(path)
        if trace != nil, files.count > 1 { throw ValidationError("--trace needs a single scenario file") }
        var reports: [RunReport] = []
        var junitRuns: [JUnitReport.Run] = []
        var reportPaths = ReportPaths(report, scenarios: files.count)
        for file in files {
            let spec = try ScenarioFiles.load(file)
            let world = try SimWorld(spec: spec, seed: seed, options: try worldOptions())
            var writer: TraceFileWriter?
            if let trace {
                writer = try TraceFileWriter(path: trace)
                world.kernel.trace.setSink { [writer] line in writer?.write(line) }
            }
            let report = await world.runDetached()
            writer?.close()
            reports.append(report)
            junitRuns.append(JUnitReport.Run(report: report, scenarioFile: file))
            if json {
                print(report.json)
            } else {
                print(SummaryTable.render(report))
            }
            if let path = try reportPaths.next(scenario: spec.name) {
                let html = HTMLReport.render(world.timeline(), report: report, replayCommand: "pocket-relay-miner sim run \(file) --seed \(report.seed)")
                try write(html, to: path)
                if json { FileHandle.standardError.write(Data("report \(path)\n".utf8)) } else { print("  report    \(path)") }
            }
        }
        if let junit { try write(JUnitReport.render(runs: junitRuns), to: junit) }
        let failed = reports.filter { !$0.passed }.count
        if !json { print("\(reports.count - failed) passed, \(failed) failed") }
        if failed > 0 { throw ExitCode(1) }
    }
}

private func write(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
}

/// Where `--report` writes each scenario's page: the file itself for one
/// scenario; `<dir>/<name>.html` for a directory; otherwise the scenario
/// name inserted before the extension. Names are made file-safe and unique.
struct ReportPaths {
    private let base: String?
    private let scenarios: Int
    private var used: Set<String> = []

    init(_ base: String?, scenarios: Int) {
        self.base = base
        self.scenarios = scenarios
    }

    mutating func next(scenario: String) throws -> String? {
        guard let base else { return nil }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory)
        let directory = base.hasSuffix("/") || (exists && isDirectory.boolValue)
        if !directory, scenarios == 1 { return base }
        let safe = Self.fileSafe(scenario)
        var candidate = ""
        for n in 1... {
            let name = n == 1 ? safe : "\(safe)-\(n)"
            if directory {
                try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
                candidate = (base as NSString).appendingPathComponent("\(name).html")
            } else {
                let ext = (base as NSString).pathExtension
                let stem = ext.isEmpty ? base : String(base.dropLast(ext.count + 1))
                candidate = "\(stem)-\(name).\(ext.isEmpty ? "html" : ext)"
            }
            if used.insert(candidate).inserted { break }
        }
        return candidate
    }

    static func fileSafe(_ name: String) -> String {
        let mapped = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return mapped.isEmpty || mapped.allSatisfy({ $0 == "." }) ? "scenario" : mapped
    }
}

/// Appends trace lines to a file.
final class TraceFileWriter: @unchecked Sendable {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("cannot create trace file \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func write(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }

    func close() { try? handle.close() }
}
