import CHiredis
import NIOCore
import RelayRuntime

/// RESP2 reply parsing with hiredis's `redisReader`, as a NIO decoder.
///
/// Only the reader is used (feed bytes, take complete replies): it never
/// touches a socket and never blocks, unlike `redisConnect`/`redisCommand`,
/// which would stall one of the two concurrency-pool threads. All replies
/// completed by one read travel up the pipeline as one batch, so a pipelined
/// burst costs one pipeline event rather than one per reply.
final class HiredisReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = [RedisReply]

    private let reader = HiredisReader()

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let count = buffer.readableBytes
        guard count > 0 else { return .needMoreData }
        try buffer.withUnsafeReadableBytes { try reader.feed($0) }
        buffer.moveReaderIndex(forwardBy: count)
        var replies: [RedisReply] = []
        while let reply = try reader.next() { replies.append(reply) }
        if !replies.isEmpty { context.fireChannelRead(wrapInboundOut(replies)) }
        return .needMoreData
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// A hiredis `redisReader`: bytes in, complete `RedisReply` trees out, in any fragmentation.
final class HiredisReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        guard let reader = redisReaderCreate() else { fatalError("hiredis: redisReaderCreate returned NULL (out of memory)") }
        self.reader = reader
    }

    deinit { redisReaderFree(reader) }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(RESPProtocolError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) == REDIS_OK else {
            throw RESPProtocolError(message: errorMessage)
        }
    }

    func feed(_ bytes: [UInt8]) throws(RESPProtocolError) {
        let status = bytes.withUnsafeBytes { raw in
            raw.isEmpty ? REDIS_OK : redisReaderFeed(reader, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard status == REDIS_OK else { throw RESPProtocolError(message: errorMessage) }
    }

    /// The next complete reply, or nil until more bytes arrive.
    func next() throws(RESPProtocolError) -> RedisReply? {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw RESPProtocolError(message: errorMessage) }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    private var errorMessage: String {
        withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Copies a hiredis reply tree into a `RedisReply` (the C tree is freed by the caller).
    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(r.len == 0 ? [] : Array(UnsafeRawBufferPointer(start: r.str, count: r.len)))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(r.elements)
            for i in 0..<r.elements {
                if let element = r.element[i] { items.append(convert(element)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            // REDIS_REPLY_NIL: null bulk string and null array alike.
            return .null
        }
    }
}

/// The byte stream is not valid RESP2 (or is RESP3); the connection cannot be trusted.
struct RESPProtocolError: Error, CustomStringConvertible {
    let message: String
    var description: String { "RESP protocol error: \(message)" }
}
