import Foundation

/// The golden-vector directory the tests check: `POCKET_VECTORS_DIR` when set
/// (relative paths are taken from the package root), else the copy committed
/// in `Tests/Fixtures/vectors`, so a bare `swift test` on a fresh clone needs
/// nothing outside the repository. Any directory of the vector format works,
/// as with the `vectors` command: files are recognised by content, not name.
enum VectorDirectory {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var path: String {
        let dir = ProcessInfo.processInfo.environment["POCKET_VECTORS_DIR"] ?? "Tests/Fixtures/vectors"
        if dir.hasPrefix("/") { return dir }
        return packageRoot.appendingPathComponent(dir).standardizedFileURL.path
    }

    /// The `.json` files of the directory, sorted (empty when it cannot be read).
    static var jsonFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }
}
