import BigInt

/// Failures of the difficulty arithmetic; Go panics in these cases.
public enum RelayDifficultyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The multiplier of a zero target is infinite (`big.Rat.Inv(0)` panics).
    case zeroTarget
    /// A zero relay EMA with a non-zero target count (`big.NewRat(t, 0)` panics).
    case zeroRelaysEma(targetNumRelays: UInt64)

    public var description: String {
        switch self {
        case .zeroTarget: return "relay difficulty target hash is zero; multiplier undefined"
        case .zeroRelaysEma(let t): return "new relays EMA is zero with target_num_relays \(t); ratio undefined"
        }
    }
}

/// Relay-mining difficulty (docs/protocol.md#relay-mining-difficulty): which relays count, what a
/// counted relay is worth, and how the chain moves the target between sessions.
public enum RelayDifficulty {
    /// Every relay hash except 32 x 0xff is below it: "mine everything".
    public static let baseTargetHash = Bytes(repeating: 0xff, count: 32)

    /// Go's `bytes.Compare(relayHash, target) == -1`: strictly less, byte-wise,
    /// a proper prefix being smaller. Equality is *not* applicable.
    public static func isRelayVolumeApplicable(relayHash: Bytes, targetHash: Bytes) -> Bool {
        relayHash.lexicographicallyPrecedes(targetHash)
    }

    /// target / (2^256 - 1): the share of relays that are applicable.
    public static func probability(targetHash: Bytes) -> Ratio {
        // The base target is never zero, so the ratio always exists.
        Ratio(integer(targetHash), integer(baseTargetHash))!
    }

    /// (2^256 - 1) / target: how many served relays one applicable relay stands for.
    public static func multiplier(targetHash: Bytes) throws(RelayDifficultyError) -> Ratio {
        guard let m = probability(targetHash: targetHash).inverse else { throw .zeroTarget }
        return m
    }

    /// The chain's `ComputeNewDifficultyTargetHash`, reproduced exactly:
    /// new = floor(prev * targetNumRelays / newRelaysEma) with exact
    /// arithmetic; an unchanged ratio returns `previous` untouched; a result
    /// wider than 32 bytes saturates to the base target; a narrower one is
    /// left-padded with zeros to `previous.count`.
    ///
    /// Go feeds the counts to `big.NewRat` as `int64`, so counts >= 2^63 turn
    /// negative there; that is mirrored (a negative ratio makes Go's Euclidean
    /// division round the magnitude up) rather than "fixed".
    public static func newTargetHash(previous: Bytes, targetNumRelays: UInt64, newRelaysEma: UInt64) throws(RelayDifficultyError) -> Bytes {
        if targetNumRelays == newRelaysEma { return previous }
        let t = Int64(bitPattern: targetNumRelays)
        let e = Int64(bitPattern: newRelaysEma)
        guard e != 0 else { throw .zeroRelaysEma(targetNumRelays: targetNumRelays) }

        let prev = integer(previous)
        let numerator = prev * BigUInt(t.magnitude)
        let denominator = BigUInt(e.magnitude)
        var (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let negative = (t < 0) != (e < 0) && !numerator.isZero
        if negative && !remainder.isZero { quotient += 1 }

        let scaled = minimalBytes(quotient)
        if scaled.count > baseTargetHash.count { return baseTargetHash }
        if scaled.count < previous.count {
            return Bytes(repeating: 0, count: previous.count - scaled.count) + scaled
        }
        return scaled
    }
}
