/// Shape checks that turn raw replies into typed values. Shared by every
/// `RedisClient`, so the model and the live client cannot decode differently.
struct ReplyDecoder {
    /// What the reply answers; kept unrendered, since a name is only needed on failure.
    private enum Source {
        case port(RedisCommand)
        case admin(RedisAdminCommand)
    }

    private let source: Source

    init(command: RedisCommand) { source = .port(command) }
    init(admin command: RedisAdminCommand) { source = .admin(command) }

    private var commandName: String {
        switch source {
        case .port(let c): return c.name
        case .admin(let c): return c.name
        }
    }

    func fail(_ reply: RedisReply) -> RedisError {
        .unexpectedReply(command: commandName, reply: String(reply.description.prefix(200)))
    }

    /// Throws the typed error for an error reply; returns the reply otherwise.
    func checked(_ reply: RedisReply) throws(RedisError) -> RedisReply {
        if case .error(let message) = reply { throw RedisError.fromErrorReply(message) }
        return reply
    }

    func integer(_ reply: RedisReply) throws(RedisError) -> Int64 {
        guard case .integer(let i) = try checked(reply) else { throw fail(reply) }
        return i
    }

    func bulkOrNull(_ reply: RedisReply) throws(RedisError) -> [UInt8]? {
        switch try checked(reply) {
        case .bulk(let b): return b
        case .null: return nil
        default: throw fail(reply)
        }
    }

    func bulk(_ reply: RedisReply) throws(RedisError) -> [UInt8] {
        guard let b = try bulkOrNull(reply) else { throw fail(reply) }
        return b
    }

    func string(_ reply: RedisReply) throws(RedisError) -> String {
        switch try checked(reply) {
        case .bulk(let b): return String(decoding: b, as: UTF8.self)
        case .status(let s): return s
        default: throw fail(reply)
        }
    }

    func array(_ reply: RedisReply) throws(RedisError) -> [RedisReply] {
        guard case .array(let items) = try checked(reply) else { throw fail(reply) }
        return items
    }

    func arrayOrNull(_ reply: RedisReply) throws(RedisError) -> [RedisReply]? {
        switch try checked(reply) {
        case .array(let items): return items
        case .null: return nil
        default: throw fail(reply)
        }
    }

    func ok(_ reply: RedisReply) throws(RedisError) {
        guard case .status = try checked(reply) else { throw fail(reply) }
    }

    func streamID(_ reply: RedisReply) throws(RedisError) -> StreamID {
        guard let id = StreamID(bytes: try bulk(reply)) else { throw fail(reply) }
        return id
    }

    func fieldValues(_ reply: RedisReply) throws(RedisError) -> [FieldValue] {
        let items = try array(reply)
        guard items.count % 2 == 0 else { throw fail(reply) }
        var out: [FieldValue] = []
        out.reserveCapacity(items.count / 2)
        var i = 0
        while i < items.count {
            out.append(FieldValue(try bulk(items[i]), try bulk(items[i + 1])))
            i += 2
        }
        return out
    }

    /// `[id, [f, v, …]]`, or `[id, nil]` for a pending entry deleted from the stream.
    func entry(_ reply: RedisReply) throws(RedisError) -> StreamEntry {
        let pair = try array(reply)
        guard pair.count == 2 else { throw fail(reply) }
        let id = try streamID(pair[0])
        if case .null = pair[1] { return StreamEntry(id: id, fields: nil) }
        return StreamEntry(id: id, fields: try fieldValues(pair[1]))
    }

    func entries(_ reply: RedisReply) throws(RedisError) -> [StreamEntry] {
        var out: [StreamEntry] = []
        for item in try array(reply) { out.append(try entry(item)) }
        return out
    }

    func streamIDs(_ reply: RedisReply) throws(RedisError) -> [StreamID] {
        var out: [StreamID] = []
        for item in try array(reply) { out.append(try streamID(item)) }
        return out
    }
}
