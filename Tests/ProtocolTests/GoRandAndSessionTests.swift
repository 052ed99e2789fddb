import BigInt
import Testing
@testable import PocketProtocol

@Suite struct GoRandAndSessionTests {
    /// The transcription checks of docs/protocol.md#go-random-source.
    @Test func cookedTableMatchesTheSpecChecksums() {
        let t = GoRandSource.cooked
        #expect(t.count == 607)
        #expect(Array(t.prefix(2)) == [-4181792142133755926, -4576982950128230565])
        #expect(Array(t.suffix(2)) == [9103922860780351547, 4152330101494654406])
        let bytes = t.flatMap { ByteOrder.bigEndian64(UInt64(bitPattern: $0)) }
        #expect(Hash.sha256(bytes).hex == "71ca56841e25ce194c2600faac906bb84e97d268a3bc453ff9f1a1410af1d228")
    }

    /// Known-answer A.8 (docs/protocol.md#known-answer-values): Go math/rand outputs for several seeds.
    @Test func goMathRandStreams() {
        var zero = GoRandSource(seed: 0)
        #expect([zero.int63(), zero.int63(), zero.int63()] == [8717895732742165505, 2259404117704393152, 6050128673802995827])
        var one = GoRandSource(seed: 1)
        #expect(one.int63() == 5577006791947779410)
        var big = GoRandSource(seed: 1_234_567_890_123)
        #expect(big.int63() == 2669427142196861235)
        var seed89 = GoRandSource(seed: 89_482_311)
        #expect(seed89.int63() == 8717895732742165505)  // 0 is replaced by this seed
        var neg = GoRandSource(seed: -1)
        #expect(neg.float64().bitPattern == 0x3fd9_4ac0_ef84_0181)
    }

    @Test func varintEdgeCases() {
        #expect(goVarint([0x18]) == (12, 1))
        #expect(goVarint([0x01]) == (-1, 1))
        #expect(goVarint([UInt8](repeating: 0xff, count: 32)) == (0, -11))
        #expect(goVarint([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == (Int64.min, 10))
        #expect(goVarint([0x80]) == (0, 0))
    }

    /// Known-answer A.8: the sample for the four-leaf claim.
    @Test func appendixA8Sample() throws {
        let claimHash = try Hex.decode("10eafb9a485582f7f294287d4b2cad466fbbd9a21c80162f4e62e2f8ab6c83f8")
        let seed = try Hex.decode("2d3b5a8b8c7e0d1f4a6b9c0e1d2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b")
        #expect(ProofRequirement.sample(claimHash: claimHash, seedBlockHash: seed).bitPattern == 0x3fe4_8a36_5a79_ae62)
        #expect(ProofRequirement.evaluate(claimedUPOKT: 400, thresholdUPOKT: 20_000_000, claimHash: claimHash, seedBlockHash: seed, probability: 0.01) == .notRequired)
        #expect(ProofRequirement.evaluate(claimedUPOKT: 20_000_000, thresholdUPOKT: 20_000_000, claimHash: claimHash, seedBlockHash: seed, probability: 0) == .threshold)
        #expect(ProofRequirement.evaluate(claimedUPOKT: 400, thresholdUPOKT: 20_000_000, claimHash: claimHash, seedBlockHash: seed, probability: 0.65) == .probabilistic)
    }

