import Foundation
import PocketProtocol
import RelayClient
import Testing

/// The load test: exact counts and breakdown against a relayer that refuses
/// a known share, the percentile arithmetic, the JSON report's keys, and a
/// session rollover in the middle of a run.
@Suite(.timeLimit(.minutes(3)))
struct RelayClientLoadTests {
    @Test func nRequestsAtConcurrencyCReportExactlyNWithTheRefusalsInTheBreakdown() async throws {
        try await RelayClientChain.run { world in
            // Every 3rd request by arrival is refused: 30 requests → 10 refusals, whatever the interleaving.
            let relayer = FakeRelayer(chain: world.chain, mode: .refuseEvery(3, status: 429, reason: "relay_limit_reached"))
            try await relayer.withHTTPServer { port in
                let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: .jsonrpc, timeout: .seconds(20), maxConnections: 4)
                let keys = RelaySigningKeys(application: RelayClientKeys.app)
                let events = LockedBox<[LoadTestEvent]>([])
                let runner = LoadTestRunner(
                    configuration: LoadTestConfiguration(count: 30, concurrency: 4), transport: .jsonrpc,
                    preparer: try world.preparer(for: keys, transport: .jsonrpc, selection: .roundRobin),
                    target: HTTPRelayTarget(sender: sender)
                ) { event in events.mutate { $0.append(event) } }
                let report = try await runner.run()
                await sender.shutdown()

                #expect(report.total == 30)
                #expect(report.succeeded == 20)
                #expect(report.failed == 10)
                #expect(report.errors == ["http_429:relay_limit_reached": 10])
                #expect(abs(report.successRatePercent - 200.0 / 3) < 1e-9)
                #expect(report.latencyMs.count == 20)
                #expect(report.latencyMs.p50Ms <= report.latencyMs.p95Ms && report.latencyMs.p95Ms <= report.latencyMs.p99Ms)
                #expect(report.durationSeconds > 0)
                #expect(abs(report.throughputRPS - 30 / report.durationSeconds) < 1e-6)
                #expect(report.presigned == 30)
                #expect(report.concurrency == 4)
                #expect(!report.allSucceeded)

                let seen = relayer.seen
                #expect(seen.count == 30)
                #expect(Set(seen.signatures).count == 30, "every relay carries its own ring signature")
                let suppliers = RelayClientKeys.suppliers.map { $0.publicKey.address() }
                #expect(Set(seen.suppliers) == Set(suppliers))
                #expect(seen.suppliers.filter { $0 == suppliers[0] }.count == 15)
                // Signed ahead: the signing events come before the first progress event.
                let log = events.get()
                let signedAt = try #require(log.firstIndex { if case .signed = $0 { true } else { false } })
                guard case .signed(let count, _, let sessionID) = log[signedAt] else { return }
                #expect(count == 30 && sessionID == seen.sessionIDs[0])
                #expect(log.prefix(signedAt).last == .signing(done: 30, total: 30))
                #expect(log.prefix(signedAt).allSatisfy { if case .signing = $0 { true } else { false } })
                #expect(log.last == .progress(LoadProgress(done: 30, total: 30, succeeded: 20, failed: 10,
                                                           elapsedSeconds: report.durationSeconds)))
            }
        }
    }

    @Test func aSessionRolloverDuringTheRunReSignsTheRemainingRequests() async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain)
            // After the 5th relay arrives the chain moves to height 5: session [5, 8] begins.
            relayer.setOnRequest { n in
                if n == 5 { await world.produceBlocks(through: 5) }
            }
            try await relayer.withHTTPServer { port in
                let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: .jsonrpc, timeout: .seconds(20), maxConnections: 2)
                let keys = RelaySigningKeys(application: RelayClientKeys.app)
                let preparer = try world.preparer(for: keys, transport: .jsonrpc)
                let events = LockedBox<[LoadTestEvent]>([])
                let report = try await LoadTestRunner(
                    configuration: LoadTestConfiguration(count: 20, concurrency: 2), transport: .jsonrpc, preparer: preparer,
                    target: HTTPRelayTarget(sender: sender)
                ) { event in events.mutate { $0.append(event) } }.run()
                await sender.shutdown()

                let first = try await world.chain.session(application: keys.applicationAddress, serviceID: RelayClientChain.service, height: 1)
                let second = try await world.chain.session(application: keys.applicationAddress, serviceID: RelayClientChain.service, height: 5)
                #expect(report.total == 20 && report.succeeded == 20, "\(report.errors)")
                #expect(report.sessionRollovers == 1)
                #expect(report.sessions == [first.header.sessionID, second.header.sessionID])
                // At most the relays already taken (one per worker) went out with the old session; the rest were re-signed.
                let old = relayer.seen.sessionIDs.filter { $0 == first.header.sessionID }.count
                #expect((5...7).contains(old), "\(old) relays for the first session")
                #expect(report.resigned == 20 - old)
                #expect(relayer.seen.sessionIDs.filter { $0 == second.header.sessionID }.count == 20 - old)
                #expect(await preparer.resolver.lookups == 2)
                let rollover = events.get().compactMap { if case .sessionRollover(let from, let to, let height, let n) = $0 { (from, to, height, n) } else { nil } }
                #expect(rollover.count == 1)
                #expect(rollover.first?.0 == first.header.sessionID && rollover.first?.1 == second.header.sessionID)
                #expect(rollover.first?.2 == 5)
                #expect(rollover.first?.3 == report.resigned)
            }
        }
    }

    @Test func theResolverKeepsItsSessionUntilTheChainPassesItsEnd() async throws {
        try await RelayClientChain.run { world in
            let resolver = world.resolver(for: RelaySigningKeys(application: RelayClientKeys.app))
            let first = try await resolver.current()
            #expect(first.startHeight == 1 && first.endHeight == 4 && first.resolvedAtHeight == 2)
            await world.produceBlocks(through: 4)
            #expect(try await resolver.current() == first)
            #expect(await resolver.lookups == 1)
            await world.produceBlocks(through: 5)
            let second = try await resolver.current()
            #expect(second.startHeight == 5 && second.endHeight == 8 && second.resolvedAtHeight == 5)
            #expect(second.sessionID != first.sessionID)
            #expect(await resolver.lookups == 2)
        }
    }

    @Test func percentilesAreTheNearestRankOfTheRecordedSamples() {
        let samples = (1...100).map(Double.init).shuffled()
        let summary = LatencySummary(samplesMs: samples)
        #expect(summary.count == 100)
        #expect(summary.p50Ms == 50 && summary.p95Ms == 95 && summary.p99Ms == 99)
        #expect(summary.minMs == 1 && summary.maxMs == 100 && summary.meanMs == 50.5)

        let ten = LatencySummary(samplesMs: [12, 3, 7, 30, 1, 9, 4, 18, 5, 2])
        // sorted: 1 2 3 4 5 7 9 12 18 30 — ranks ⌈0.5·10⌉=5, ⌈0.95·10⌉=10, ⌈0.99·10⌉=10
        #expect(ten.p50Ms == 5 && ten.p95Ms == 30 && ten.p99Ms == 30)
        #expect(LatencySummary.percentile(50, sorted: [1, 2, 3]) == 2)
        #expect(LatencySummary.percentile(99, sorted: [4]) == 4)
        let empty = LatencySummary(samplesMs: [])
        #expect(empty.count == 0 && empty.p50Ms == 0 && empty.p99Ms == 0 && empty.meanMs == 0 && empty.maxMs == 0)
        #expect(LatencySummary(samples: [.milliseconds(3), .microseconds(1500)]).p50Ms == 1.5)
    }

    @Test func theJSONReportHasTheDocumentedKeys() throws {
        let report = LoadReport(
            transport: "jsonrpc", service: "anvil", total: 3, succeeded: 2, failed: 1, successRatePercent: 200.0 / 3,
            durationSeconds: 1.5, throughputRPS: 2, latencyMs: LatencySummary(samplesMs: [1, 2]), errors: ["http_429:relay_limit_reached": 1],
            concurrency: 10, rpsLimit: 0, presigned: 3, signingSeconds: 0.25, sessions: ["abc"], sessionRollovers: 0, resigned: 0
        )
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        #expect(Set(object.keys) == [
            "transport", "service", "total", "succeeded", "failed", "success_rate_percent", "duration_seconds", "throughput_rps",
            "latency_ms", "errors", "concurrency", "rps_limit", "presigned", "signing_seconds", "sessions", "session_rollovers", "resigned",
        ])
        let latency = try #require(object["latency_ms"] as? [String: Any])
        #expect(Set(latency.keys) == ["count", "min_ms", "mean_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms"])
        #expect(object["errors"] as? [String: Int] == ["http_429:relay_limit_reached": 1])
        #expect(try JSONDecoder().decode(LoadReport.self, from: JSONEncoder().encode(report)) == report)
    }

    @Test func pacedRunsLaunchNoFasterThanTheRate() async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain)
            try await relayer.withHTTPServer { port in
                let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: .jsonrpc, timeout: .seconds(20))
                let report = try await LoadTestRunner(
                    configuration: LoadTestConfiguration(count: 6, concurrency: 6, rps: 20), transport: .jsonrpc,
                    preparer: try world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .jsonrpc),
                    target: HTTPRelayTarget(sender: sender)
                ).run()
                await sender.shutdown()
                #expect(report.succeeded == 6)
                #expect(report.rpsLimit == 20)
                // The 6th launch is due 5/20 s after the round starts and the pacer sleeps until
                // then, so the timed part cannot be shorter (a bound by construction, not a speed check).
                #expect(report.durationSeconds >= 0.25)
            }
        }
    }
}
