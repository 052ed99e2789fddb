import ArgumentParser
import Foundation
import PocketSim

/// `bench sim`: how much faster than real time the simulator runs the
/// production runtime (time compression), the relays it pushes through the
/// full pipeline per wall second, and swarm throughput in seeds per minute.
struct SimBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Time compression of scenarios, relays per wall second, swarm seeds per minute."
    )

    @Option(help: "Scenario files to time.") var scenarios: [String] = ["scenarios/happy-path.yaml", "scenarios/bench/large-fleet.yaml"]
    @Option(help: "Runs per scenario (the median is reported).") var runs: Int = 3
    @Option(help: "Swarm seeds to time (0 skips it).") var swarmSeeds: UInt64 = 20

    func run() async throws {
        print("scenario                  relays   sim s   wall s (median)   compression   relays/wall s   sim jobs/s   passed")
        print(String(repeating: "-", count: 110))
        for path in scenarios {
            let spec = try ScenarioFiles.load(path)
            var reports: [RunReport] = []
            for _ in 0..<max(runs, 1) { reports.append(await (try SimWorld(spec: spec)).runDetached()) }
            let sorted = reports.sorted { $0.wallSeconds < $1.wallSeconds }
            let r = sorted[sorted.count / 2]
            let relays = r.metric("relays_sent")
            print(String(format: "%-24@  %7.0f  %6.0f   %8.3f          %9.0f×   %13.0f   %10.0f   %@",
                         r.scenario as NSString, relays, r.simulatedSeconds, r.wallSeconds, r.simulatedSeconds / r.wallSeconds,
                         relays / r.wallSeconds, r.metric("sim_jobs") / r.wallSeconds, (r.passed ? "yes" : "NO") as NSString))
        }
        guard swarmSeeds > 0 else { return }
        let base = try ScenarioFiles.load(scenarios[0])
        let swarm = Swarm(base: base)
        let start = Date()
        var failed = 0
        for seed in 1...swarmSeeds {
            let report = await withCheckedContinuation { c in
                let t = Thread { c.resume(returning: swarm.run(seed: seed)) }
                t.stackSize = 16 << 20
                t.start()
            }
            if !report.passed { failed += 1 }
        }
        let elapsed = Date().timeIntervalSince(start)
        print("")
        print(String(format: "swarm on %@: %llu seeds in %.1f s = %.1f seeds/min (%d failed)", base.name as NSString, swarmSeeds, elapsed, Double(swarmSeeds) / elapsed * 60, failed))
    }
}
