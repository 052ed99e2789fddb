import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayRuntime

/// One JSON object per line on a file handle (stderr by default): what log
/// shippers expect from a server. Keys: `time` (RFC 3339, UTC, ms),
/// `level`, `logger`, `msg`, then the metadata keys (sorted, so a line is
/// stable for the same input).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: FileHandle
    private static let writeLock = NIOLock()

    public init(label: String, output: FileHandle = .standardError) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
        Self.writeLock.withLock { output.write(Data(line.utf8)) }
    }

    /// The JSON line for one log call (exposed for tests).
    public static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"time\":\"\(rfc3339(time))\",\"level\":\"\(level.rawValue)\",\"logger\":\(JSONText.quoted(label)),\"msg\":\(JSONText.quoted(message))"
        for key in metadata.keys.sorted() {
            out += ",\(JSONText.quoted(key)):\(JSONText.quoted(render(metadata[key]!)))"
        }
        return out + "}\n"
    }

    private static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return "[" + a.map(render).joined(separator: ",") + "]"
        case .dictionary(let d): return "{" + d.keys.sorted().map { "\($0)=\(render(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    private static func rfc3339(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(ms % 1000)
        )
    }
}
