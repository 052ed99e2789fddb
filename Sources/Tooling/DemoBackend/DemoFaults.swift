/// Faults a request asks the demo backend for, each by query parameter or
/// by header (the query wins when both are given): how a test makes one
/// backend answer badly without restarting it.
///
/// | query | header | effect |
/// |---|---|---|
/// | `status=N` | `X-Demo-Status: N` | answer HTTP status N (200–599) with a JSON error body |
/// | `delay_ms=N` | `X-Demo-Delay-Ms: N` | wait N ms before answering (streams: between events) |
/// | `gzip=1` | `X-Demo-Gzip: 1` | gzip the body, `Content-Encoding: gzip`, whatever the client accepts |
/// | `close=1` | `X-Demo-Close: 1` | close the connection without answering |
/// | `size=N` | `X-Demo-Size: N` | pad the JSON body to N bytes |
/// | `rpc_error=N` | `X-Demo-Rpc-Error: N` | answer every JSON-RPC request with error code N (HTTP 200) |
struct DemoFaults: Sendable, Equatable {
    var status: Int?
    var delayMilliseconds: Int?
    var gzip = false
    var close = false
    var size: Int?
    var rpcError: Int?

    static let maxDelayMilliseconds = 600_000
    static let maxSize = 64 << 20

    /// The parameter names, in the order the help lists them.
    static let parameters: [(query: String, header: String)] = [
        ("status", "X-Demo-Status"), ("delay_ms", "X-Demo-Delay-Ms"), ("gzip", "X-Demo-Gzip"),
        ("close", "X-Demo-Close"), ("size", "X-Demo-Size"), ("rpc_error", "X-Demo-Rpc-Error"),
    ]

    init() {}

    /// Reads the faults from `lookup`, which answers a parameter's value by
    /// its query name and header name; a malformed value is an error that
    /// names the parameter (the backend answers it with 400).
    init(lookup: (_ query: String, _ header: String) -> String?) throws(DemoRequestError) {
        func value(_ query: String, _ header: String) -> String? {
            lookup(query, header).map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
        }
        func integer(_ query: String, _ header: String, _ range: ClosedRange<Int>) throws(DemoRequestError) -> Int? {
            guard let text = value(query, header) else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw DemoRequestError("\(query)=\(text) (or \(header)) must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        func flag(_ query: String, _ header: String) throws(DemoRequestError) -> Bool {
            guard let text = value(query, header) else { return false }
            switch text.lowercased() {
            case "1", "true", "yes", "on": return true
            case "", "0", "false", "no", "off": return false
            default: throw DemoRequestError("\(query)=\(text) (or \(header)) must be 1 or 0")
            }
        }
        status = try integer("status", "X-Demo-Status", 200...599)
        delayMilliseconds = try integer("delay_ms", "X-Demo-Delay-Ms", 0...Self.maxDelayMilliseconds)
        gzip = try flag("gzip", "X-Demo-Gzip")
        close = try flag("close", "X-Demo-Close")
        size = try integer("size", "X-Demo-Size", 0...Self.maxSize)
        rpcError = try integer("rpc_error", "X-Demo-Rpc-Error", Int(Int32.min)...Int(Int32.max))
    }
}

/// A request the demo backend refuses with 400 (a malformed test parameter).
struct DemoRequestError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension DemoJSON {
    /// This JSON padded to `size` bytes with a `"padding":"xxx…"` member (on
    /// the object, or on a batch's first object); unchanged when it is
    /// already that long or has no object to carry the member.
    func padded(to size: Int) -> [UInt8] {
        let plain = bytes
        guard plain.count < size else { return plain }
        let emptyPadding: DemoJSON
        switch self {
        case .object:
            emptyPadding = appending("padding", .string(""))
        case .array(var items):
            guard let first = items.firstIndex(where: { if case .object = $0 { true } else { false } }) else { return plain }
            items[first] = items[first].appending("padding", .string(""))
            emptyPadding = .array(items)
        default:
            return plain
        }
        let base = emptyPadding.bytes.count
        guard base <= size else { return plain }
        let padding = DemoJSON.string(String(repeating: "x", count: size - base))
        switch self {
        case .object: return appending("padding", padding).bytes
        case .array(var items):
            let first = items.firstIndex { if case .object = $0 { true } else { false } }!
            items[first] = items[first].appending("padding", padding)
            return DemoJSON.array(items).bytes
        default: return plain
        }
    }
}
