/// A generator that replays a fixed byte stream (then repeats it), so a
/// recorded sequence of 32-byte nonces reproduces a reference signature.
/// Words are assembled little-endian, matching how `RingSignature.sign`
/// takes bytes from `next()`.
public struct ByteStreamRNG: RandomNumberGenerator, Sendable {
    private let bytes: Bytes
    private var offset = 0

    public init(_ bytes: Bytes) {
        precondition(!bytes.isEmpty, "ByteStreamRNG needs at least one byte")
        self.bytes = bytes
    }

    public mutating func next() -> UInt64 {
        var word: UInt64 = 0
        for i in 0..<8 {
            word |= UInt64(bytes[offset % bytes.count]) << (8 * i)
            offset += 1
        }
        return word
    }
}
