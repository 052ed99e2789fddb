import BigInt

/// App-stake metering (docs/protocol.md#app-stake-metering). The chain pays a supplier at most its share
/// of what an application can afford per session; relays beyond that are
/// served for free. The relayer meters locally with the reference relay
/// miner's conservative formula so it stops before that point.
public enum RelayMeterMath {
    /// Cost of one relay in uPOKT: floor(cupr × CUTTM / granularity), params
    /// and CUPR at the session start.
    public static func relayCostUPOKT(computeUnitsPerRelay: UInt64, params: SharedParams) -> UInt64 {
        guard params.computeUnitCostGranularity > 0 else { return 0 }
        let cost = BigUInt(computeUnitsPerRelay) * BigUInt(params.computeUnitsToTokensMultiplier) / BigUInt(params.computeUnitCostGranularity)
        return cost > BigUInt(UInt64.max) ? .max : UInt64(cost)
    }

    /// Sessions whose claims can still draw on the stake, plus one for the
    /// current session (the reference relayer's `+1`), with params at session end.
    public static func pendingSessions(params: SharedParams) -> UInt64 {
        UInt64(SessionGrid(params).numPendingSessions) + 1
    }

    /// The local per-(session, supplier) budget: floor(floor(stake / suppliersPerSession) / pending).
    /// A configured service factor replaces the formula with stake × factor.
    public static func maxSpendPerSupplierUPOKT(appStakeUPOKT: UInt64, numSuppliersPerSession: UInt64, params: SharedParams, serviceFactor: Double? = nil) -> UInt64 {
        if let factor = serviceFactor, factor > 0 {
            let scaled = Double(appStakeUPOKT) * factor
            return scaled >= Double(UInt64.max) ? .max : UInt64(scaled)
        }
        guard numSuppliersPerSession > 0 else { return 0 }
        return appStakeUPOKT / numSuppliersPerSession / pendingSessions(params: params)
    }

    /// The chain's settlement cap for one claim (tokenomics, docs/protocol.md#app-stake-metering):
    /// floor = stake / pendingSessions / numClaims (integer divisions in that
    /// order), optionally capped by the app's per-session spend limit; then
    /// paid = min(claimed, floor(max / (1 + globalInflationPerClaim))).
    public static func settlementPayoutUPOKT(
        claimedUPOKT: BigUInt, appStakeUPOKT: UInt64, numPendingSessions: UInt64, numClaimsForAppSession: UInt64,
        perSessionSpendLimitUPOKT: UInt64 = 0, globalInflationPerClaim: Double = 0
    ) -> BigUInt {
        guard numPendingSessions > 0, numClaimsForAppSession > 0 else { return 0 }
        var floor = BigUInt(appStakeUPOKT) / BigUInt(numPendingSessions) / BigUInt(numClaimsForAppSession)
        if perSessionSpendLimitUPOKT > 0 {
            let capped = min(BigUInt(perSessionSpendLimitUPOKT), BigUInt(appStakeUPOKT) / BigUInt(numPendingSessions)) / BigUInt(numClaimsForAppSession)
            floor = min(floor, capped)
        }
        // Exact rational division by (1 + inflation): inflation as a fraction p/q from its decimal bits.
        let (p, q) = exactRatio(globalInflationPerClaim)
        let maxPayable = floor * q / (q + p)
        return min(claimedUPOKT, maxPayable)
    }

    /// The exact value of a finite non-negative double as p/q (q a power of two).
    static func exactRatio(_ x: Double) -> (BigUInt, BigUInt) {
        guard x > 0, x.isFinite else { return (0, 1) }
        let significand = BigUInt(x.significandBitPattern | (1 << 52))
        let exponent = Int(x.exponent) - 52
        if exponent >= 0 { return (significand << exponent, 1) }
        return (significand, BigUInt(1) << (-exponent))
    }
}
