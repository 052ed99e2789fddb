import Foundation
import Testing

/// FLUSHALL, DBSIZE and KEYS (`RedisAdminCommand`) and the live client's raw
/// argv are `@_spi(Testing)`: production code reaches them only by importing
/// that SPI. This keeps the list of source files that do short and explicit.
@Suite struct TestOnlyRedisAPITests {
    /// Files allowed to import `@_spi(Testing)`, relative to `Sources/`: the
    /// two admin implementations (the live client's, the model's).
    static let allowed: Set<String> = [
        "Runtime/Live/Redis/LiveRedisClient+Administration.swift",
        "Sim/Redis/RedisModel+Admin.swift",
    ]

    @Test func onlyTheAdminImplementationsImportTheTestingSPI() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Sources").standardizedFileURL
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var importers: [String] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            guard text.split(separator: "\n").contains(where: { $0.hasPrefix("@_spi(Testing)") && $0.contains("import ") }) else { continue }
            importers.append(String(url.standardizedFileURL.path.dropFirst(sources.path.count + 1)))
        }
        #expect(!importers.isEmpty, "no source file found under \(sources.path)")
        #expect(Set(importers).subtracting(Self.allowed).sorted() == [], "production code imports the test-only Redis API")
    }
}
