import ArgumentParser
import Foundation
import Logging
import OperatorConfig
import RelayerServer
import RelayRuntimeLive
import ServiceLifecycle

/// `relayer`: the production relayer, and `relayer validate`.
struct RelayerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relayer",
        abstract: "Run the relayer: validate ring-signed relays, forward them to the backends, sign the answers, publish minable relays to Redis.",
        subcommands: [RelayerRunCommand.self, RelayerValidateCommand.self],
        defaultSubcommand: RelayerRunCommand.self
    )
}

struct RelayerRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start the relayer (the default subcommand).",
        discussion: """
        Listens on listen_addr (HTTP/1.1: JSON-RPC, REST, CometBFT, SSE/NDJSON streams, WebSocket upgrades, /health, /ready),
        grpc_listen_addr (gRPC relay service over h2c), h2c_listen_addr (HTTP/2 prior knowledge, optional),
        metrics.addr (/metrics) and health_check.addr (/health, /ready).
        Supplier keys are re-read every keys.reload_interval_seconds and on SIGHUP.
        SIGTERM / SIGINT: new relays get 503 shutting_down, relays in flight finish and are published, then the process exits 0.
        """
    )

    @Option(help: ArgumentHelp("The relayer's YAML configuration.", valueName: "file")) var config: String
    @Option(help: ArgumentHelp("Overrides redis.url from the file.", valueName: "url")) var redisURL: String?

    func run() async throws {
        let settings: RelayerSettings
        do {
            settings = try RelayerConfigFile.load(path: config, redisURLOverride: redisURL)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let logger = OperatorLogging.bootstrap(label: "pocket.relayer", settings: settings.logging)
        for warning in settings.warnings { logger.warning("config: \(warning)") }
        let assembly: RelayerAssembly
        do {
            assembly = try RelayerAssembly(settings: settings, logger: logger)
            try await assembly.verifyChain()
        } catch {
            printError("relayer: \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: assembly.services().map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        ))
        let server = assembly.server
        let keyCount = assembly.keys.keys.operatorAddresses.count
        let announce = Task {
            await server.waitUntilListening()
            let ports = ["http", "h2c", "grpc", "metrics", "health"].compactMap { name in server.port(of: name).map { "\(name)=\($0)" } }
            sayLine("relayer ready \(ports.joined(separator: " ")) services=\(settings.relayer.services.count) keys=\(keyCount)")
        }
        do {
            try await group.run()
        } catch {
            announce.cancel()
            await assembly.shutdown()
            printError("relayer stopped with an error: \(error)")
            throw ExitCode(1)
        }
        announce.cancel()
        await assembly.shutdown()
        sayLine("relayer stopped: in-flight relays finished")
    }
}

struct RelayerValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a relayer configuration and its keys; print every problem with its key path, exit non-zero if any."
    )

    @Option(help: ArgumentHelp("The relayer's YAML configuration.", valueName: "file")) var config: String
    @Option(help: ArgumentHelp("Overrides redis.url from the file.", valueName: "url")) var redisURL: String?

    func run() async throws {
        let result = RelayerConfigFile.validate(path: config, redisURLOverride: redisURL)
        for warning in result.warnings { sayLine("warning: \(warning)") }
        guard result.isValid else {
            printError("\(config): \(result.problems.count) problem(s):")
            for problem in result.problems { printError("  \(problem)") }
            throw ExitCode(2)
        }
        sayLine("\(config): OK, \(result.operatorAddresses.count) supplier key(s): \(result.operatorAddresses.joined(separator: ", "))")
    }
}

/// swift-log set up from the `logging` section: JSON lines or text on stderr, at the configured level.
enum OperatorLogging {
    static func bootstrap(label: String, settings: LoggingSettings) -> Logger {
        let level = settings.level.eventLevel.logLevel
        switch settings.format {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
