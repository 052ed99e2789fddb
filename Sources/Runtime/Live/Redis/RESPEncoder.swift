import NIOCore

/// RESP2 request encoding (`*N\r\n` then `$len\r\nbytes\r\n` per argument).
///
/// Done in Swift, on the calling task's thread rather than the event loop,
/// so encoding work is spread over both cores. The size is computed first
/// and everything is copied in one pass into one buffer, so a whole pipeline
/// is one allocation and one write.
enum RESPEncoder {
    static func encode(_ commands: [[[UInt8]]], allocator: ByteBufferAllocator) -> ByteBuffer {
        var size = 0
        for argv in commands { size += encodedSize(argv) }
        var buffer = allocator.buffer(capacity: size)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            var cursor = out.baseAddress!
            for argv in commands { cursor = write(argv, to: cursor) }
            return cursor - out.baseAddress!
        }
        return buffer
    }

    static func encodedSize(_ argv: [[UInt8]]) -> Int {
        var n = 1 + digits(argv.count) + 2
        for arg in argv { n += 1 + digits(arg.count) + 2 + arg.count + 2 }
        return n
    }

    /// Writes one command at `cursor` (which has room for `encodedSize(argv)` bytes).
    private static func write(_ argv: [[UInt8]], to start: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        var cursor = start
        cursor.storeBytes(of: UInt8(ascii: "*"), as: UInt8.self)
        cursor = writeDecimal(argv.count, to: cursor + 1)
        cursor = writeCRLF(cursor)
        for arg in argv {
            cursor.storeBytes(of: UInt8(ascii: "$"), as: UInt8.self)
            cursor = writeDecimal(arg.count, to: cursor + 1)
            cursor = writeCRLF(cursor)
            arg.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { cursor.copyMemory(from: base, byteCount: bytes.count) }
            }
            cursor = writeCRLF(cursor + arg.count)
        }
        return cursor
    }

    private static func writeCRLF(_ cursor: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        cursor.storeBytes(of: 13, as: UInt8.self)
        (cursor + 1).storeBytes(of: 10, as: UInt8.self)
        return cursor + 2
    }

    private static func digits(_ n: Int) -> Int {
        var count = 1
        var v = n
        while v >= 10 { v /= 10; count += 1 }
        return count
    }

    private static func writeDecimal(_ n: Int, to cursor: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let count = digits(n)
        var v = n
        var i = count
        repeat {
            i -= 1
            (cursor + i).storeBytes(of: UInt8(ascii: "0") + UInt8(v % 10), as: UInt8.self)
            v /= 10
        } while i > 0
        return cursor + count
    }
}

extension RESPEncoder {
    /// The encoding as plain bytes (tests, tools).
    static func bytes(_ commands: [[[UInt8]]]) -> [UInt8] {
        var buffer = encode(commands, allocator: ByteBufferAllocator())
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}
