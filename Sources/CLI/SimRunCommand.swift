import ArgumentParser
import Foundation
import PocketSim

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

    func run() async throws {
        let files = try ScenarioFiles.paths(path)
        if trace != nil, files.count > 1 { throw ValidationError("--trace needs a single scenario file") }
        var reports: [RunReport] = []
        for file in files {
            let spec = try ScenarioFiles.load(file)
            let world = try SimWorld(spec: spec, seed: seed)
            var writer: TraceFileWriter?
            if let trace {
                writer = try TraceFileWriter(path: trace)
                world.kernel.trace.setSink { [writer] line in writer?.write(line) }
            }
            let report = await world.runDetached()
            writer?.close()
            reports.append(report)
            if json {
                print(report.json)
            } else {
                print(SummaryTable.render(report))
            }
        }
        let failed = reports.filter { !$0.passed }.count
        if !json { print("\(reports.count - failed) passed, \(failed) failed") }
        if failed > 0 { throw ExitCode(1) }
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
