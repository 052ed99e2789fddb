import Foundation
import Testing
@testable import PocketSim

@Suite struct ReportFaultAndScaleTests {
    static let second: Int64 = 1_000_000_000

    /// A crash of supplier-1's lease owner: the fault, the node's crash, the
    /// tenure it ended and the next owner's tenure (new epoch) are all in the timeline.
    @Test func leaseOwnerCrashShowsAsFaultCrashAndFailover() async throws {
        let path = ScenarioLoaderTests.packageRoot.appendingPathComponent("scenarios/lease-owner-killed-mid-session.yaml").path
        let world = try SimWorld(spec: try ScenarioFiles.load(path))
        let report = await world.runDetached()
        let t = world.timeline()
        #expect(report.passed)

        let fault = try #require(t.faults.first)
        #expect(t.faults.count == 1)
        #expect(fault.kind == "crash")
        #expect(fault.target == "lease_owner:supplier-1")
        #expect(fault.cleared == nil)
        let tenures = t.leases(ofSupplier: "supplier-1")
        #expect(tenures.count == 2, "\(tenures)")
        guard tenures.count == 2 else { return }
        let (before, after) = (tenures[0], tenures[1])
        #expect(fault.detail.contains("nodes=\(before.miner)"))

        // The owner crashed at the fault; its node span and its tenure end there.
        #expect(before.end == .crashed)
        #expect(before.to == fault.applied)
        let crashed = try #require(t.nodes.first { $0.name == before.miner })
        #expect(crashed.spans.map(\.end) == [.crashed])
        #expect(crashed.spans.first?.to == fault.applied)
        // Another replica took over under a new epoch within 2 blocks and kept it to the end.
        #expect(after.miner != before.miner)
        #expect(after.epoch == before.epoch + 1)
        #expect(after.from > fault.applied && after.from - fault.applied <= 2 * t.blockTimeNanoseconds)
        #expect(after.end == .runEnd)
        // Suppliers the crashed miner did not hold were not disturbed.
        for supplier in ["supplier-2", "supplier-3"] {
            #expect(t.leases(ofSupplier: supplier).map(\.end) == [.runEnd], "\(supplier)")
        }
        #expect(t.claims.allSatisfy { $0.claim.outcome == .accepted })

        let html = HTMLReport.render(t, report: report)
        let xml = XMLCollector.parse(html)
        #expect(xml.error == nil, "\(xml.error ?? "")")
        let lanes = xml.elements.compactMap { $0.attributes["data-lane"] }
        #expect(lanes.contains("fault:0"))
        #expect(lanes.contains("lease:\(before.miner):supplier-1") && lanes.contains("lease:\(after.miner):supplier-1"))
        #expect(xml.all("title").contains { $0.text.hasPrefix("\(before.miner) crashed at ") })
    }

    /// 100 suppliers over 3 miners, 60 blocks, 6 sessions of claims: lease
    /// rows become thin rows with a held-count line per miner, claim markers
    /// are aggregated per block, and the page stays well-formed and compact.
    @Test func hundredSuppliersSixtyBlocksStayCompact() {
        let suppliers = (1...100).map { "supplier-\($0)" }
        let miners = ["miner-1", "miner-2", "miner-3"]
        let bt = 10 * Self.second
        let end = 595 * Self.second
        var t = RunTimeline(scenario: "scale", seed: 1, blockTimeNanoseconds: bt, finalHeight: 60, shutdownNanoseconds: end,
                            endNanoseconds: end, suppliers: suppliers)
        t.blocks = (1...60).map { .init(height: $0, nanoseconds: ($0 - 1) * bt, transactions: $0 % 10 == 3 ? 100 : 0) }
        t.nodes = miners.map { .init(name: $0, kind: .miner, spans: [.init(generation: 1, from: 0, to: end, end: .runEnd)]) }
            + [.init(name: "relayer-1", kind: .relayer, spans: [.init(generation: 1, from: 0, to: end, end: .runEnd)])]
        for (i, s) in suppliers.enumerated() {
            t.leases.append(.init(miner: miners[i % 3], instance: "\(miners[i % 3]).1", supplier: s, epoch: 1, from: 2 * Self.second, to: 200 * Self.second, end: .lost("taken")))
            t.leases.append(.init(miner: miners[(i + 1) % 3], instance: "\(miners[(i + 1) % 3]).1", supplier: s, epoch: 2, from: 201 * Self.second, to: end, end: .runEnd))
        }
        for session in 0..<6 {
            let e = Int64(session * 10 + 10)
            t.sessions.append(.init(number: Int64(session + 1), start: e - 9, end: e, graceEnd: e + 1, claimOpen: e + 2, claimClose: e + 6,
                                    proofOpen: e + 6, proofClose: e + 10, relays: 1000))
            for s in suppliers {
                let broadcast = RunTimeline.Broadcast(nanoseconds: (e + 1) * bt, height: e + 2, tx: "T\(s)\(e)", resubmit: false, admitted: true)
                t.claims.append(.init(supplier: s, application: "app-1", service: "anvil", sessionID: "\(s)-\(e)", sessionStart: e - 9, sessionEnd: e,
                                      relaysAcknowledged: 10, claim: .init(broadcasts: [broadcast], includedHeight: e + 3, outcome: .accepted, relays: 10),
                                      proof: .init(requirement: "NOT_REQUIRED", outcome: .notRequired), settlement: nil))
            }
        }
        let report = RunReport(scenario: "scale", seed: 1, traceHash: String(repeating: "ab", count: 32), traceEvents: 1, simulatedSeconds: 595,
                               wallSeconds: 1, finalHeight: 60, metrics: [:], invariants: [], assertions: [], notes: [], failure: nil)
        let html = HTMLReport.render(t, report: report)
        let xml = XMLCollector.parse(html)
        #expect(xml.error == nil, "\(xml.error ?? "")")
        let lanes = xml.elements.compactMap { $0.attributes["data-lane"] }
        #expect(lanes.filter { $0.hasPrefix("held:") } == miners.map { "held:\($0)" })
        #expect(lanes.filter { $0.hasPrefix("lease:") }.count == 200)
        // Each session's 100 claims (and 100 not-required proofs) at one height are one aggregated bar with one link, not 100 markers.
        #expect(xml.all("a").count == 12)
        #expect(xml.all("tr").filter { $0.attributes["id"] != nil }.count == 600)
        // Lease rows are thin: the SVG stays under 2000 px tall for 200 tenures.
        let height = xml.all("svg").first?.attributes["height"].flatMap(Double.init) ?? .infinity
        #expect(height < 2000, "svg height \(height)")
        #expect(html.utf8.count < 2_000_000)
    }
}
