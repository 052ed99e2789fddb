import Testing
@testable import PocketSim

/// The runtime takes nothing from Redis pub/sub (blocks come from the chain
/// subscription, caches expire by height and TTL), so losing every pub/sub
/// message must change no outcome — also across a lease-owner crash. If a
/// change ever makes the relayer or miner depend on pub/sub, this fails.
@Suite struct PubSubLossTests {
    @Test func losingEveryPubSubMessageChangesNoOutcome() async throws {
        let path = ScenarioLoaderTests.packageRoot.appendingPathComponent("scenarios/lease-owner-killed-mid-session.yaml").path
        let spec = try ScenarioFiles.load(path)
        var lossy = spec
        lossy.faults.append(FaultSpec(at: .block(1), kind: FaultKind.pubsubLoss.rawValue, target: nil,
                                      durationBlocks: spec.untilBlock, parameters: [:]))
        let plain = await (try SimWorld(spec: spec)).runDetached()
        let lost = await (try SimWorld(spec: lossy)).runDetached()
        #expect(plain.passed && lost.passed)
        #expect(lost.metric("faults_applied") == plain.metric("faults_applied") + 1)
        // Bookkeeping of the fault itself (and the jobs its timer ran) aside, every number is the same.
        let ignored: Set<String> = ["faults_applied", "redis_pubsub_lost", "sim_jobs"]
        let outcomes = { (r: RunReport) in r.metrics.filter { !ignored.contains($0.key) } }
        #expect(outcomes(lost) == outcomes(plain))
        #expect(outcomes(plain)["relays_claimed"] == 360)
        #expect(outcomes(plain)["failovers"] == 1)
    }
}
