/// A Redis stream entry id `<ms>-<seq>`. Ordered as Redis orders them.
public struct StreamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let milliseconds: UInt64
    public let sequence: UInt64

    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    public static let zero = StreamID(milliseconds: 0, sequence: 0)
    public static let max = StreamID(milliseconds: .max, sequence: .max)

    /// Parses `ms-seq` or a bare `ms` (sequence 0), as Redis accepts for ranges.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let ms = UInt64(parts[0]) else { return nil }
        if parts.count == 2 {
            guard let seq = UInt64(parts[1]) else { return nil }
            self.init(milliseconds: ms, sequence: seq)
        } else {
            self.init(milliseconds: ms, sequence: 0)
        }
    }

    public init?(bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self.init(text)
    }

    public static func < (a: StreamID, b: StreamID) -> Bool {
        (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
    }

    /// The smallest id greater than this one (for exclusive range starts).
    public var successor: StreamID? {
        if sequence < .max { return StreamID(milliseconds: milliseconds, sequence: sequence + 1) }
        if milliseconds < .max { return StreamID(milliseconds: milliseconds + 1, sequence: 0) }
        return nil
    }

    public var description: String { "\(milliseconds)-\(sequence)" }
}

/// One stream entry. `fields == nil` marks an entry that is still pending in a
/// consumer group but was deleted from the stream (XREADGROUP/XCLAIM report
/// such entries with a nil body).
public struct StreamEntry: Sendable, Hashable {
    public let id: StreamID
    public let fields: [FieldValue]?

    public init(id: StreamID, fields: [FieldValue]?) {
        self.id = id
        self.fields = fields
    }

    /// The value of the first field named `name`.
    public func value(of name: String) -> [UInt8]? {
        let key = Array(name.utf8)
        return fields?.first { $0.field == key }?.value
    }
}

/// A field/value pair of a hash or stream entry (binary-safe).
public struct FieldValue: Sendable, Hashable {
    public let field: [UInt8]
    public let value: [UInt8]

    public init(_ field: [UInt8], _ value: [UInt8]) {
        self.field = field
        self.value = value
    }

    public init(_ field: String, _ value: [UInt8]) {
        self.init(Array(field.utf8), value)
    }
}
