import Foundation
import RedisTooling

/// A `pocket-relay-miner` subcommand run as a real child process, its
/// stdout+stderr in a log file the test can read and print on failure.
final class ChildProcess: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary `swift build` put in .build, nil if there is none.
    static let binary: String? = {
        let candidates = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/pocket-relay-miner").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let name: String
    let process = Process()
    let logPath: String

    init(name: String, arguments: [String], directory: String) throws {
        self.name = name
        logPath = (directory as NSString).appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let binary = Self.binary else { throw TestFailure("pocket-relay-miner is not built: run `swift build` first") }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    /// Waits for a line starting with `prefix` and returns it.
    func waitForLine(startingWith prefix: String, seconds: Int = 60) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            guard process.isRunning else { throw TestFailure("\(name) exited (status \(process.terminationStatus)) before printing \"\(prefix)\": \(output)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(name) did not print \"\(prefix)\" within \(seconds) s: \(output)")
    }

    /// Sends `signal` and waits for the exit; returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, seconds: Int = 30) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// A port nobody listens on right now.
    static func freePort() throws -> Int { try LocalRedisServer.freePort() }
}

/// A test failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Retries `condition` until it holds.
func eventually(_ what: String, seconds: Int = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("timed out after \(seconds) s waiting for \(what)")
}

/// `key=value` fields of a ready line (`relayer ready http=1234 grpc=5678`).
func readyFields(_ line: String) -> [String: String] {
    var fields: [String: String] = [:]
    for part in line.split(separator: " ") {
        let kv = part.split(separator: "=", maxSplits: 1)
        if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
    }
    return fields
}
