/// One thing wrong (or worth knowing) about a configuration file, at a key path
/// such as `services.eth.backends.jsonrpc.urls[1]`.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the key concerned; list items as `[index]`. Empty for the file as a whole.
    public let keyPath: String
    public let message: String

    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// `path: message`, the form `relayer validate` prints.
    public var description: String { keyPath.isEmpty ? message : "\(keyPath): \(message)" }
}

/// A configuration file that cannot be used, with every problem found in it
/// (loading never stops at the first one, so one run of `validate` lists all).
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let problems: [ConfigProblem]
    /// Warnings found along the way, so they are not lost when the file is refused.
    public let warnings: [ConfigProblem]

    public init(file: String, problems: [ConfigProblem], warnings: [ConfigProblem] = []) {
        self.file = file
        self.problems = problems
        self.warnings = warnings
    }

    /// A header line, then one problem per line as `path: message`.
    public var description: String {
        let noun = problems.count == 1 ? "problem" : "problems"
        return (["\(file): \(problems.count) configuration \(noun):"] + problems.map(\.description)).joined(separator: "\n")
    }
}
