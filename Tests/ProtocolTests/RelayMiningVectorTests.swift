import Foundation
import Testing
import PocketVectors

/// relay_mining.json through `RelayMiningChecker`: every relay, applicability,
/// difficulty update and multiplier case must match the Go reference.
@Suite struct RelayMiningVectorTests {
    static var vectorFile: String {
        var dir = VectorSuite.defaultDirectory()
        if !dir.hasPrefix("/") {
            let packageRoot = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            dir = packageRoot.appendingPathComponent(dir).standardizedFileURL.path
        }
        return dir + "/relay_mining.json"
    }

    @Test func relayMiningVectorsPass() throws {
        let report = VectorSuite(checkers: [RelayMiningChecker()]).runFile(path: Self.vectorFile, name: "relay_mining.json")
        for failure in report.failures.prefix(20) {
            Issue.record("\(failure.name): \(failure.detail)")
        }
        #expect(report.format == "relay_mining")
        #expect(report.failed == 0)
        // 12 relays x 25 checks + 1 + 46 + 11 + 5 x 2 cases.
        #expect(report.passed == 12 * 25 + 1 + 46 + 11 + 10)
    }

    @Test func checkerIsRegistered() {
        #expect(VectorSuite.allCheckers.contains { $0.format == "relay_mining" })
    }
}
