import ArgumentParser

/// `pocket-relay-miner bench`: throughput and latency measurements, meant
/// for release builds (`swift build -c release`). Benchmarks live here, not
/// in tests: speed is reported, never asserted.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmarks (use a release build).",
        subcommands: [ProtocolBench.self, RedisBench.self, RelayerBench.self, MinerRebuildBench.self, RedisModelBench.self, SimBench.self],
        defaultSubcommand: nil
    )
}