    /// Known-answer A.4 (docs/protocol.md#known-answer-values): session id and localnet timeline of session [101, 110].
    @Test func appendixA4SessionIdAndWindows() throws {
        let id = SessionID.compute(startBlockHash: try Hex.decode("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
                                   serviceID: "anvil", applicationAddress: "pokt1mrqt5f7qh8uxs27cjm9t7v9e74a9vvdnq5jva4", sessionStartHeight: 101)
        #expect(id == "b4b88c5c79dbbfdc5e092917fd54401bbb8a7d7c2d06d3abeca9abba7938f586")
        let grid = SessionGrid(.localnet)
        #expect((grid.sessionStart(105), grid.sessionEnd(105), grid.sessionNumber(105)) == (101, 110, 11))
        // Localnet: claim [E+2, E+6], seed E+5, proof [E+6, E+10].
        #expect((grid.claimWindowOpen(110), grid.claimWindowClose(110)) == (112, 116))
        #expect(grid.proofSeedBlockHeight(110) == 115)
        #expect((grid.proofWindowOpen(110), grid.proofWindowClose(110)) == (116, 120))
        #expect(grid.isGracePeriodElapsed(sessionEndHeight: 110, currentHeight: 111) == false)
        #expect(grid.isGracePeriodElapsed(sessionEndHeight: 110, currentHeight: 112) == true)
    }

    /// docs/protocol.md#claimed-amount: with the base target the multiplier is 1.
    @Test func claimedAmountAtBaseDifficulty() {
        let base = [UInt8](repeating: 0xff, count: 32)
        // 400 CU × 42_000_000 / 1_000_000 = 16_800 uPOKT.
        #expect(ClaimAmount.claimedUPOKT(computeUnits: 400, targetHash: base, computeUnitsToTokensMultiplier: 42_000_000, computeUnitCostGranularity: 1_000_000) == 16_800)
        // Half the target doubles the multiplier: (2^256-1)/(2^255-1) is just over 2 → floor(400×2.000…×42) = 33_600.
        let half = [0x7f] + [UInt8](repeating: 0xff, count: 31)
        #expect(ClaimAmount.claimedUPOKT(computeUnits: 400, targetHash: half, computeUnitsToTokensMultiplier: 42_000_000, computeUnitCostGranularity: 1_000_000) == 33_600)
    }
}

@Suite struct MeteringTests {
    /// Localnet: cost = 1 CU × 42_000_000 / 1_000_000 = 42 uPOKT per relay.
    /// Pending = ceil((1+4+0+4)/10) + 1 = 2. Budget = floor(floor(1e9 / 15) / 2) = floor(66_666_666 / 2) = 33_333_333.
    @Test func localMeterBudget() {
        #expect(RelayMeterMath.relayCostUPOKT(computeUnitsPerRelay: 1, params: .localnet) == 42)
        #expect(RelayMeterMath.pendingSessions(params: .localnet) == 2)
        #expect(RelayMeterMath.maxSpendPerSupplierUPOKT(appStakeUPOKT: 1_000_000_000, numSuppliersPerSession: 15, params: .localnet) == 33_333_333)
        #expect(RelayMeterMath.maxSpendPerSupplierUPOKT(appStakeUPOKT: 1_000_000_000, numSuppliersPerSession: 15, params: .localnet, serviceFactor: 0.01) == 10_000_000)
    }

    /// Mainnet bundle: cost = 3 CU × 145_990 / 1_000_000 = floor(0.43797) = 0; 100 CU → floor(14.599) = 14.
    /// Pending = ceil((11+10+1+10)/20) + 1 = 3.
    @Test func mainnetCostTruncates() {
        #expect(RelayMeterMath.relayCostUPOKT(computeUnitsPerRelay: 3, params: .mainnet) == 0)
        #expect(RelayMeterMath.relayCostUPOKT(computeUnitsPerRelay: 100, params: .mainnet) == 14)
        #expect(RelayMeterMath.pendingSessions(params: .mainnet) == 3)
    }

    /// Settlement: floor = 1_000_000 / 2 / 4 = 125_000; with inflation 0.25, max = floor(125_000 / 1.25) = 100_000.
    @Test func settlementCap() {
        #expect(RelayMeterMath.settlementPayoutUPOKT(claimedUPOKT: 500_000, appStakeUPOKT: 1_000_000, numPendingSessions: 2, numClaimsForAppSession: 4, globalInflationPerClaim: 0.25) == 100_000)
        #expect(RelayMeterMath.settlementPayoutUPOKT(claimedUPOKT: 7, appStakeUPOKT: 1_000_000, numPendingSessions: 2, numClaimsForAppSession: 4) == 7)
        // Spend limit 80_000: min(80_000, 500_000) / 4 = 20_000.
        #expect(RelayMeterMath.settlementPayoutUPOKT(claimedUPOKT: 500_000, appStakeUPOKT: 1_000_000, numPendingSessions: 2, numClaimsForAppSession: 4, perSessionSpendLimitUPOKT: 80_000) == 20_000)
    }
}
