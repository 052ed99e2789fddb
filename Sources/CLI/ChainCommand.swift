import Foundation
import ArgumentParser

/// `pocket-relay-miner chain`: the chain stand-in for localnet.
struct ChainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Run a chain stand-in that serves the real chain APIs from the fake-chain model.",
        subcommands: [ChainServeCommand.self]
    )
}

/// `host:port` of a listener.
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible {
    let host: String
    let port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":") else { return nil }
        let host = String(argument[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty, let port = Int(argument[argument.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        self.init(host: host, port: port)
    }

    var description: String { "\(host):\(port)" }
}

/// A duration written as `200ms`, `1s`, `1.5s`, `2m` (a bare number is seconds).
struct DurationArgument: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        let units: [(suffix: String, nanoseconds: Double)] = [("ms", 1e6), ("us", 1e3), ("ns", 1), ("s", 1e9), ("m", 60e9)]
        var number = argument
        var scale = 1e9
        for unit in units where argument.hasSuffix(unit.suffix) {
            number = String(argument.dropLast(unit.suffix.count))
            scale = unit.nanoseconds
            break
        }
        guard let value = Double(number), value > 0, value.isFinite else { return nil }
        duration = .nanoseconds(Int64(value * scale))
    }
}
