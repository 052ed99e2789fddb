import DemoBackend
import Foundation
import Testing

/// `pocket-relay-miner backend serve` as a real child process: it prints the
/// ready line with the ports it bound, serves on them, and exits 0 on SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DemoBackendCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary `swift build --build-tests` put in .build, nil if there is none.
    static let binary: String? = {
        let candidates = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/pocket-relay-miner").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: binary != nil, "pocket-relay-miner is not built in .build/debug or .build/release: run `swift build --build-tests` first"))
    func backendServePrintsTheReadyLineServesAndExitsZeroOnSIGTERM() async throws {
        let binary = try #require(Self.binary)
        let log = NSTemporaryDirectory() + "backend-serve-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["backend", "serve", "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--id", "cli-backend"]
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func printed() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        let pattern = #/backend ready http=127\.0\.0\.1:(\d+) grpc=127\.0\.0\.1:(\d+) id=cli-backend/#
        var ports: (http: Int, grpc: Int)?
        for _ in 0..<1200 where ports == nil {
            guard process.isRunning else { break }
            if let match = printed().firstMatch(of: pattern), let http = Int(match.1), let grpc = Int(match.2) {
                ports = (http, grpc)
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let bound = try #require(ports, "no ready line; output: \(printed())")
        #expect(bound.http > 0)
        #expect(bound.grpc > 0)
        #expect(bound.http != bound.grpc)

        // The printed port is the one serving.
        let answer = try await DemoHTTP.post("http://127.0.0.1:\(bound.http)", #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)
        #expect(answer.header("X-Backend-Id") == "cli-backend")
        #expect(try demoHexQuantity(try answer.object()["result"]) == 1)

        // A stream that would last 1000 s is open when SIGTERM comes: it ends early, cleanly.
        let base = "http://127.0.0.1:\(bound.http)"
        async let stream = DemoHTTP.get(base + "/stream/ndjson?batches=1000&delay_ms=1000")
        var opened = false
        for _ in 0..<600 where !opened {
            opened = try await DemoHTTP.stats(httpURL: base).count(route: "ndjson") == 1
            if !opened { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(opened)

        process.terminate()  // SIGTERM
        let streamed = try await stream
        let lines = streamed.text.split(separator: "\n")
        #expect(streamed.status == 200)
        #expect(!lines.isEmpty && lines.count < 1000, "\(lines.count) lines")
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "still running 20 s after SIGTERM")
        #expect(process.terminationReason == .exit, "output: \(printed())")
        #expect(process.terminationStatus == 0, "output: \(printed())")
        #expect(printed().contains("backend stopped after 2 requests"), "output: \(printed())")
    }

    @Test(.enabled(if: binary != nil, "pocket-relay-miner is not built"))
    func backendServeFailsWithAClearMessageWhenThePortIsTaken() async throws {
        let binary = try #require(Self.binary)
        try await DemoBackendHarness.run { _, endpoints in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["backend", "serve", "--http", "127.0.0.1:\(endpoints.httpPort)", "--no-grpc"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus != 0)
            #expect(text.contains("HTTP listener on 127.0.0.1:\(endpoints.httpPort) failed"), "\(text)")
            #expect(!text.contains("backend ready"))
        }
    }
}
