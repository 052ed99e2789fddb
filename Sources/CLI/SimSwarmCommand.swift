import ArgumentParser
import Foundation
import PocketSim
import RelayRuntime

/// `sim swarm`: many seeds with randomized fault schedules. Every failing seed
/// is printed with the command that replays it, and its schedule is shrunk to
/// a minimal fault list written as a scenario file.
struct SimSwarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm",
        abstract: "Run many seeds with randomized fault schedules; shrink and save every failure."
    )

    @Option(help: "Number of seeds.") var seeds: UInt64 = 100
    @Option(help: "First seed.") var from: UInt64 = 1
    @Option(help: "Base scenario (its faults and assertions are replaced by the random schedule).") var scenario: String = "scenarios/happy-path.yaml"
    @Option(help: "Comma-separated fault kinds to draw from (default: every survivable kind).") var faults: String?
    @Option(help: "Most faults per schedule.") var maxFaults: Int = 4
    @Option(help: "Directory for failing schedules (full and shrunk) as scenario files.") var out: String = "swarm-failures"
    @Option(help: "Run a deliberately broken runtime variant (\(PlantedBug.allCases.map(\.rawValue).joined(separator: ", "))).") var plantBug: String?
    @Flag(help: "Do not shrink failing schedules.") var noShrink = false
    @Flag(help: "Stop at the first failing seed.") var failFast = false
    @Flag(help: "Print each seed's generated scenario instead of running it.") var printSchedules = false

    func run() async throws {
        let base = try ScenarioFiles.load(scenario)
        var kinds = SwarmSchedule.defaultKinds
        if let faults {
            kinds = try faults.split(separator: ",").map { name in
                guard let k = FaultKind(rawValue: String(name)) else {
                    throw ValidationError("unknown fault kind '\(name)'; known: \(FaultKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return k
            }
        }
        var options = SimWorld.Options()
        if let plantBug {
            guard let bug = PlantedBug(rawValue: plantBug) else {
                throw ValidationError("unknown planted bug '\(plantBug)'; known: \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            options.plantedBug = bug
        }
        let swarm = Swarm(base: base, schedule: SwarmSchedule(kinds: kinds, maxFaults: max(1, maxFaults)), options: options)
        if printSchedules {
            for seed in from..<(from + seeds) { print(ScenarioWriter.yaml(swarm.scenario(seed: seed), comment: "swarm seed \(seed)")) }
            return
        }
        let progress = ProgressBar(total: Int(seeds))
        var failures: [Swarm.Failure] = []
        let started = Date()
        for seed in from..<(from + seeds) {
            let spec = swarm.scenario(seed: seed)
            let report = await onThread { swarm.run(spec, seed: seed) }
            if !report.passed {
                failures.append(Swarm.Failure(seed: seed, scenario: spec, report: report))
                progress.note("seed \(seed) FAILED: \(Self.reason(report))")
            }
            progress.advance(failed: failures.count)
            if failFast, !failures.isEmpty { break }
        }
        progress.finish()
        let elapsed = Date().timeIntervalSince(started)
        let ran = failFast && !failures.isEmpty ? Int(failures.last!.seed - from + 1) : Int(seeds)
        print("\(ran - failures.count) passed, \(failures.count) failed (\(ran) seeds in \(String(format: "%.1f", elapsed)) s, \(String(format: "%.0f", Double(ran) / elapsed * 60)) seeds/min)")
        guard !failures.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for failure in failures {
            var f = failure
            let fullPath = (out as NSString).appendingPathComponent("swarm-\(f.seed).yaml")
            try ScenarioWriter.yaml(f.scenario, comment: "swarm seed \(f.seed), full schedule: \(Self.reason(f.report))").write(toFile: fullPath, atomically: true, encoding: .utf8)
            print("")
            print("seed \(f.seed): \(Self.reason(f.report))")
            let bugFlag = plantBug.map { " --plant-bug \($0)" } ?? ""
            print("  replay:  pocket-relay-miner sim swarm --scenario \(scenario) --from \(f.seed) --seeds 1 --max-faults \(maxFaults)\(faults.map { " --faults \($0)" } ?? "")\(bugFlag)")
            print("           pocket-relay-miner sim run \(fullPath) --seed \(f.seed)\(bugFlag)   (trace \(f.report.traceHash.prefix(16)))")
            guard !noShrink else { continue }
            let unshrunk = f
            f = await onThread { swarm.shrink(unshrunk) }
            guard let shrunk = f.shrunk else { continue }
            let shrunkPath = (out as NSString).appendingPathComponent("swarm-\(f.seed)-shrunk.yaml")
            try ScenarioWriter.yaml(shrunk, comment: "swarm seed \(f.seed), shrunk to \(shrunk.faults.count) of \(f.scenario.faults.count) faults: \(Self.reason(f.shrunkReport ?? f.report))")
                .write(toFile: shrunkPath, atomically: true, encoding: .utf8)
            print("  shrunk:  \(f.scenario.faults.count) → \(shrunk.faults.count) faults, written to \(shrunkPath)")
            print("           pocket-relay-miner sim run \(shrunkPath) --seed \(f.seed)\(bugFlag)")
            for fault in shrunk.faults { print("           - \(ScenarioWriter.describe(fault))") }
        }
        throw ExitCode(1)
    }

    static func reason(_ r: RunReport) -> String {
        if let f = r.failure { return f }
        let broken = r.invariants.filter { !$0.passed }.map { "\($0.name): \($0.detail)" }
        return broken.isEmpty ? "assertions failed" : broken.joined(separator: "; ")
    }

    /// Runs a blocking simulation on its own thread.
    private func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            let t = Thread { c.resume(returning: body()) }
            t.stackSize = 16 << 20
            t.start()
        }
    }
}

/// A one-line progress bar with ETA on stderr (plain lines when stderr is not a terminal).
final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private var done = 0
    private let started = Date()
    private let interactive = isatty(STDERR_FILENO) != 0
    private var lastPrinted = Date.distantPast

    init(total: Int) { self.total = max(total, 1) }

    func advance(failed: Int) {
        done += 1
        let now = Date()
        guard interactive || now.timeIntervalSince(lastPrinted) > 5 || done == total else { return }
        lastPrinted = now
        let elapsed = now.timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = "[\(bar)] \(done)/\(total) seeds, \(failed) failed, ETA \(Self.time(eta))"
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + line + (interactive ? "" : "\n")).utf8))
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[K" : "") + text + "\n").utf8))
    }

    func finish() { if interactive { FileHandle.standardError.write(Data("\n".utf8)) } }

    static func time(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
    }
}
