/// Why supplier keys could not be loaded: every problem found, each naming
/// the file and the entry. Messages never contain key material, so the
/// error can be logged as is.
public struct SupplierKeysError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One unusable file or entry.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The file or directory concerned.
        public let file: String
        /// The entry inside the file (`keys[2]`, `private_key_hex`), nil for the whole file.
        public let entry: String?
        public let message: String

        public init(file: String, entry: String? = nil, message: String) {
            self.file = file
            self.entry = entry
            self.message = message
        }

        public var description: String {
            if let entry { return "\(file): \(entry): \(message)" }
            return "\(file): \(message)"
        }
    }

    public let problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }

    public init(file: String, entry: String? = nil, message: String) {
        self.init(problems: [Problem(file: file, entry: entry, message: message)])
    }

    public var description: String {
        if problems.count == 1 { return "cannot load supplier keys: \(problems[0])" }
        return "cannot load supplier keys (\(problems.count) problems):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}
