import Foundation
import PocketProtocol

/// The session a mined relay belongs to, as the relayer published it.
public struct MinerSessionKey: Sendable, Hashable, Comparable {
    public let sessionID: String
    public let sessionEnd: Int64

    public init(sessionID: String, sessionEnd: Int64) {
        self.sessionID = sessionID
        self.sessionEnd = sessionEnd
    }

    /// Older sessions first, then by id: the order every per-block pass uses.
    public static func < (a: MinerSessionKey, b: MinerSessionKey) -> Bool {
        a.sessionEnd != b.sessionEnd ? a.sessionEnd < b.sessionEnd : a.sessionID < b.sessionID
    }
}

/// A decoded, validated stream entry of `ha:relays:{supplier}`.
public struct MinedRelayEntry: Sendable, Hashable {
    public let id: StreamID
    public let session: MinerSessionKey
    public let sessionStart: Int64
    public let serviceID: String
    public let applicationAddress: String
    public let relayHash: Bytes
    public let relayBytes: Bytes
    public let computeUnits: UInt64

    /// Decodes and checks an entry for `supplier`; the reason when it can never be claimed.
    public static func decode(_ entry: StreamEntry, supplier: String) -> Result<MinedRelayEntry, DiscardReason> {
        guard let data = entry.value(of: RedisKeys.relayField) else { return .failure(.missingData) }
        let message: Pocket_Relayminer_MinedRelayMessage
        do {
            message = try CanonicalCodec.decode(Pocket_Relayminer_MinedRelayMessage.self, from: data)
        } catch {
            return .failure(.undecodable)
        }
        guard message.supplierOperatorAddress == supplier else { return .failure(.wrongSupplier) }
        guard !message.sessionID.isEmpty, message.sessionEndHeight > 0, message.sessionStartHeight > 0,
              message.sessionStartHeight <= message.sessionEndHeight, !message.relayBytes.isEmpty,
              message.computeUnitsPerRelay > 0, !message.serviceID.isEmpty, !message.applicationAddress.isEmpty
        else { return .failure(.incomplete) }
        let bytes = Bytes(message.relayBytes)
        let hash = Bytes(message.relayHash)
        guard hash.count == 32, Hash.sha256(bytes) == hash else { return .failure(.hashMismatch) }
        return .success(MinedRelayEntry(
            id: entry.id, session: MinerSessionKey(sessionID: message.sessionID, sessionEnd: message.sessionEndHeight),
            sessionStart: message.sessionStartHeight, serviceID: message.serviceID,
            applicationAddress: message.applicationAddress, relayHash: hash, relayBytes: bytes,
            computeUnits: message.computeUnitsPerRelay))
    }
}

extension StreamID {
    /// The largest id smaller than this one (for exclusive range ends); nil for 0-0.
    public var predecessor: StreamID? {
        if sequence > 0 { return StreamID(milliseconds: milliseconds, sequence: sequence - 1) }
        if milliseconds > 0 { return StreamID(milliseconds: milliseconds - 1, sequence: .max) }
        return nil
    }
}
