/// Errors and warnings collected while one file is read, in the order found.
final class Diagnostics {
    private(set) var errors: [ConfigProblem] = []
    private(set) var warnings: [ConfigProblem] = []

    func error(_ path: String, _ message: String) {
        errors.append(ConfigProblem(keyPath: path, message: message))
    }

    /// Whether a problem was already recorded at `path` (so "required" is not added to "expected a mapping").
    func hasError(at path: String) -> Bool { errors.contains { $0.keyPath == path } }

    func warn(_ path: String, _ message: String) {
        warnings.append(ConfigProblem(keyPath: path, message: message))
    }
}

/// Key paths as problems print them: `a.b`, `a[2]`.
enum KeyPath {
    static func child(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }
    static func item(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }
}
