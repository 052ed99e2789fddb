import Foundation
import OperatorConfig
import RelayRuntimeLive
import Testing

/// The example files in localnet/ stay loadable as the format evolves.
@Suite struct LocalnetExampleTests {
    static let localnet: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("localnet").path
    }()

    @Test func relayerConfigLoadsWithoutProblems() throws {
        let settings = try RelayerConfigFile.load(path: Self.localnet + "/relayer.yaml")
        #expect(settings.warnings == [])
        #expect(!settings.relayer.services.isEmpty)
    }

    @Test func itsKeysLoad() throws {
        let settings = try RelayerConfigFile.load(path: Self.localnet + "/relayer.yaml")
        let keysFile = try #require(settings.keys.keysFile)
        #expect(keysFile.hasPrefix(Self.localnet))
        let keys = try SupplierKeyFiles.load(settings.keys)
        #expect(!keys.isEmpty)
        #expect(keys.allSatisfy { $0.operatorAddress.hasPrefix("pokt1") })
    }

    @Test func isSelfConsistent() throws {
        let settings = try RelayerConfigFile.load(path: Self.localnet + "/relayer.yaml")
        for (id, service) in settings.relayer.services {
            let pools = try #require(settings.backends.services[id]?.pools)
            #expect(Set(pools.keys) == service.transports)
            if let transport = settings.defaultBackends[id] { #expect(pools[transport] != nil) }
        }
        // Everything runs on one machine: no listener of ours may take the node's ports.
        let nodePorts = [settings.chain.grpcEndpoint.port, URLComponents(string: settings.chain.rpcURL)?.port ?? 0]
        var ours = [settings.server.listenAddress, settings.metrics.address, settings.health.address]
        if let grpc = settings.server.grpcListenAddress { ours.append(grpc) }
        for address in ours { #expect(!nodePorts.contains(address.port), "\(address) takes a port of the local chain node") }
    }
}

/// `relayer validate` checks the file and then the keys it points at.
@Suite struct ValidateTests {
    @Test func localnetValidates() {
        let report = RelayerConfigFile.validate(path: LocalnetExampleTests.localnet + "/relayer.yaml")
        #expect(report.isValid)
        #expect(report.problems == [])
        #expect(report.operatorAddresses.count == 3)
    }

    @Test func keyProblemsAreReportedUnderTheKeysSection() throws {
        let dir = try TemporaryDirectory()
        try dir.write("supplier-keys.yaml", "keys:\n  - \"0x1234\"\n")
        let config = try dir.write("relayer.yaml", minimalRelayerYAML.replacingOccurrences(of: "/keys/supplier-keys.yaml", with: "supplier-keys.yaml"))
        let report = RelayerConfigFile.validate(path: config)
        #expect(!report.isValid)
        #expect(report.problems == [ConfigProblem(
            keyPath: "keys.keys_file",
            message: "\(dir.path)/supplier-keys.yaml: keys[0]: expected 64 hex digits (a 32-byte secp256k1 private key), found 4"
        )])
    }

    @Test func fileProblemsComeFirst() throws {
        let dir = try TemporaryDirectory()
        let config = try dir.write("relayer.yaml", minimalRelayerYAML + "\nbogus: 1\n")
        let report = RelayerConfigFile.validate(path: config)
        #expect(report.problems.map(\.keyPath) == ["bogus"])
        #expect(report.operatorAddresses == [])
    }
}

@Suite struct LoadFileTests {
    @Test func missingFileIsAConfigError() {
        #expect(throws: ConfigError.self) { try RelayerConfigFile.load(path: "/nonexistent/relayer.yaml") }
        do {
            _ = try RelayerConfigFile.load(path: "/nonexistent/relayer.yaml")
        } catch {
            #expect(error.file == "/nonexistent/relayer.yaml")
            #expect(error.problems == [ConfigProblem(keyPath: "", message: "file not found; pass the path of your relayer.yaml")])
            #expect(error.description == "/nonexistent/relayer.yaml: 1 configuration problem:\nfile not found; pass the path of your relayer.yaml")
        }
    }
}
