import ArgumentParser
import NIOCore
import NIOPosix

/// Commands whose work is network I/O (servers, load clients) run Swift
/// concurrency jobs on NIO's event loops. Without this every relay hops
/// between NIO's threads and the default pool several times, and on a 2-core
/// machine those thread switches cost more than the relay's cryptography.
/// The simulator and the offline tools keep the default executor, so nothing
/// changes where determinism matters.
private let commandsOnEventLoops: Set<String> = ["relayer", "backend", "chain", "relay", "bench"]

if let command = CommandLine.arguments.dropFirst().first, commandsOnEventLoops.contains(command) {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
await runAsyncCommand(PocketRelayMiner.self)

/// Calls the async entry point explicitly: from top-level code the concrete
/// type's name would resolve to `ParsableCommand`'s synchronous `main`, which
/// cannot run async subcommands.
private func runAsyncCommand<Command: AsyncParsableCommand>(_: Command.Type) async {
    await Command.main()
}
