import Foundation
import Yams

/// Reads the relayer's YAML configuration.
///
/// The file format is the reference relay miner's (`relayer.yaml`), so an
/// operator's existing file loads unchanged, plus a few keys of ours
/// (docs/operator-config.md lists every key). Unlike the reference, every
/// unknown key is an error with its full path and a suggestion, and every
/// problem in the file is reported at once.
public enum RelayerConfigFile {
    /// Reads and checks the file at `path`. Relative key paths in it are
    /// resolved against the file's directory.
    /// - Parameter redisURLOverride: replaces `redis.url` (the `--redis-url` flag).
    public static func load(path: String, redisURLOverride: String? = nil) throws(ConfigError) -> RelayerSettings {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, problems: [ConfigProblem(keyPath: "", message: "file not found; pass the path of your relayer.yaml")])
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(file: path, problems: [ConfigProblem(keyPath: "", message: "cannot read the file: \(error.localizedDescription)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, problems: [ConfigProblem(keyPath: "", message: "the file is not UTF-8 text")])
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(yaml: text, file: path, redisURLOverride: redisURLOverride, baseDirectory: directory.isEmpty ? "." : directory)
    }

    /// Reads and checks YAML text.
    /// - Parameters:
    ///   - file: the name problems are reported under.
    ///   - baseDirectory: relative key paths are resolved against it (left relative when nil).
    public static func parse(
        yaml: String, file: String = "relayer.yaml", redisURLOverride: String? = nil, baseDirectory: String? = nil
    ) throws(ConfigError) -> RelayerSettings {
        let diagnostics = Diagnostics()
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(file: file, problems: [ConfigProblem(keyPath: "", message: describeYAMLError(error))])
        }
        guard let top = YAMLMapping.read(root, path: "", diagnostics: diagnostics) else {
            let problems = diagnostics.errors.isEmpty
                ? [ConfigProblem(keyPath: "", message: "the file is empty; see docs/operator-config.md for the keys")] : diagnostics.errors
            throw ConfigError(file: file, problems: problems)
        }
        var settings = RelayerFileReader(diagnostics: diagnostics, baseDirectory: baseDirectory).read(top, redisURLOverride: redisURLOverride)
        guard diagnostics.errors.isEmpty else {
            throw ConfigError(file: file, problems: diagnostics.errors, warnings: diagnostics.warnings)
        }
        settings.warnings = diagnostics.warnings
        return settings
    }

    /// Names the line and column; never quotes the file (it may hold passwords).
    static func describeYAMLError(_ error: any Error) -> String {
        guard let yamlError = error as? YamlError else { return "invalid YAML" }
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "invalid YAML at line \(mark.line), column \(mark.column): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            return "invalid YAML: key \(names) appears twice in the mapping at line \(context.mark.line); keep one"
        default:
            return "invalid YAML"
        }
    }
}
