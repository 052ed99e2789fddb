import PocketProtocol
import Testing

@testable import RelayRuntime

/// The session state machine and the ownership plan are pure functions;
/// these tests pin every transition with localnet windows: session [1, 10]
/// ends at E = 10, claim window [12, 16], seed block 15, proof window [16, 20].
@Suite struct MinerPlannerTests {
    static let w = SessionWindows(params: .localnet, sessionEnd: 10)

    static func next(_ s: SessionSnapshot, _ h: Int64, _ c: ChainObservation? = nil, max: Int = 1) -> SessionAction {
        SessionPlanner.next(s, windows: w, height: h, chain: c, maxResubmissions: max)
    }

    static let onChain = ChainObservation(claimOnChain: true)
    static let validated = ChainObservation(claimOnChain: true, proofValidated: true)

    @Test func windowsFollowTheParamsAtSessionEnd() {
        let w = Self.w
        #expect([w.sessionStart, w.sessionEnd, w.claimOpen, w.claimClose, w.seedHeight, w.proofOpen, w.proofClose] == [1, 10, 12, 16, 15, 16, 20])
        // Any height of the session gives the same windows; mainnet offsets (docs/protocol.md#parameter-values timeline).
        #expect(SessionWindows(params: .localnet, sessionEnd: 4) == w)
        let m = SessionWindows(params: .mainnet, sessionEnd: 20)
        #expect([m.claimOpen, m.claimClose, m.seedHeight, m.proofOpen, m.proofClose] == [32, 42, 42, 43, 53])
    }

    @Test func sealsExactlyFromClaimWindowOpenUntilItCloses() {
        let open = SessionSnapshot(sealed: false, relayCount: 3)
        #expect(Self.next(open, 5) == .wait)
        #expect(Self.next(open, 10) == .wait)
        #expect(Self.next(open, 11) == .wait)  // grace period: relays still accepted
        #expect(Self.next(open, 12) == .seal)
        #expect(Self.next(open, 16) == .seal)
        #expect(Self.next(open, 17) == .fail(.claimWindowMissed))
    }

    @Test func claimsWhileATxCanStillLandInTheWindow() {
        let sealed = SessionSnapshot(sealed: true, relayCount: 3)
        #expect(Self.next(sealed, 12) == .claim)
        #expect(Self.next(sealed, 12, .absent) == .claim)
        #expect(Self.next(sealed, 15) == .claim)
        // Observed block 16 is committed: a tx sent now lands at 17 > close.
        #expect(Self.next(sealed, 16) == .wait)
        #expect(Self.next(sealed, 17) == .fail(.claimNotSubmitted))
        // A claim already on chain (e.g. made by a previous owner) is adopted, never duplicated.
        #expect(Self.next(sealed, 13, Self.onChain) == .confirmClaim)
    }

    @Test func anEmptyTreeIsNeverClaimed() {
        let empty = SessionSnapshot(sealed: true, relayCount: 0)
        #expect(Self.next(empty, 12) == .skipEmpty)
        let skipped = SessionSnapshot(sealed: true, relayCount: 0, claim: .skippedEmpty)
        #expect(Self.next(skipped, 12) == .wait)
        #expect(Self.next(skipped, 16) == .wait)
        #expect(Self.next(skipped, 17) == .settle(.empty))
    }

    @Test func theReconcilerResubmitsAMissingClaimOnceAndNeverInTheLastBlock() {
        let sent = SessionSnapshot(sealed: true, relayCount: 3, claim: .submitted(height: 12, resubmits: 0))
        #expect(Self.next(sent, 12, .absent) == .wait)  // give it one block
        #expect(Self.next(sent, 13, .absent) == .resubmitClaim)
        #expect(Self.next(sent, 15, .absent) == .resubmitClaim)
        #expect(Self.next(sent, 16, .absent) == .wait)  // last block of the window
        #expect(Self.next(sent, 17, .absent) == .fail(.claimNotIncluded))
        #expect(Self.next(sent, 13, Self.onChain) == .confirmClaim)
        #expect(Self.next(sent, 16, Self.onChain) == .confirmClaim)
        let resent = SessionSnapshot(sealed: true, relayCount: 3, claim: .submitted(height: 12, resubmits: 1))
        #expect(Self.next(resent, 14, .absent) == .wait)
        #expect(Self.next(resent, 14, .absent, max: 2) == .resubmitClaim)
        // Without the chain's view nothing is decided until it cannot matter any more.
        #expect(Self.next(sent, 13, nil) == .wait)
        #expect(Self.next(sent, 18, nil) == .wait)
        #expect(Self.next(sent, 21, nil) == .fail(.claimNotIncluded))
    }

