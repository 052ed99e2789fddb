import Foundation
import Testing
import PocketVectors

/// Runs every golden-vector file of the vector directory (`VectorDirectory`:
/// `POCKET_VECTORS_DIR`, else the committed `Tests/Fixtures/vectors`) through
/// the checker that recognises it. Passing these is the definition of
/// "compatible". No file's case count is fixed here: any set of the format works.
@Suite struct GoldenVectorTests {
    @Test func everyVectorFilePasses() throws {
        let reports = try VectorSuite().run(directory: VectorDirectory.path)
        for report in reports {
            print("vectors: \(report.file) [\(report.format)] \(report.passed) passed, \(report.failed) failed")
            for failure in report.failures.prefix(20) {
                Issue.record("\(report.file): \(failure.name): \(failure.detail)")
            }
        }
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { $0.outcomes.count > 0 })
        #expect(reports.reduce(0) { $0 + $1.failed } == 0)
    }

    @Test func unknownFormatIsAFailureNotASkip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vectors-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"something_else": [1, 2]}"#.utf8).write(to: dir.appendingPathComponent("odd.json"))
        try Data("not json".utf8).write(to: dir.appendingPathComponent("broken.json"))
        let reports = try VectorSuite().run(directory: dir.path)
        #expect(reports.map(\.file) == ["broken.json", "odd.json"])
        #expect(reports.map(\.format) == ["unreadable", "unknown"])
        #expect(reports.allSatisfy { $0.failed == 1 && $0.passed == 0 })
    }

    @Test func emptyDirectoryIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vectors-empty-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: VectorSuiteError.self) { try VectorSuite().run(directory: dir.path) }
    }
}
