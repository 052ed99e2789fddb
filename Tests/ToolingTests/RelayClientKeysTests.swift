import Foundation
import PocketProtocol
import RelayClient
import StandInServer
import Testing

/// Key sources: the chain stand-in's keys.json (written by the stand-in's own
/// writer) and hex keys from the command line.
@Suite struct RelayClientKeysTests {
    static func writeStandInKeys(applications: [String: PrivateKey]) throws -> (path: String, directory: String) {
        let directory = NSTemporaryDirectory() + "relay-client-keys-\(UUID().uuidString)"
        let path = try StandInKeysFile.write(
            directory: directory, applications: applications, gateways: ["gateway-1": RelayClientKeys.gateway],
            suppliers: ["supplier-1": RelayClientKeys.supplier]
        )
        return (path, directory)
    }

    @Test func theStandInsKeysFileGivesTheApplicationOrItsGatewayByNameOrAddress() throws {
        let (path, directory) = try Self.writeStandInKeys(applications: ["app-1": RelayClientKeys.app, "app-2": RelayClientKeys.soloApp])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try RelayKeysFile.load(path: path)
        #expect(file.applications.count == 2 && file.gateways.count == 1 && file.suppliers.count == 1)
        #expect(file.suppliers["supplier-1"]?.address == RelayClientKeys.supplier.publicKey.address())

        let byName = try file.signingKeys(application: "app-1", gateway: nil)
        #expect(byName == RelaySigningKeys(application: RelayClientKeys.app))
        let byAddress = try file.signingKeys(application: RelayClientKeys.soloApp.publicKey.address(), gateway: nil)
        #expect(byAddress.signer == RelayClientKeys.soloApp && byAddress.role == .application)

        let viaGateway = try file.signingKeys(application: "app-1", gateway: "gateway-1")
        #expect(viaGateway.role == .gateway)
        #expect(viaGateway.signer == RelayClientKeys.gateway)
        #expect(viaGateway.applicationAddress == RelayClientKeys.app.publicKey.address())
        #expect(try file.signingKeys(application: "app-1", gateway: RelayClientKeys.gateway.publicKey.address()) == viaGateway)
    }

    @Test func ambiguousOrUnknownSelectionsAreClearErrors() throws {
        let (path, directory) = try Self.writeStandInKeys(applications: ["app-1": RelayClientKeys.app, "app-2": RelayClientKeys.soloApp])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try RelayKeysFile.load(path: path)
        let ambiguous = #expect(throws: RelayClientError.self) { try file.signingKeys(application: nil, gateway: nil) }
        #expect(ambiguous?.description == "the keys file has 2 applications (app-1, app-2): choose one with --app <name or address>")
        let unknown = #expect(throws: RelayClientError.self) { try file.signingKeys(application: "app-9", gateway: nil) }
        #expect(unknown?.description == "no application \"app-9\" in the keys file (by name or address); it has: app-1, app-2")
        let noGateway = #expect(throws: RelayClientError.self) { try file.signingKeys(application: "app-1", gateway: "gw-9") }
        #expect(noGateway?.description.hasPrefix("no gateway \"gw-9\"") == true)

        // One application: no selector needed.
        let (single, singleDirectory) = try Self.writeStandInKeys(applications: ["only": RelayClientKeys.app])
        defer { try? FileManager.default.removeItem(atPath: singleDirectory) }
        #expect(try RelayKeysFile.load(path: single).signingKeys(application: nil, gateway: nil).signer == RelayClientKeys.app)
    }

    @Test func aBrokenFileIsRefusedWithWhatIsWrong() throws {
        let missing = #expect(throws: RelayClientError.self) { try RelayKeysFile.load(path: "/nonexistent/keys.json") }
        #expect(missing?.description.hasPrefix("cannot read keys file /nonexistent/keys.json") == true)
        let notJSON = #expect(throws: RelayClientError.self) { try RelayKeysFile(data: Data("applications: []".utf8), path: "k.yaml") }
        #expect(notJSON?.description.hasPrefix("keys file k.yaml is not a stand-in keys.json") == true)
        let noApps = #expect(throws: RelayClientError.self) { try RelayKeysFile(data: Data(#"{"gateways":{}}"#.utf8), path: "k.json") }
        #expect(noApps?.description == "keys file k.json has no applications: the relays need an application to sign for")
        let mismatched = try RelayKeysFile(data: Data("""
            {"applications":{"a":{"address":"\(RelayClientKeys.soloApp.publicKey.address())","private_key_hex":"\(RelayClientKeys.app.bytes.hex)"}}}
            """.utf8), path: "k.json")
        let error = #expect(throws: RelayClientError.self) { try mismatched.signingKeys(application: "a", gateway: nil) }
        #expect(error?.description.contains("private_key_hex belongs to \(RelayClientKeys.app.publicKey.address())") == true)
    }

    @Test func hexKeysFromTheCommandLine() throws {
        let app = try RelaySigningKeys.fromHex(appKey: "0x" + RelayClientKeys.app.bytes.hex.uppercased(), gatewayKey: nil, appAddress: nil)
        #expect(app == RelaySigningKeys(application: RelayClientKeys.app))
        let gateway = try RelaySigningKeys.fromHex(appKey: nil, gatewayKey: RelayClientKeys.gateway.bytes.hex,
                                                   appAddress: RelayClientKeys.app.publicKey.address())
        #expect(gateway == RelaySigningKeys(gateway: RelayClientKeys.gateway, applicationAddress: RelayClientKeys.app.publicKey.address()))

        let short = #expect(throws: RelayClientError.self) { try RelaySigningKeys.fromHex(appKey: "abcd", gatewayKey: nil, appAddress: nil) }
        #expect(short?.description == "--app-key: expected 64 hex characters (a 32-byte secp256k1 key), got 4")
        let orphan = #expect(throws: RelayClientError.self) {
            try RelaySigningKeys.fromHex(appKey: nil, gatewayKey: RelayClientKeys.gateway.bytes.hex, appAddress: nil)
        }
        #expect(orphan?.description == "--gateway-key signs for an application: also give --app-address (or --app-key)")
        let none = #expect(throws: RelayClientError.self) { try RelaySigningKeys.fromHex(appKey: nil, gatewayKey: nil, appAddress: nil) }
        #expect(none?.description.hasPrefix("no signing key") == true)
    }
}