    @Test func provesFromProofWindowOpenWithTheClaimOnChain() {
        let claimed = SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed)
        #expect(Self.next(claimed, 13, Self.onChain) == .wait)
        #expect(Self.next(claimed, 15, Self.onChain) == .wait)  // seed block, proof window not open yet
        #expect(Self.next(claimed, 16, Self.onChain) == .prove)
        #expect(Self.next(claimed, 19, Self.onChain) == .prove)
        #expect(Self.next(claimed, 16, nil) == .wait)
        #expect(Self.next(claimed, 17, .absent) == .wait)
        #expect(Self.next(claimed, 20, .absent) == .fail(.proofWindowMissed))
        #expect(Self.next(claimed, 21, nil) == .fail(.proofWindowMissed))
    }

    @Test func aProofNotRequiredSettlesAfterTheProofWindow() {
        let s = SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed, proof: .notRequired)
        #expect(Self.next(s, 16) == .wait)
        #expect(Self.next(s, 20) == .wait)
        #expect(Self.next(s, 21) == .settle(.proofNotRequired))
    }

    @Test func theReconcilerResubmitsAMissingProofOnce() {
        let sent = SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed, proof: .submitted(height: 16, resubmits: 0))
        #expect(Self.next(sent, 16, Self.onChain) == .wait)
        #expect(Self.next(sent, 17, Self.onChain) == .resubmitProof)
        #expect(Self.next(sent, 19, Self.onChain) == .resubmitProof)
        #expect(Self.next(sent, 20, Self.onChain) == .wait)
        #expect(Self.next(sent, 17, Self.validated) == .confirmProof)
        #expect(Self.next(sent, 17, ChainObservation(claimOnChain: true, proofInvalid: true)) == .fail(.proofInvalid))
        #expect(Self.next(sent, 20, .absent) == .fail(.proofUnconfirmed))
        #expect(Self.next(sent, 21, nil) == .fail(.proofNotIncluded))
        let resent = SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed, proof: .submitted(height: 16, resubmits: 1))
        #expect(Self.next(resent, 18, Self.onChain) == .wait)
        let proven = SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed, proof: .confirmed)
        #expect(Self.next(proven, 20) == .wait)
        #expect(Self.next(proven, 21) == .settle(.proven))
    }

    @Test func theChainIsAskedOnlyWhenItsAnswerMatters() {
        func needs(_ s: SessionSnapshot, _ h: Int64) -> Bool { SessionPlanner.needsChainView(s, windows: Self.w, height: h) }
        #expect(!needs(SessionSnapshot(sealed: false, relayCount: 3), 12))
        #expect(needs(SessionSnapshot(sealed: true, relayCount: 3), 12))
        #expect(!needs(SessionSnapshot(sealed: true, relayCount: 0), 12))
        #expect(needs(SessionSnapshot(sealed: true, relayCount: 3, claim: .submitted(height: 12, resubmits: 0)), 13))
        #expect(!needs(SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed), 15))
        #expect(needs(SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed), 16))
        #expect(!needs(SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed, proof: .notRequired), 17))
        #expect(needs(SessionSnapshot(sealed: true, relayCount: 3, claim: .confirmed, proof: .submitted(height: 16, resubmits: 0)), 17))
    }

    /// A whole life, block by block, against a chain that drops the first claim
    /// tx and includes everything else one block after it is sent.
    @Test func aSessionLivesClaimsResubmitsProvesAndSettlesInOrder() {
        var s = SessionSnapshot(sealed: false, relayCount: 4)
        var claimOnChain = false, proofValidated = false
        var claimSentAt: Int64?, proofSentAt: Int64?
        var log: [String] = []
        for h in Int64(1)...22 {
            var steps = 0
            while steps < 8 {
                steps += 1
                let c = ChainObservation(claimOnChain: claimOnChain, proofValidated: proofValidated)
                let a = SessionPlanner.next(s, windows: Self.w, height: h, chain: c, maxResubmissions: 1)
                switch a {
                case .wait: steps = 99
                case .seal: s.sealed = true; log.append("\(h) seal")
                case .claim: s.claim = .submitted(height: h, resubmits: 0); log.append("\(h) claim"); steps = 99  // dropped
                case .resubmitClaim: s.claim = .submitted(height: claimSentAt ?? 12, resubmits: 1); claimSentAt = h; log.append("\(h) resubmit"); steps = 99
                case .confirmClaim: s.claim = .confirmed; log.append("\(h) claimed")
                case .prove: s.proof = .submitted(height: h, resubmits: 0); proofSentAt = h; log.append("\(h) prove"); steps = 99
                case .confirmProof: s.proof = .confirmed; log.append("\(h) proven")
                case .settle(let o): log.append("\(h) settle \(o.rawValue)"); steps = 99
                default: log.append("\(h) \(a)"); steps = 99
                }
            }
            if let at = claimSentAt, h >= at { claimOnChain = true }
            if let at = proofSentAt, h >= at { proofValidated = true }
            if case .settle = SessionPlanner.next(s, windows: Self.w, height: h, chain: nil, maxResubmissions: 1) { break }
        }
        #expect(log == ["12 seal", "12 claim", "13 resubmit", "14 claimed", "16 prove", "17 proven", "21 settle proven"])
    }
}

