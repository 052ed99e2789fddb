import Foundation

/// Finds and reads scenario files: a file, or every `*.yaml`/`*.yml` in a
/// directory (sorted, so a suite always runs in the same order).
public enum ScenarioFiles {
    public static func paths(_ path: String) throws(ScenarioError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioError(file: path, path: "", problem: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let yaml = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        if yaml.isEmpty { throw ScenarioError(file: path, path: "", problem: "directory holds no .yaml scenario files") }
        return yaml.map { (path as NSString).appendingPathComponent($0) }
    }

    public static func load(_ path: String) throws(ScenarioError) -> ScenarioSpec {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, path: "", problem: "cannot read the file (missing, unreadable or not UTF-8)")
        }
        return try ScenarioLoader.parse(yaml: text, file: (path as NSString).lastPathComponent)
    }
}
