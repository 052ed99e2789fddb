import Foundation
import OperatorConfig
import PocketProtocol
import Testing

/// A directory under the system temp dir, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("operator-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` inside the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(name))
    }
}

/// The smallest file that loads: every other key takes its default.
let minimalRelayerYAML = """
pocket_node:
  query_node_rpc_url: "http://node:26657"
  query_node_grpc_url: "node:9090"
keys:
  keys_file: "/keys/supplier-keys.yaml"
services:
  eth:
    backends:
      jsonrpc:
        url: "http://geth:8545"
"""

/// `minimalRelayerYAML` with `services:` replaced by `services` (indented YAML below `services:`).
func relayerYAML(services: String, extra: String = "") -> String {
    """
    pocket_node:
      query_node_rpc_url: "http://node:26657"
      query_node_grpc_url: "node:9090"
    keys:
      keys_file: "/keys/supplier-keys.yaml"
    services:
    \(services)
    \(extra)
    """
}

/// Parses text that must be refused and returns its problems.
func problems(_ yaml: String, redisURLOverride: String? = nil) -> [ConfigProblem] {
    do {
        _ = try RelayerConfigFile.parse(yaml: yaml, redisURLOverride: redisURLOverride)
        Issue.record("expected the configuration to be refused")
        return []
    } catch {
        return error.problems
    }
}

/// The problem at `path`, if exactly one was reported there.
func problem(at path: String, in problems: [ConfigProblem]) -> ConfigProblem? {
    let found = problems.filter { $0.keyPath == path }
    return found.count == 1 ? found[0] : nil
}

/// A fresh random supplier key and its derived address.
func randomKey() -> PrivateKey {
    var generator = SystemRandomNumberGenerator()
    while true {
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if let key = try? PrivateKey(bytes: bytes) { return key }
    }
}

func keysFileYAML(_ keys: [PrivateKey], prefix: String = "") -> String {
    "keys:\n" + keys.map { "  - \"\(prefix)\(Hex.encode($0.bytes))\"" }.joined(separator: "\n") + "\n"
}