@Suite struct MinerOwnershipPlanTests {
    static let suppliers = (0..<8).map { "pokt1supplier\($0)" }

    @Test func fairShareIsTheCeilingOverLiveInstances() {
        #expect(OwnershipPlanner.fairShare(suppliers: 5, liveInstances: 2) == 3)
        #expect(OwnershipPlanner.fairShare(suppliers: 4, liveInstances: 2) == 2)
        #expect(OwnershipPlanner.fairShare(suppliers: 4, liveInstances: 0) == 4)
        #expect(OwnershipPlanner.fairShare(suppliers: 0, liveInstances: 3) == 0)
        #expect(OwnershipPlanner.fairShare(suppliers: 7, liveInstances: 3) == 3)
    }

    @Test func aLoneInstanceWantsEverySupplier() {
        let plan = OwnershipPlanner.plan(me: "a", suppliers: Self.suppliers, live: ["a"], owned: [])
        #expect(plan.share == 8)
        #expect(plan.wanted == 8)
        #expect(plan.candidates.sorted() == Self.suppliers)
        #expect(plan.release.isEmpty)
    }

    @Test func instancesPreferTheirRendezvousHomesWhichPartitionTheSuppliers() {
        let live = ["a", "b", "c"]
        var homes: [String: [String]] = [:]
        for s in Self.suppliers { homes[OwnershipPlanner.home(of: s, among: live)!, default: []].append(s) }
        #expect(homes.values.flatMap { $0 }.sorted() == Self.suppliers)
        for me in live {
            let plan = OwnershipPlanner.plan(me: me, suppliers: Self.suppliers, live: live, owned: [])
            let mine = homes[me] ?? []
            #expect(Array(plan.candidates.prefix(mine.count)).sorted() == mine.sorted())
            #expect(plan.share == 3)
        }
    }

    @Test func theExcessIsReleasedStartingWithSuppliersThatBelongElsewhere() {
        let live = ["a", "b"]
        let plan = OwnershipPlanner.plan(me: "a", suppliers: Self.suppliers, live: live, owned: Self.suppliers)
        #expect(plan.share == 4)
        #expect(plan.release.count == 4)
        #expect(plan.wanted == 0)
        let homeOfB = Self.suppliers.filter { OwnershipPlanner.home(of: $0, among: live) == "b" }
        let released = Set(plan.release)
        // Everything released belongs to b when b's homes suffice; otherwise all of b's homes are released.
        if homeOfB.count >= 4 { #expect(released.isSubset(of: Set(homeOfB))) } else { #expect(Set(homeOfB).isSubset(of: released)) }
    }

    @Test func suppliersWithoutAKeyAreReleasedAndPlansDoNotDependOnInputOrder() {
        let owned = ["pokt1gone", Self.suppliers[0]]
        let plan = OwnershipPlanner.plan(me: "a", suppliers: Self.suppliers, live: ["b", "a"], owned: owned)
        #expect(plan.release == ["pokt1gone"])
        let same = OwnershipPlanner.plan(me: "a", suppliers: Self.suppliers.reversed(), live: ["a", "b"], owned: owned.reversed())
        #expect(same == plan)
        #expect(plan.wanted == 3)
        #expect(!plan.candidates.contains(Self.suppliers[0]))
    }
}
