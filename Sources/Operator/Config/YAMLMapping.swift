import Yams

/// A YAML mapping being read. Every accessor records its key as known, reads
/// the value if present, and reports a wrong type or range as a problem
/// (returning nil) instead of stopping, so one pass finds every problem.
/// `finish()` then reports each key nobody asked for, with a suggestion.
final class YAMLMapping {
    let path: String
    let diagnostics: Diagnostics
    private let entries: [(key: String, node: Node)]
    private var known: [String] = []

    private init(path: String, diagnostics: Diagnostics, entries: [(key: String, node: Node)]) {
        self.path = path
        self.diagnostics = diagnostics
        self.entries = entries
    }

    /// The mapping at `node`; nil (nothing reported) when absent or null,
    /// nil with a problem when it is not a mapping.
    static func read(_ node: Node?, path: String, diagnostics: Diagnostics) -> YAMLMapping? {
        guard let node, !node.isNull else { return nil }
        guard case .mapping(let mapping) = node else {
            diagnostics.error(path, "expected a mapping (key: value lines), found \(node.kindDescription)")
            return nil
        }
        var entries: [(key: String, node: Node)] = []
        for (key, value) in mapping {
            guard case .scalar(let k) = key else {
                diagnostics.error(path, "a key of this mapping is not a plain name")
                continue
            }
            entries.append((k.string, value))
        }
        return YAMLMapping(path: path, diagnostics: diagnostics, entries: entries)
    }

    /// Keys present in the file, in file order.
    var keys: [String] { entries.map(\.key) }

    var isEmpty: Bool { entries.isEmpty }

    func childPath(_ key: String) -> String { KeyPath.child(path, key) }

    func error(_ key: String, _ message: String) { diagnostics.error(childPath(key), message) }

    func warn(_ key: String, _ message: String) { diagnostics.warn(childPath(key), message) }

    /// The value of `key` (marking it known); nil when absent or null.
    func node(_ key: String) -> Node? {
        if !known.contains(key) { known.append(key) }
        guard let node = entries.first(where: { $0.key == key })?.node, !node.isNull else { return nil }
        return node
    }

    /// Whether `key` is written in the file, even without a value (marking it known).
    func isPresent(_ key: String) -> Bool {
        if !known.contains(key) { known.append(key) }
        return entries.contains { $0.key == key }
    }

    /// Whether `key` is present with a value (marking it known).
    func has(_ key: String) -> Bool { node(key) != nil }

    /// The value of a key whose name is data (a service id, a header name): no known-key bookkeeping.
    func value(ofEntry key: String) -> Node? { entries.first(where: { $0.key == key })?.node }

    func string(_ key: String) -> String? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node else {
            error(key, "expected a text value, found \(node.kindDescription)")
            return nil
        }
        return scalar.string
    }

    /// A string that must not be empty or blank.
    func nonEmptyString(_ key: String) -> String? {
        guard let text = string(key) else { return nil }
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else {
            error(key, "must not be empty")
            return nil
        }
        return trimmed
    }

    func bool(_ key: String) -> Bool? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node, let value = Self.parseBool(scalar.string) else {
            error(key, "expected true or false, found \(node.valueDescription)")
            return nil
        }
        return value
    }

    /// A whole number within `range`; out of range or not a number is reported.
    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node, let value = Self.parseInt(scalar.string) else {
            error(key, "expected a whole number, found \(node.valueDescription)")
            return nil
        }
        guard range.contains(value) else {
            error(key, Self.rangeMessage(value, range))
            return nil
        }
        return value
    }

    /// One of `allowed` (exact, lowercase), else reported with the list.
    func choice(_ key: String, _ allowed: [String]) -> String? {
        guard let text = string(key) else { return nil }
        guard allowed.contains(text) else {
            error(key, "\"\(text)\" is not one of: \(allowed.joined(separator: ", "))")
            return nil
        }
        return text
    }

    func mapping(_ key: String) -> YAMLMapping? {
        YAMLMapping.read(node(key), path: childPath(key), diagnostics: diagnostics)
    }

    /// The items of a list with their paths; nil (reported) if the value is not a list.
    func list(_ key: String) -> [(path: String, node: Node)]? {
        guard let node = node(key) else { return nil }
        guard case .sequence(let sequence) = node else {
            error(key, "expected a list, found \(node.kindDescription)")
            return nil
        }
        return sequence.enumerated().map { (KeyPath.item(childPath(key), $0.offset), $0.element) }
    }

    func stringList(_ key: String) -> [String]? {
        guard let items = list(key) else { return nil }
        var out: [String] = []
        for item in items {
            guard case .scalar(let scalar) = item.node else {
                diagnostics.error(item.path, "expected a text value, found \(item.node.kindDescription)")
                continue
            }
            out.append(scalar.string)
        }
        return out
    }

    /// A `name: value` mapping of text values (headers), in file order.
    func stringPairs(_ key: String) -> [(String, String)]? {
        guard let map = mapping(key) else { return nil }
        var out: [(String, String)] = []
        for name in map.keys {
            guard let value = map.value(ofEntry: name), !value.isNull else {
                map.error(name, "needs a value")
                continue
            }
            guard case .scalar(let scalar) = value else {
                map.error(name, "expected a text value, found \(value.kindDescription)")
                continue
            }
            out.append((name, scalar.string))
        }
        return out
    }

    /// Reports every key present that no accessor asked for, suggesting the
    /// closest known key (or one from `hints`, for well-known misspellings).
    func finish(hints: [String: String] = [:]) {
        for (key, _) in entries where !known.contains(key) {
            error(key, KeySuggestion.unknownKeyMessage(key, known: known, hints: hints))
        }
    }

    // MARK: scalar parsing

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// Decimal, optional sign, `_` separators allowed (`10_485_760`).
    static func parseInt(_ text: String) -> Int? {
        let cleaned = text.trimmingSpaces.replacingAll("_", with: "")
        guard !cleaned.isEmpty else { return nil }
        return Int(cleaned)
    }

    static func rangeMessage(_ value: Int, _ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max {
            if range.lowerBound == 0 { return "must not be negative, got \(value)" }
            if range.lowerBound == 1 { return "must be positive, got \(value)" }
            return "must be at least \(range.lowerBound), got \(value)"
        }
        return "must be between \(range.lowerBound) and \(range.upperBound), got \(value)"
    }
}

extension Node {
    /// `~`, `null` or an empty plain value: the key is treated as absent.
    var isNull: Bool {
        guard case .scalar(let scalar) = self else { return false }
        guard scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    var kindDescription: String {
        switch self {
        case .scalar: return "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The value for a message: scalars quoted (short), others by kind.
    var valueDescription: String {
        guard case .scalar(let scalar) = self else { return kindDescription }
        let text = scalar.string
        return text.count > 40 ? "\"\(text.prefix(40))…\"" : "\"\(text)\""
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
