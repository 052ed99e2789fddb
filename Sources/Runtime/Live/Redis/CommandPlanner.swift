import RelayRuntime

/// How a port command goes on the wire for one server, and how its reply
/// comes back into the port's shape.
///
/// The port's `arguments` are the portable form (EVAL with the script text).
/// On a connection whose handshake loaded the scripts, compound operations
/// go as EVALSHA instead (no script text per call), keeping the EVAL form as
/// the NOSCRIPT fallback; `ackAndDelete` becomes the native XACKDEL when the
/// server has it (Redis ≥ 8.2) and its per-id reply is folded back into
/// `[acked, deleted]`.
struct PlannedCommand: Sendable {
    var argv: [[UInt8]]
    /// The EVAL form to resend if the server answers NOSCRIPT.
    var evalFallback: [[UInt8]]?
    var transform: ReplyTransform

    enum ReplyTransform: Sendable {
        case none
        /// XACKDEL's per-id codes (1 acked+deleted, 2 acked but kept, -1 no such id) → `[acked, deleted]`.
        case xackdelCounts
    }

    init(_ command: RedisCommand, profile: ServerProfile) {
        if case .ackAndDelete(let key, let group, let ids) = command, profile.hasXACKDEL, !ids.isEmpty {
            var argv: [[UInt8]] = [Array("XACKDEL".utf8), Array(key.utf8), Array(group.utf8), Array("IDS".utf8), Array(String(ids.count).utf8)]
            for id in ids { argv.append(Array(id.description.utf8)) }
            self.argv = argv
            evalFallback = nil
            transform = .xackdelCounts
            return
        }
        let arguments = command.arguments
        transform = .none
        if let script = CompoundScript(command), let sha = profile.sha(script), arguments.count >= 2 {
            var argv = arguments
            argv[0] = Self.evalsha
            argv[1] = sha
            self.argv = argv
            evalFallback = arguments
        } else {
            argv = arguments
            evalFallback = nil
        }
    }

    private static let evalsha = Array("EVALSHA".utf8)

    func finish(_ reply: RedisReply) -> RedisReply {
        switch transform {
        case .none:
            return reply
        case .xackdelCounts:
            guard case .array(let codes) = reply else { return reply }
            var acked: Int64 = 0
            var deleted: Int64 = 0
            for code in codes {
                switch code {
                case .integer(1): acked += 1; deleted += 1
                case .integer(2): acked += 1
                default: break
                }
            }
            return .array([.integer(acked), .integer(deleted)])
        }
    }

    static func isNoScript(_ reply: RedisReply) -> Bool {
        if case .error(let message) = reply { return message.hasPrefix("NOSCRIPT") }
        return false
    }
}
