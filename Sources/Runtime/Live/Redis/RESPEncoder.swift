import NIOCore

/// RESP2 request encoding (`*N\r\n` then `$len\r\nbytes\r\n` per argument).
///
/// Done in Swift, on the calling task's thread rather than the event loop,
/// so encoding work is spread over both cores; the size is computed first so
/// a whole pipeline is one allocation and one write.
enum RESPEncoder {
    static func encode(_ commands: [[[UInt8]]], allocator: ByteBufferAllocator) -> ByteBuffer {
        var size = 0
        for argv in commands { size += encodedSize(argv) }
        var buffer = allocator.buffer(capacity: size)
        for argv in commands { write(argv, into: &buffer) }
        return buffer
    }

    static func encodedSize(_ argv: [[UInt8]]) -> Int {
        var n = 1 + digits(argv.count) + 2
        for arg in argv { n += 1 + digits(arg.count) + 2 + arg.count + 2 }
        return n
    }

    static func write(_ argv: [[UInt8]], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        writeDecimal(argv.count, into: &buffer)
        buffer.writeInteger(crlf)
        for arg in argv {
            buffer.writeInteger(UInt8(ascii: "$"))
            writeDecimal(arg.count, into: &buffer)
            buffer.writeInteger(crlf)
            buffer.writeBytes(arg)
            buffer.writeInteger(crlf)
        }
    }

    /// `\r\n` as one big-endian UInt16 write.
    private static let crlf: UInt16 = 0x0D0A

    private static func digits(_ n: Int) -> Int {
        var count = 1
        var v = n
        while v >= 10 { v /= 10; count += 1 }
        return count
    }

    private static func writeDecimal(_ n: Int, into buffer: inout ByteBuffer) {
        let count = digits(n)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            var v = n
            var i = count
            repeat {
                i -= 1
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while i > 0
            return count
        }
    }
}

extension RESPEncoder {
    /// The encoding as plain bytes (tests, tools).
    static func bytes(_ commands: [[[UInt8]]]) -> [UInt8] {
        var buffer = encode(commands, allocator: ByteBufferAllocator())
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}
