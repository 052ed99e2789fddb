import Foundation
import PocketProtocol

/// The outcome of one vector case (one check against the Go reference).
public struct CaseOutcome: Sendable {
    public let name: String
    public let passed: Bool
    public let detail: String

    public static func pass(_ name: String) -> CaseOutcome { CaseOutcome(name: name, passed: true, detail: "") }
    public static func fail(_ name: String, _ detail: String) -> CaseOutcome { CaseOutcome(name: name, passed: false, detail: detail) }

    /// Compares an expected and an actual value and records both on mismatch.
    public static func expect<T: Equatable>(_ name: String, _ actual: T, _ expected: T) -> CaseOutcome {
        actual == expected ? .pass(name) : .fail(name, "expected \(expected), got \(actual)")
    }

    public static func expectHex(_ name: String, _ actual: Bytes, _ expected: Bytes) -> CaseOutcome {
        actual == expected ? .pass(name) : .fail(name, "expected \(expected.hex), got \(actual.hex)")
    }
}

/// Checks every case of one kind of vector file. A checker recognises its
/// files by content (`matches`), so operators can point the suite at their
/// own vector sets with other file names.
public protocol VectorFileChecker: Sendable {
    /// Short name of the format, e.g. "smst".
    var format: String { get }
    /// True if the document has this checker's shape.
    func matches(_ document: JSONValue) -> Bool
    /// Runs every case; a case that cannot even be read is a failed outcome.
    func check(_ document: JSONValue) -> [CaseOutcome]
}

/// Per-file result of a vector run.
public struct FileReport: Sendable {
    public let file: String
    public let format: String
    public let outcomes: [CaseOutcome]
    public var passed: Int { outcomes.filter(\.passed).count }
    public var failed: Int { outcomes.count - passed }
    public var failures: [CaseOutcome] { outcomes.filter { !$0.passed } }
}

public enum VectorSuiteError: Error, CustomStringConvertible {
    case directoryUnreadable(String, underlying: String)
    case noVectorFiles(String)

    public var description: String {
        switch self {
        case .directoryUnreadable(let dir, let e): return "cannot read vector directory \(dir): \(e)"
        case .noVectorFiles(let dir): return "no .json vector files in \(dir)"
        }
    }
}

/// Runs every JSON file of a directory through the checker that recognises it.
/// A file no checker recognises is reported as one failed case, never skipped.
public struct VectorSuite: Sendable {
    public let checkers: [any VectorFileChecker]

    public init(checkers: [any VectorFileChecker] = VectorSuite.allCheckers) {
        self.checkers = checkers
    }

    /// The directory named by `POCKET_VECTORS_DIR`; else `../shared/vectors`
    /// when it exists (a developer's sibling checkout of the upstream vectors,
    /// not part of this project); else the copy committed with the tests,
    /// `Tests/Fixtures/vectors`, so a fresh clone checks something real.
    public static func defaultDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> String {
        if let named = environment["POCKET_VECTORS_DIR"] { return named }
        return exists("../shared/vectors") ? "../shared/vectors" : "Tests/Fixtures/vectors"
    }

    public func run(directory: String) throws -> [FileReport] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw VectorSuiteError.directoryUnreadable(directory, underlying: "\(error)")
        }
        guard !names.isEmpty else { throw VectorSuiteError.noVectorFiles(directory) }
        return names.map { runFile(path: directory + "/" + $0, name: $0) }
    }

    public func runFile(path: String, name: String) -> FileReport {
        let document: JSONValue
        do {
            document = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            return FileReport(file: name, format: "unreadable", outcomes: [.fail(name, "cannot parse JSON: \(error)")])
        }
        guard let checker = checkers.first(where: { $0.matches(document) }) else {
            return FileReport(file: name, format: "unknown",
                              outcomes: [.fail(name, "no checker recognises this vector format (top-level keys: \(document.keys))")])
        }
        return FileReport(file: name, format: checker.format, outcomes: checker.check(document))
    }
}
