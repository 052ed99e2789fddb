import Foundation
import PocketProtocol
import RelayClient
import StandInServer
import Testing

/// `pocket-relay-miner relay …` as a real child process, against the chain
/// stand-in and the test relayer served by this process.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayClientCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary `swift build` put in .build, nil if there is none.
    static let binary: String? = {
        let candidates = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/pocket-relay-miner").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String

        /// stdout as the one JSON object --output-json prints.
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "stdout: \(stdout)")
        }
    }

    /// Runs the binary with `arguments` and waits for it (up to 90 s).
    static func run(_ arguments: [String]) async throws -> Run {
        let binary = try #require(Self.binary)
        let base = NSTemporaryDirectory() + "relay-cli-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        if process.isRunning { throw RelayClientTestFailure("relay did not finish in 90 s; stdout: \(out) stderr: \(err)") }
        return Run(status: process.terminationStatus, stdout: out, stderr: err)
    }

    /// The chain and the test relayer, and the flags that point the CLI at them.
    static func withWorld(_ mode: FakeRelayerMode, _ body: (FakeRelayer, [String]) async throws -> Void) async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain, mode: mode)
            try await relayer.withHTTPServer { port in
                try await body(relayer, [
                    "--relayer-url", "http://127.0.0.1:\(port)/", "--node", "127.0.0.1:\(world.grpcPort)",
                    "--node-rpc", "http://127.0.0.1:\(world.rpcPort)", "--chain-id", RelayClientChain.chainID,
                    "--service", RelayClientChain.service,
                ])
            }
        }
    }

    static let appKey = ["--app-key", RelayClientKeys.app.bytes.hex]

    @Test(.enabled(if: binary != nil, "pocket-relay-miner is not built: run `swift build` first"))
    func aGoodRelayExitsZeroAndPrintsItsJSONReport() async throws {
        try await Self.withWorld(.good) { relayer, flags in
            let run = try await Self.run(["relay", "jsonrpc"] + flags + Self.appKey + ["--request-receipt", "--output-json"])
            #expect(run.status == 0, "stderr: \(run.stderr) stdout: \(run.stdout)")
            let json = try run.json()
            #expect(json["success"] as? Bool == true)
            #expect(json["receipt_verified"] as? Bool == true)
            #expect(json["backend_status"] as? Int == 200)
            #expect(json["application"] as? String == RelayClientKeys.app.publicKey.address())
            #expect(json["session_start_height"] as? Int == 1)
            #expect(json["body"] as? String == #"{"jsonrpc":"2.0","id":1,"result":"POST /"}"#)
            #expect(relayer.seen.count == 1)
            #expect(relayer.seen.receiptRequested == [true])
        }
    }

    @Test(.enabled(if: binary != nil, "pocket-relay-miner is not built: run `swift build` first"))
    func aFailedRelayExitsNonZeroWithItsReason() async throws {
        try await Self.withWorld(.tamperSignature) { _, flags in
            let json = try await Self.run(["relay", "jsonrpc"] + flags + Self.appKey + ["--output-json"])
            #expect(json.status == 1, "stderr: \(json.stderr)")
            let error = try #require(try json.json()["error"] as? [String: Any])
            #expect(error["reason"] as? String == "bad_supplier_signature")

            let text = try await Self.run(["relay", "jsonrpc"] + flags + Self.appKey)
            #expect(text.status == 1)
            #expect(text.stdout.contains("FAILED"))
            #expect(text.stdout.contains("bad_supplier_signature"))
        }
    }

    @Test(.enabled(if: binary != nil, "pocket-relay-miner is not built: run `swift build` first"))
    func aLoadTestWithTheKeysFileReportsItsCountsAndFailsBelowFullSuccess() async throws {
        let directory = NSTemporaryDirectory() + "relay-cli-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keysFile = try StandInKeysFile.write(directory: directory, applications: ["app-1": RelayClientKeys.app, "app-2": RelayClientKeys.soloApp],
                                                 gateways: ["gw": RelayClientKeys.gateway], suppliers: [:])
        try await Self.withWorld(.refuseEvery(4, status: 429, reason: "relay_limit_reached")) { relayer, flags in
            let load = ["--keys-file", keysFile, "--app", "app-1", "--gateway", "gw", "--load-test", "-n", "12", "--concurrency", "3",
                        "--all-suppliers", "--output-json"]
            let failing = try await Self.run(["relay", "jsonrpc"] + flags + load)
            #expect(failing.status == 1, "stderr: \(failing.stderr)")
            let report = try failing.json()
            #expect(report["total"] as? Int == 12)
            #expect(report["succeeded"] as? Int == 9)
            #expect(report["failed"] as? Int == 3)
            #expect(report["errors"] as? [String: Int] == ["http_429:relay_limit_reached": 3])
            #expect(failing.stderr.contains("signing 12 requests ahead of the timed part"))

            let allowed = try await Self.run(["relay", "jsonrpc"] + flags + load + ["--allow-failures"])
            #expect(allowed.status == 0, "stderr: \(allowed.stderr)")
            #expect(try allowed.json()["failed"] as? Int == 3)
            #expect(relayer.seen.count == 24)
        }
    }

    @Test(.enabled(if: binary != nil, "pocket-relay-miner is not built: run `swift build` first"))
    func conflictingKeySourcesAreRefusedBeforeAnythingIsSent() async throws {
        let run = try await Self.run(["relay", "jsonrpc", "--service", "anvil", "--app-key", RelayClientKeys.app.bytes.hex,
                                      "--keys-file", "/tmp/keys.json"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("choose one key source"))
        let stream = try await Self.run(["relay", "stream", "--service", "anvil", "--app-key", RelayClientKeys.app.bytes.hex, "--load-test"])
        #expect(stream.status != 0)
        #expect(stream.stderr.contains("--load-test is not supported for stream"))
    }
}
