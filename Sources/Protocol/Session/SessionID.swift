/// Session identifiers and proof paths (docs/protocol.md#session-ids-and-proof-paths).
public enum SessionID {
    /// `blockHash(start) ‖ "." ‖ service ‖ "." ‖ app ‖ "." ‖ LE64(start)`.
    public static func preimage(startBlockHash: Bytes, serviceID: String, applicationAddress: String, sessionStartHeight: Int64) -> Bytes {
        let dot = UInt8(ascii: ".")
        return startBlockHash + [dot] + Array(serviceID.utf8) + [dot] + Array(applicationAddress.utf8) + [dot]
            + ByteOrder.littleEndian64(UInt64(bitPattern: sessionStartHeight))
    }

    /// Lowercase hex SHA3-256 of the preimage: the 64-character session id.
    public static func compute(startBlockHash: Bytes, serviceID: String, applicationAddress: String, sessionStartHeight: Int64) -> String {
        Hash.sha3_256(preimage(startBlockHash: startBlockHash, serviceID: serviceID,
                               applicationAddress: applicationAddress, sessionStartHeight: sessionStartHeight)).hex
    }

    /// The chain's supplier-ordering weight: int64 of the first 8 bytes
    /// (big-endian) of SHA3-256(preimage ‖ "." ‖ operator address).
    public static func supplierWeight(preimage: Bytes, supplierOperatorAddress: String) -> Int64 {
        let digest = Hash.sha3_256(preimage + [UInt8(ascii: ".")] + Array(supplierOperatorAddress.utf8))
        return Int64(bitPattern: ByteOrder.readBigEndian64(digest, at: 0))
    }

    /// Picks a session's suppliers as the chain does when there are more
    /// candidates than slots: ascending weight, ties by address bytes.
    public static func selectSuppliers(_ candidates: [String], preimage: Bytes, limit: Int) -> [String] {
        guard candidates.count > limit else { return candidates }
        return candidates
            .map { ($0, supplierWeight(preimage: preimage, supplierOperatorAddress: $0)) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .prefix(limit).map(\.0)
    }

    /// The path the closest proof must prove: sha256(seed block hash ‖ session id text).
    public static func proofPath(seedBlockHash: Bytes, sessionID: String) -> Bytes {
        Hash.sha256(seedBlockHash + Array(sessionID.utf8))
    }
}
