/// "Did you mean" for unknown keys: a known misspelling from a hint table,
/// else the closest known key by edit distance, else the list of known keys.
enum KeySuggestion {
    static func unknownKeyMessage(_ key: String, known: [String], hints: [String: String] = [:]) -> String {
        if let suggestion = suggest(key, known: known, hints: hints) {
            return "unknown key (did you mean \"\(suggestion)\"?)"
        }
        if known.isEmpty { return "unknown key (nothing is expected here)" }
        return "unknown key (expected one of: \(known.joined(separator: ", ")))"
    }

    static func suggest(_ key: String, known: [String], hints: [String: String] = [:]) -> String? {
        let normalized = normalize(key)
        if let hint = hints[key] ?? hints[normalized] { return hint }
        if let same = known.first(where: { normalize($0) == normalized }) { return same }
        var best: (key: String, distance: Int)?
        for candidate in known {
            let d = distance(normalized, normalize(candidate))
            if d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        guard let best else { return nil }
        let allowed = min(3, max(2, key.count / 3))
        return best.distance <= allowed ? best.key : nil
    }

    /// Lowercased, `-` and spaces as `_`: `Listen-Addr` and `listen_addr` are the same key to a human.
    static func normalize(_ key: String) -> String {
        String(key.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
