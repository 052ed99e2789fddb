import Foundation
import PocketSim
import Testing

/// `pocket-relay-miner chain serve` as a real child process: it serves the
/// happy-path world on free ports, produces blocks at --block-time, writes
/// keys.json, and exits 0 on SIGTERM.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ChainServeCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary `swift build` put next to the test bundle, nil if there is none.
    static let binary: String? = {
        let candidates = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/pocket-relay-miner").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: binary != nil, "pocket-relay-miner is not built in .build/debug or .build/release: run `swift build` first"))
    func chainServeRunsTheHappyPathWorldAndStopsCleanlyOnSIGTERM() async throws {
        let binary = try #require(Self.binary)
        let world = Self.root.appendingPathComponent("scenarios/happy-path.yaml").path
        let stateDir = NSTemporaryDirectory() + "chain-serve-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        let grpcPort = try CometStandIn.freePort()
        let rpcPort = try CometStandIn.freePort()
        let log = stateDir + ".log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "chain", "serve", "--world", world, "--block-time", "200ms",
            "--grpc", "127.0.0.1:\(grpcPort)", "--rpc", "127.0.0.1:\(rpcPort)", "--state-dir", stateDir,
        ]
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) } }
        func printed() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        var height: Int64 = 0
        do {
            try await eventually("/status reporting height 3", seconds: 60) {
                guard process.isRunning else { throw TestFailure("chain serve exited early: \(printed())") }
                guard let status = try? await RawHTTP.get(rpcPort, "/status"),
                      let sync = (status.json["result"] as? [String: Any])?["sync_info"] as? [String: Any],
                      let text = sync["latest_block_height"] as? String, let value = Int64(text) else { return false }
                height = value
                return value >= 3
            }
        } catch {
            Issue.record("\(error); output: \(printed())")
            throw error
        }
        #expect(height >= 3)

        let keysData = try Data(contentsOf: URL(fileURLWithPath: stateDir + "/keys.json"))
        let keys = try #require(try JSONSerialization.jsonObject(with: keysData) as? [String: [String: [String: String]]])
        let identities = WorldIdentities(try ScenarioFiles.load(world))
        for (name, key) in identities.suppliers {
            #expect(keys["suppliers"]?[name]?["address"] == key.publicKey.address())
            #expect(keys["suppliers"]?[name]?["private_key_hex"]?.count == 64)
        }
        #expect(Set(keys["applications"]?.keys.map { $0 } ?? []) == Set(identities.applications.keys))

        process.terminate()  // SIGTERM
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "still running 20 s after SIGTERM")
        #expect(process.terminationReason == .exit, "output: \(printed())")
        #expect(process.terminationStatus == 0, "output: \(printed())")
        #expect(printed().contains("chain id pocket-sim"))
    }
}
