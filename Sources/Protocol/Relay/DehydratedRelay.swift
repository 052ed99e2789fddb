import Foundation

/// What a served relay becomes in the session tree (docs/protocol.md#relay-hash): the
/// canonical `Relay{req, res}` with the response payload removed. Its hash is
/// both the SMST key and the relay-mining difficulty input.
public struct DehydratedRelay: Sendable, Equatable {
    /// Canonical relay bytes: the SMST leaf value.
    public let bytes: Bytes
    /// sha256(bytes): the SMST key.
    public let hash: Bytes

    /// `request` must be the decoded request (unknown fields already dropped);
    /// `response` is the one sent to the client, payload and all.
    public init(request: Pocket_Service_RelayRequest, response: Pocket_Service_RelayResponse) throws(WireError) {
        var relay = Pocket_Service_Relay()
        relay.req = request
        var dehydrated = response
        dehydrated.payload = Data()
        relay.res = dehydrated
        bytes = try CanonicalCodec.encode(relay)
        hash = Hash.sha256(bytes)
    }

    /// The SMST path of this leaf: the trie hashes the key again.
    public var smstPath: Bytes { Hash.sha256(hash) }

    /// Only applicable relays are inserted; the rest are served for free.
    public func isVolumeApplicable(targetHash: Bytes) -> Bool {
        RelayDifficulty.isRelayVolumeApplicable(relayHash: hash, targetHash: targetHash)
    }
}
