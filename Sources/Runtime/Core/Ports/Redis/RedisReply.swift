/// A RESP2 reply, exactly as the server sent it. Both Redis implementations
/// (the simulator's model and the live client) return these, so the
/// differential test can compare them value for value.
public enum RedisReply: Sendable, Hashable, CustomStringConvertible {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    /// RESP2 null bulk string or null array (hiredis does not distinguish them).
    case null
    case array([RedisReply])

    public var description: String {
        switch self {
        case .status(let s): return "+\(s)"
        case .error(let e): return "-\(e)"
        case .integer(let i): return ":\(i)"
        case .bulk(let b):
            if let s = String(validating: b, as: UTF8.self), s.allSatisfy({ !$0.isASCII || $0.isLetter || $0.isNumber || $0.isPunctuation || $0.isSymbol || $0 == " " }) {
                return "\"\(s)\""
            }
            return "0x" + b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        case .null: return "(nil)"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    public static func bulk(_ s: String) -> RedisReply { .bulk(Array(s.utf8)) }
    public static let ok = RedisReply.status("OK")
}
