import Yams

/// A YAML mapping being read, remembering its path for error messages and
/// which keys were consumed, so a misspelt key is an error, not silently ignored.
final class YAMLMap {
    let file: String
    let path: String
    private let entries: [(String, Node)]
    private var used: Set<String> = []

    init(file: String, path: String, node: Node) throws(ScenarioError) {
        self.file = file
        self.path = path
        guard case .mapping(let mapping) = node else {
            throw ScenarioError(file: file, path: path, problem: "expected a mapping")
        }
        var entries: [(String, Node)] = []
        for (k, v) in mapping {
            guard let key = k.string else { throw ScenarioError(file: file, path: path, problem: "mapping keys must be strings") }
            entries.append((key, v))
        }
        self.entries = entries
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ problem: String) -> ScenarioError {
        ScenarioError(file: file, path: child(key), problem: problem)
    }

    func node(_ key: String) -> Node? {
        used.insert(key)
        return entries.first { $0.0 == key }?.1
    }

    func string(_ key: String) throws(ScenarioError) -> String? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s) = n else { throw error(key, "expected a string") }
        return s.string
    }

    func requiredString(_ key: String) throws(ScenarioError) -> String {
        guard let s = try string(key) else { throw error(key, "required") }
        return s
    }

    func int(_ key: String) throws(ScenarioError) -> Int64? {
        guard let s = try string(key) else { return nil }
        guard let v = Int64(s.replacingOccurrences(of: "_", with: "")) else { throw error(key, "expected an integer, got '\(s)'") }
        return v
    }

    func uint(_ key: String) throws(ScenarioError) -> UInt64? {
        guard let s = try string(key) else { return nil }
        guard let v = UInt64(s.replacingOccurrences(of: "_", with: "")) else { throw error(key, "expected a non-negative integer, got '\(s)'") }
        return v
    }

    func double(_ key: String) throws(ScenarioError) -> Double? {
        guard let s = try string(key) else { return nil }
        guard let v = Double(s.replacingOccurrences(of: "_", with: "")) else { throw error(key, "expected a number, got '\(s)'") }
        return v
    }

    func map(_ key: String) throws(ScenarioError) -> YAMLMap? {
        guard let n = node(key) else { return nil }
        return try YAMLMap(file: file, path: child(key), node: n)
    }

    func list(_ key: String) throws(ScenarioError) -> [(path: String, node: Node)] {
        guard let n = node(key) else { return [] }
        guard case .sequence(let seq) = n else { throw error(key, "expected a list") }
        return seq.enumerated().map { ("\(child(key))[\($0.offset)]", $0.element) }
    }

    func stringList(_ key: String) throws(ScenarioError) -> [String] {
        var out: [String] = []
        for item in try list(key) {
            guard case .scalar(let s) = item.node else {
                throw ScenarioError(file: file, path: item.path, problem: "expected a string")
            }
            out.append(s.string)
        }
        return out
    }

    /// Every key present in the file, in file order.
    var keys: [String] { entries.map(\.0) }

    /// Fails on keys nobody read: typos must not be silently ignored.
    func rejectUnknownKeys() throws(ScenarioError) {
        for (key, _) in entries where !used.contains(key) {
            throw error(key, "unknown key")
        }
    }
}
