import ArgumentParser
import Foundation
import PocketVectors

/// `pocket-relay-miner vectors`: checks a directory of golden vectors (the Go
/// reference's outputs) and prints per-file results. Operators can point it
/// at their own vector sets of the same format.
struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Check every golden-vector JSON file in a directory against this implementation."
    )

    @Option(name: .long, help: "Directory of vector JSON files (default: $POCKET_VECTORS_DIR, else ../shared/vectors if present, else Tests/Fixtures/vectors).")
    var dir: String?

    @Flag(name: .long, help: "List every failing case, not just the first 10 per file.")
    var verbose = false

    func run() throws {
        let directory = dir ?? VectorSuite.defaultDirectory()
        let reports: [FileReport]
        do {
            reports = try VectorSuite().run(directory: directory)
        } catch {
            throw ValidationError("\(error)")
        }
        let nameWidth = max(12, reports.map(\.file.count).max() ?? 0)
        print("file".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  format        passed  failed")
        for r in reports {
            let line = r.file.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + r.format.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "  %6d  %6d", r.passed, r.failed)
            print(line)
            for f in (verbose ? r.failures : Array(r.failures.prefix(10))) {
                print("  FAIL \(f.name): \(f.detail)")
            }
        }
        let passed = reports.reduce(0) { $0 + $1.passed }
        let failed = reports.reduce(0) { $0 + $1.failed }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
