import ArgumentParser
import SimKernel

/// `pocket-relay-miner sim`: the deterministic simulator.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the deterministic simulator.",
        subcommands: [SimRunCommand.self, SimSwarmCommand.self, SimSelfCheckCommand.self]
    )
}

/// Runs the kernel's self-check workload and prints its trace hash, so two
/// processes (each with its own hashing seed) can be compared.
struct SimSelfCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selfcheck",
        abstract: "Run the kernel determinism workload and print its trace hash."
    )

    @Option(help: "Seed of the run.") var seed: UInt64 = 1

    func run() throws {
        let outcome = try KernelSelfCheck.run(seed: seed)
        print("seed \(seed)")
        print("events \(outcome.events)")
        print("virtual_ns \(outcome.virtualNanoseconds)")
        print("trace_hash \(outcome.traceHash)")
    }
}
