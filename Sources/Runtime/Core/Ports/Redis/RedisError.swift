/// Everything that can go wrong talking to Redis, typed so callers can decide
/// between retrying (connection/timeout), recreating state (no such group) and
/// giving up (wrong type, fenced).
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection broke; the command may or may not have executed.
    case connectionLost(String)
    /// No connection could be made (server down, partitioned, refused).
    case unavailable(String)
    /// No reply within the client's deadline; the command may have executed.
    case timeout(String)
    /// WRONGTYPE: the key holds another type.
    case wrongType(String)
    /// The key does not exist where the command needs one (e.g. XGROUP on a missing stream).
    case noSuchKey(String)
    /// NOGROUP: the consumer group (or its stream) does not exist.
    case noGroup(String)
    /// BUSYGROUP: the consumer group already exists.
    case groupExists(String)
    /// A fenced write carried a stale epoch: another owner holds the lease now.
    case fenced(String)
    /// A script or transaction was aborted by the server.
    case scriptAborted(String)
    /// Any other error reply from the server, verbatim.
    case server(String)
    /// The reply did not have the shape the command promises (a client bug or protocol violation).
    case unexpectedReply(command: String, reply: String)
    /// Refused before sending: the command's keys carry `{hash tags}` but do
    /// not all hash to one Redis Cluster slot (see `RedisCommand.checkClusterSlots`).
    /// A key-layout bug, never transient.
    case crossSlot(command: String, keys: [String])

    /// Classifies a server error reply by its prefix, as Redis documents them.
    public static func fromErrorReply(_ message: String) -> RedisError {
        let code = message.prefix { $0 != " " }
        switch code {
        case "WRONGTYPE": return .wrongType(message)
        case "NOGROUP": return .noGroup(message)
        case "BUSYGROUP": return .groupExists(message)
        case "FENCED": return .fenced(message)
        case "NOSCRIPT", "BUSY", "UNKILLABLE": return .scriptAborted(message)
        default:
            if message.contains("no such key") { return .noSuchKey(message) }
            if message.hasPrefix("ERR Error running script") || message.contains("script") && message.hasPrefix("ERR") {
                return .scriptAborted(message)
            }
            return .server(message)
        }
    }

    /// Whether retrying the same command later can succeed without other action.
    public var isTransient: Bool {
        switch self {
        case .connectionLost, .unavailable, .timeout: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .connectionLost(let m): return "redis connection lost: \(m)"
        case .unavailable(let m): return "redis unavailable: \(m)"
        case .timeout(let m): return "redis timeout: \(m)"
        case .wrongType(let m): return "redis: \(m)"
        case .noSuchKey(let m): return "redis no such key: \(m)"
        case .noGroup(let m): return "redis: \(m)"
        case .groupExists(let m): return "redis: \(m)"
        case .fenced(let m): return "redis fenced write refused: \(m)"
        case .scriptAborted(let m): return "redis script aborted: \(m)"
        case .server(let m): return "redis error: \(m)"
        case .unexpectedReply(let c, let r): return "redis: unexpected reply to \(c): \(r)"
        case .crossSlot(let c, let keys):
            let slots = keys.map { "\($0) (slot \(RedisCluster.slot(of: $0)))" }.joined(separator: ", ")
            return "redis: \(c) refused: its keys hash to different cluster slots: \(slots); keys of one operation must share a {hash tag}"
        }
    }
}
