import BigInt

/// What a claim is worth (docs/protocol.md#claimed-amount), needed both to decide whether a proof
/// is required by threshold and whether a claim pays for its fees.
public enum ClaimAmount {
    static let maxHash = (BigUInt(1) << 256) - 1

    /// Compute units claimed: the sum field of a 48-byte root.
    public static func computeUnits(root: Bytes) -> UInt64 {
        precondition(root.count == 48, "an SMST root is 48 bytes")
        return ByteOrder.readBigEndian64(root, at: 32)
    }

    /// Relays claimed: the count field of a 48-byte root.
    public static func relayCount(root: Bytes) -> UInt64 {
        precondition(root.count == 48, "an SMST root is 48 bytes")
        return ByteOrder.readBigEndian64(root, at: 40)
    }

    /// floor(CU × ((2^256−1)/target) × CUTTM / granularity), one truncation at
    /// the end as with Go's big.Rat. Target and params are those at session start.
    public static func claimedUPOKT(computeUnits: UInt64, targetHash: Bytes, computeUnitsToTokensMultiplier: UInt64, computeUnitCostGranularity: UInt64) -> BigUInt {
        let target = BigUInt(Data(targetHash))
        guard target > 0, computeUnitCostGranularity > 0 else { return 0 }
        let numerator = BigUInt(computeUnits) * maxHash * BigUInt(computeUnitsToTokensMultiplier)
        return numerator / (target * BigUInt(computeUnitCostGranularity))
    }
}

import Foundation
