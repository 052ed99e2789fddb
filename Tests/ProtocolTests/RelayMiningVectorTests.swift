import Foundation
import Testing
import PocketVectors

/// Every relay-mining vector file of the vector directory (`VectorDirectory`)
/// through `RelayMiningChecker`: each relay, applicability, difficulty update
/// and multiplier case must match the Go reference. Files are found by content,
/// as the `vectors` command finds them, so any set of the same format works.
@Suite struct RelayMiningVectorTests {
    /// Outcomes `RelayMiningChecker` produces per relay case
    /// (`relayCase`: re-encodings, signable bytes and hashes, payload hashes,
    /// signatures, relay bytes/hash/path, applicability). A property of the
    /// checker, not of any vector file: change both together.
    static let checksPerRelay = 25

    /// The relay-mining files of the directory with their reports (checked
    /// once; files of other formats are only parsed).
    static let reports: [(path: String, report: FileReport)] = {
        let suite = VectorSuite(checkers: [RelayMiningChecker()])
        return VectorDirectory.jsonFiles.compactMap { name in
            let path = VectorDirectory.path + "/" + name
            let report = suite.runFile(path: path, name: name)
            return report.format == "relay_mining" ? (path, report) : nil
        }
    }()

    /// How many outcomes a correct check of the file at `path` has, counted
    /// from the file itself (read with Foundation, not the checker's parser):
    /// the default target, `checksPerRelay` per relay, one per applicability
    /// case and difficulty update, two (multiplier, probability) per multiplier case.
    static func expectedOutcomes(path: String) throws -> (total: Int, relays: Int) {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let document = try #require(object as? [String: Any], "\(path): top level is not an object")
        func count(_ key: String) -> Int { (document[key] as? [Any])?.count ?? 0 }
        let relays = count("relays")
        let total = 1 + relays * checksPerRelay + count("applicability") + count("difficulty_updates") + 2 * count("difficulty_multipliers")
        return (total, relays)
    }

    /// Skipped (and shown as skipped) for a vector set without relay-mining
    /// files; `GoldenVectorTests` still checks every file of such a set.
    @Test(.enabled(if: !reports.isEmpty, "the vector directory has no relay-mining file"))
    func relayMiningVectorsPass() throws {
        for (path, report) in Self.reports {
            for failure in report.failures.prefix(20) {
                Issue.record("\(report.file): \(failure.name): \(failure.detail)")
            }
            #expect(report.failed == 0, "\(report.file): \(report.failed) of \(report.outcomes.count) cases failed")
            let expected = try Self.expectedOutcomes(path: path)
            #expect(expected.total > 1, "\(report.file): no cases besides the default target")
            #expect(report.outcomes.count == expected.total, "\(report.file): \(report.outcomes.count) outcomes for \(expected.total) cases in the file")
            // Every relay of the file was checked in full (a relay the checker
            // skipped or cut short would show up here by name).
            for i in 0..<expected.relays {
                let prefix = "relays[\(i)]"
                let checked = report.outcomes.filter { $0.name == prefix || $0.name.hasPrefix(prefix + ".") }
                #expect(checked.count == Self.checksPerRelay && checked.allSatisfy(\.passed), "\(report.file): \(prefix): \(checked.count) checks")
            }
        }
    }

    @Test func checkerIsRegistered() {
        #expect(VectorSuite.allCheckers.contains { $0.format == "relay_mining" })
    }
}
