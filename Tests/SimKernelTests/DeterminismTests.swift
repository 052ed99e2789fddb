import Foundation
import RelayRuntime
import RelayRuntimeLive
import SimKernel
import Testing

@Suite struct DeterminismTests {
    @Test func sameSeedGivesTheSameTraceHashInProcess() throws {
        let first = try KernelSelfCheck.run(seed: 42)
        let second = try KernelSelfCheck.run(seed: 42)
        #expect(first == second)
        // 24 workers × 40 steps × (ledger append + step) plus consumer events.
        #expect(first.events > 24 * 40 * 2)
    }

    @Test func differentSeedGivesADifferentTraceHash() throws {
        let a = try KernelSelfCheck.run(seed: 42)
        let b = try KernelSelfCheck.run(seed: 43)
        #expect(a.traceHash != b.traceHash)
        #expect(a.events != b.events || a.virtualNanoseconds != b.virtualNanoseconds || a.traceHash != b.traceHash)
    }

    @Test func sameSeedGivesTheSameTraceHashAcrossProcesses() throws {
        let binary = try CLIBinary.path()
        let inProcess = try KernelSelfCheck.run(seed: 7)
        // Two fresh processes, each with its own (random) Swift hashing seed.
        for _ in 0..<2 {
            let output = try CLIBinary.run(binary, ["sim", "selfcheck", "--seed", "7"])
            #expect(output.contains("trace_hash \(inProcess.traceHash)"), "process printed: \(output)")
        }
    }

    @Test func runsOnADedicatedThreadFromAsyncCode() async throws {
        let kernel = SimKernel(seed: 1)
        let elapsed = try await kernel.runDetached {
            let start = kernel.clock.now
            try await kernel.clock.sleep(for: .seconds(3600))
            return start.duration(to: kernel.clock.now)
        }
        #expect(elapsed == .seconds(3600))
    }
}

/// Finds and runs the package's CLI binary (built by `swift build --build-tests`).
enum CLIBinary {
    struct NotBuilt: Error, CustomStringConvertible {
        let looked: [String]
        var description: String { "pocket-relay-miner binary not found (build it first); looked in \(looked)" }
    }

    static func path() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/pocket-relay-miner").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotBuilt(looked: candidates)
        }
        return found
    }

    static func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SWIFT_DETERMINISTIC_HASHING")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
