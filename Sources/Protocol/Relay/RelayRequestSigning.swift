import Foundation

extension Pocket_Service_RelayRequest {
    /// The bytes the ring signature commits to (docs/protocol.md#relay-signing): the
    /// canonical encoding with `meta.signature` cleared and everything else,
    /// payload included, kept. Verifiers must call this on the *decoded*
    /// request, never hash received bytes, because Go re-marshals too.
    public func signableBytes() throws(WireError) -> Bytes {
        var unsigned = self
        unsigned.meta.signature = Data()
        return try CanonicalCodec.encode(unsigned)
    }

    /// The 32-byte message of the ring signature.
    public func signableHash() throws(WireError) -> Bytes {
        Hash.sha256(try signableBytes())
    }
}
