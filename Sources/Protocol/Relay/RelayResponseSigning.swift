import Foundation

extension Pocket_Service_RelayResponse {
    /// The bytes whose hash the supplier signs (docs/protocol.md#relay-signing): canonical
    /// encoding with the supplier signature cleared and, when `payload_hash`
    /// is present, the payload dropped, so the signature commits to the
    /// payload only through its hash.
    ///
    /// proto3 cannot tell an empty `payload_hash` from an absent one, but Go
    /// can, and drops the payload for a present-but-empty hash too. Pass
    /// `payloadHashPresent` from the wire (`ReceivedRelayResponse` does); nil
    /// means "present iff non-empty", which is right for responses built here.
    public func signableBytes(payloadHashPresent: Bool? = nil) throws(WireError) -> Bytes {
        var unsigned = self
        unsigned.meta.supplierOperatorSignature = Data()
        if payloadHashPresent ?? !payloadHash.isEmpty {
            unsigned.payload = Data()
        }
        return try CanonicalCodec.encode(unsigned)
    }

    /// sha256 of `signableBytes`; the supplier's ECDSA hashes it once more.
    public func signableHash(payloadHashPresent: Bool? = nil) throws(WireError) -> Bytes {
        Hash.sha256(try signableBytes(payloadHashPresent: payloadHashPresent))
    }

    /// Commits to the payload before signing, like Go's `UpdatePayloadHash`.
    public mutating func updatePayloadHash() throws(RelaySigningError) {
        guard !payload.isEmpty else { throw .emptyPayload }
        payloadHash = Data(Hash.sha256(payload))
    }
}

/// A RelayResponse decoded from untrusted bytes, together with the one fact
/// proto3 decoding loses: whether `payload_hash` was on the wire.
public struct ReceivedRelayResponse: Sendable {
    public let message: Pocket_Service_RelayResponse
    public let payloadHashPresent: Bool

    public init(bytes: Bytes) throws(WireError) {
        message = try CanonicalCodec.decode(Pocket_Service_RelayResponse.self, from: bytes)
        payloadHashPresent = try WireScanner.containsField(path: [4], in: bytes, context: Pocket_Service_RelayResponse.protoMessageName)
    }

    public func signableBytes() throws(WireError) -> Bytes {
        try message.signableBytes(payloadHashPresent: payloadHashPresent)
    }

    public func signableHash() throws(WireError) -> Bytes {
        try message.signableHash(payloadHashPresent: payloadHashPresent)
    }
}

/// A Relay decoded from untrusted bytes (e.g. the value in a proof), keeping
/// the response's wire presence of `payload_hash` for its signature check.
public struct ReceivedRelay: Sendable {
    public let message: Pocket_Service_Relay
    public let responsePayloadHashPresent: Bool

    public init(bytes: Bytes) throws(WireError) {
        message = try CanonicalCodec.decode(Pocket_Service_Relay.self, from: bytes)
        responsePayloadHashPresent = try WireScanner.containsField(path: [2, 4], in: bytes, context: Pocket_Service_Relay.protoMessageName)
    }

    public func responseSignableHash() throws(WireError) -> Bytes {
        try message.res.signableHash(payloadHashPresent: responsePayloadHashPresent)
    }
}
