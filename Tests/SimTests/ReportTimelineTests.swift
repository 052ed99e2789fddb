import Foundation
import Testing
@testable import PocketSim

/// The happy path's timeline, exactly: 41 blocks, 3 sessions with localnet
/// windows, 4 nodes up for the whole run, one lease per supplier, 12 claims
/// accepted one block after their window opens, 2 proofs validated, no faults.
@Suite struct ReportTimelineTests {
    static let second: Int64 = 1_000_000_000

    @Test func blocksAndSessionWindowsFollowTheLocalnetGrid() async throws {
        let t = try await ReportFixtures.shared.happyPath().timeline
        #expect(t.scenario == "happy-path")
        #expect(t.seed == 1)
        #expect(t.blockTimeNanoseconds == 10 * Self.second)
        #expect(t.finalHeight == 41)
        #expect(t.blocks.map(\.height) == Array(1...41))
        #expect(t.blocks.map(\.nanoseconds) == (1...41).map { ($0 - 1) * 10 * Self.second })
        #expect(t.skippedSlots.isEmpty)
        // Nodes are shut down half a block after block 41 (at 400 s).
        #expect(t.shutdownNanoseconds == 405 * Self.second)
        #expect(t.height(at: 115 * Self.second) == 12)
        #expect(t.nanoseconds(atHeight: 42) == 410 * Self.second)

        // Session n covers blocks 10n-9…10n; grace +1; claim window end+2…end+6; proof window end+6…end+10.
        #expect(t.sessions == [
            .init(number: 1, start: 1, end: 10, graceEnd: 11, claimOpen: 12, claimClose: 16, proofOpen: 16, proofClose: 20, relays: 240),
            .init(number: 2, start: 11, end: 20, graceEnd: 21, claimOpen: 22, claimClose: 26, proofOpen: 26, proofClose: 30, relays: 240),
            .init(number: 3, start: 21, end: 30, graceEnd: 31, claimOpen: 32, claimClose: 36, proofOpen: 36, proofClose: 40, relays: 240),
        ])
        #expect(t.faults.isEmpty)
    }

    @Test func nodesStayUpAndEverySupplierHasOneLeaseForTheWholeRun() async throws {
        let t = try await ReportFixtures.shared.happyPath().timeline
        #expect(t.nodes.map(\.name) == ["relayer-1", "relayer-2", "miner-1", "miner-2"])
        #expect(t.relayers.map(\.name) == ["relayer-1", "relayer-2"])
        #expect(t.miners.map(\.name) == ["miner-1", "miner-2"])
        for node in t.nodes {
            #expect(node.spans == [.init(generation: 1, from: 0, to: 405 * Self.second, end: .runEnd)], "\(node.name)")
        }

        #expect(t.suppliers == ["supplier-1", "supplier-2", "supplier-3"])
        #expect(t.leases.count == 3)
        for supplier in t.suppliers {
            let tenures = t.leases(ofSupplier: supplier)
            #expect(tenures.count == 1, "\(supplier): \(tenures)")
            guard let l = tenures.first else { continue }
            #expect(l.epoch == 1)
            #expect(l.instance == "\(l.miner).1")
            #expect(["miner-1", "miner-2"].contains(l.miner))
            // Acquired in the first block, held until the nodes stop.
            #expect(l.from > 0 && l.from < 10 * Self.second, "\(l)")
            #expect(l.to == t.shutdownNanoseconds)
            #expect(l.end == .runEnd)
        }
        // Fair share: 3 suppliers over 2 miners.
        #expect(t.miners.map { t.leases(ofMiner: $0.name).count }.sorted() == [1, 2])
    }

    @Test func twelveClaimsAcceptedTwoProofsValidatedAllSettled() async throws {
        let run = try await ReportFixtures.shared.happyPath()
        let t = run.timeline
        #expect(t.claims.count == 12)
        // Per session: who served whom (supplier-1 serves both services).
        let pairs = t.claims.map { "\($0.sessionEnd) \($0.supplier) \($0.application ?? "?") \($0.service ?? "?")" }
        var expected: [String] = []
        for end in [10, 20, 30] {
            expected += ["\(end) supplier-1 app-2 anvil", "\(end) supplier-1 app-4 ethereum", "\(end) supplier-2 app-1 anvil", "\(end) supplier-3 app-3 ethereum"]
        }
        #expect(pairs == expected)

        for c in t.claims {
            let s = try #require(t.sessions.first { $0.end == c.sessionEnd })
            #expect(c.sessionStart == s.start)
            #expect(c.sessionID.count == 64)
            #expect(c.relaysAcknowledged == 60)
            // Broadcast once on seeing the claim window open, included in the next block.
            #expect(c.claim.broadcasts.map(\.height) == [s.claimOpen], "\(c.supplier) \(c.sessionEnd)")
            #expect(c.claim.broadcasts.map(\.nanoseconds) == [(s.claimOpen - 1) * 10 * Self.second])
            #expect(c.claim.broadcasts.allSatisfy { $0.admitted && !$0.resubmit && $0.tx.count == 64 })
            #expect(c.claim.outcome == .accepted)
            #expect(c.claim.includedHeight == s.claimOpen + 1)
            #expect(c.claim.relays == 60)
            #expect(c.claim.computeUnits == (c.service == "ethereum" ? 120 : 60))
            #expect(!c.claim.replaced)
            #expect(c.settlement?.outcome == .settled)
            #expect(c.settlement?.height == s.proofClose)
            #expect(c.settlement?.slashedUPOKT == 0)
        }

        // The two probabilistic proofs: broadcast when the proof window opens, included and validated in the next block.
        let proven = t.claims.filter { $0.proof.outcome == .validated }
        #expect(proven.map { "\($0.sessionEnd) \($0.supplier) \($0.application ?? "?")" } == ["10 supplier-2 app-1", "20 supplier-1 app-2"])
        for c in proven {
            let s = try #require(t.sessions.first { $0.end == c.sessionEnd })
            #expect(c.proof.requirement == "PROBABILISTIC")
            #expect(c.proof.broadcasts.map(\.height) == [s.proofOpen])
            #expect(c.proof.includedHeight == s.proofOpen + 1)
            #expect(c.proof.validationHeight == s.proofOpen + 1)
        }
        for c in t.claims where c.proof.outcome != .validated {
            #expect(c.proof.outcome == .notRequired, "\(c.supplier) \(c.sessionEnd)")
            #expect(c.proof.requirement == "NOT_REQUIRED")
            #expect(c.proof.broadcasts.isEmpty, "a proof tx of another session attributed to \(c.supplier) \(c.sessionEnd)")
        }

        // The timeline agrees with the run report.
        let r = run.report
        #expect(Double(t.claims.filter { $0.claim.outcome == .accepted }.count) == r.metric("claims_accepted"))
        #expect(Double(t.claims.reduce(0) { $0 + Int($1.claim.relays ?? 0) }) == r.metric("relays_claimed"))
        #expect(Double(t.claims.reduce(0) { $0 + $1.relaysAcknowledged }) == r.metric("relays_minable"))
        #expect(Double(proven.count) == r.metric("proofs_accepted"))
        #expect(t.finalHeight == r.finalHeight)
    }

    @Test func aShortRunStopsBeforeProofsAndReportsWhatIsStillOpen() async throws {
        let run = try await ReportFixtures.shared.failingRun()
        let t = run.timeline
        #expect(t.scenario == "happy-path-impossible")
        #expect(t.finalHeight == 22)
        #expect(t.sessions.map(\.number) == [1])
        #expect(t.sessions.first?.relays == 16)
        #expect(t.claims.count == 4)
        #expect(t.claims.allSatisfy { $0.claim.outcome == .accepted && $0.settlement?.outcome == .settled })
        #expect(run.report.assertions.map(\.passed) == [true, false])
    }
}
