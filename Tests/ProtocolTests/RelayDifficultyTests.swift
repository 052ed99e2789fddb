import Testing
import PocketProtocol

/// Edge cases of relay-mining difficulty beyond relay_mining.json.
@Suite struct RelayDifficultyTests {
    static let base = RelayDifficulty.baseTargetHash

    @Test func applicabilityIsStrictByteOrder() {
        let hash = Bytes(repeating: 0x10, count: 32)
        #expect(!RelayDifficulty.isRelayVolumeApplicable(relayHash: hash, targetHash: hash))
        #expect(RelayDifficulty.isRelayVolumeApplicable(relayHash: hash, targetHash: [0x10] + Bytes(repeating: 0x11, count: 31)))
        #expect(!RelayDifficulty.isRelayVolumeApplicable(relayHash: Self.base, targetHash: Self.base))
        // Go's bytes.Compare: a proper prefix is smaller.
        #expect(RelayDifficulty.isRelayVolumeApplicable(relayHash: [0x10], targetHash: [0x10, 0x00]))
        #expect(!RelayDifficulty.isRelayVolumeApplicable(relayHash: [0x10, 0x00], targetHash: [0x10]))
    }

    @Test func multiplierAndProbabilityAreExact() throws {
        #expect(try RelayDifficulty.multiplier(targetHash: Self.base).description == "1")
        let half = [0x7f] + Bytes(repeating: 0xff, count: 31)
        let p = RelayDifficulty.probability(targetHash: half)
        #expect(p.numerator * 2 + 1 == p.denominator)
        #expect(try RelayDifficulty.multiplier(targetHash: half) == p.inverse)
        #expect(RelayDifficulty.probability(targetHash: Bytes(repeating: 0, count: 32)).description == "0")
        #expect(throws: RelayDifficultyError.zeroTarget) { try RelayDifficulty.multiplier(targetHash: Bytes(repeating: 0, count: 32)) }
        #expect(RelayDifficulty.Ratio(6, 4)?.description == "3/2")
        #expect(RelayDifficulty.Ratio(1, 0) == nil)
    }

    @Test func newTargetEdgeCases() throws {
        let prev = [0x0f] + Bytes(repeating: 0xff, count: 31)
        // Unchanged ratio returns the previous bytes as they are, any length.
        #expect(try RelayDifficulty.newTargetHash(previous: [0xab], targetNumRelays: 5, newRelaysEma: 5) == [0xab])
        #expect(try RelayDifficulty.newTargetHash(previous: prev, targetNumRelays: 0, newRelaysEma: 0) == prev)
        // Halving: 0f ff.. / 2 = 07 ff..
        #expect(try RelayDifficulty.newTargetHash(previous: prev, targetNumRelays: 1, newRelaysEma: 2) == [0x07] + Bytes(repeating: 0xff, count: 31))
        // A zero target count scales to zero, padded to the previous width.
        #expect(try RelayDifficulty.newTargetHash(previous: prev, targetNumRelays: 0, newRelaysEma: 9) == Bytes(repeating: 0, count: 32))
        #expect(throws: RelayDifficultyError.zeroRelaysEma(targetNumRelays: 3)) {
            try RelayDifficulty.newTargetHash(previous: prev, targetNumRelays: 3, newRelaysEma: 0)
        }
        // Scaling up past 32 bytes saturates at the base target.
        #expect(try RelayDifficulty.newTargetHash(previous: prev, targetNumRelays: 17, newRelaysEma: 1) == Self.base)
        // Counts >= 2^63 are negative int64s in Go's big.NewRat: 7 * (1 / -2)
        // = -3.5, Euclidean division gives -4, Bytes() drops the sign.
        #expect(try RelayDifficulty.newTargetHash(previous: [0x07], targetNumRelays: 1, newRelaysEma: UInt64.max - 1) == [0x04])
    }
}
