import ArgumentParser

struct PocketRelayMiner: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pocket-relay-miner",
        abstract: "High-availability relay miner for Pocket Network (Shannon), built simulation-first.",
        subcommands: [SimCommand.self, ChainCommand.self, RelayerCommand.self, BackendCommand.self, RelayCommand.self, VectorsCommand.self, BenchCommand.self, VersionCommand.self]
    )
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")
    func run() {
        print("pocket-relay-miner \(BuildInfo.version)")
    }
}

enum BuildInfo {
    static let version = "0.1.0"
}
