import Foundation
import PocketProtocol

/// The chain stand-in's `keys.json` (what `chain serve` writes): every
/// actor's address and private key by name,
/// `{"applications":{"app-1":{"address":"pokt1…","private_key_hex":"…"}},"gateways":{…},"suppliers":{…}}`.
/// The client picks the application (and optionally the gateway that signs
/// for it) by name or address, so no key has to appear on the command line.
public struct RelayKeysFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, Decodable {
        public let address: String
        public let privateKeyHex: String

        enum CodingKeys: String, CodingKey {
            case address
            case privateKeyHex = "private_key_hex"
        }
    }

    public let applications: [String: Entry]
    public let gateways: [String: Entry]
    public let suppliers: [String: Entry]

    private struct File: Decodable {
        let applications: [String: Entry]?
        let gateways: [String: Entry]?
        let suppliers: [String: Entry]?
    }

    public init(applications: [String: Entry], gateways: [String: Entry] = [:], suppliers: [String: Entry] = [:]) {
        self.applications = applications
        self.gateways = gateways
        self.suppliers = suppliers
    }

    /// Parses the file's bytes; `path` only names it in errors.
    public init(data: Data, path: String) throws(RelayClientError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw RelayClientError("keys file \(path) is not a stand-in keys.json (`{\"applications\":{name:{\"address\",\"private_key_hex\"}},…}`): \(error)")
        }
        guard let applications = file.applications, !applications.isEmpty else {
            throw RelayClientError("keys file \(path) has no applications: the relays need an application to sign for")
        }
        self.init(applications: applications, gateways: file.gateways ?? [:], suppliers: file.suppliers ?? [:])
    }

    public static func load(path: String) throws(RelayClientError) -> RelayKeysFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RelayClientError("cannot read keys file \(path): \(error.localizedDescription)")
        }
        return try RelayKeysFile(data: data, path: path)
    }

    /// The signing keys for `application` (a name or address; may be nil when
    /// the file holds one application), signed by `gateway` (name or address)
    /// if given, else by the application itself.
    public func signingKeys(application: String?, gateway: String?) throws(RelayClientError) -> RelaySigningKeys {
        let app = try Self.pick(application, from: applications, role: "application", flag: "--app")
        let appKey = try RelaySigningKeys.parseKey(app.entry.privateKeyHex, flag: "keys file application \(app.name)")
        guard appKey.publicKey.address() == app.entry.address else {
            throw RelayClientError("keys file application \(app.name): private_key_hex belongs to \(appKey.publicKey.address()), not to \(app.entry.address)")
        }
        guard let gateway else { return RelaySigningKeys(application: appKey) }
        let gw = try Self.pick(gateway, from: gateways, role: "gateway", flag: "--gateway")
        let gatewayKey = try RelaySigningKeys.parseKey(gw.entry.privateKeyHex, flag: "keys file gateway \(gw.name)")
        guard gatewayKey.publicKey.address() == gw.entry.address else {
            throw RelayClientError("keys file gateway \(gw.name): private_key_hex belongs to \(gatewayKey.publicKey.address()), not to \(gw.entry.address)")
        }
        return RelaySigningKeys(gateway: gatewayKey, applicationAddress: app.entry.address)
    }

    private static func pick(_ selector: String?, from entries: [String: Entry], role: String, flag: String) throws(RelayClientError) -> (name: String, entry: Entry) {
        let names = entries.keys.sorted()
        guard let selector else {
            guard names.count == 1, let only = names.first, let entry = entries[only] else {
                throw RelayClientError("the keys file has \(names.count) \(role)s (\(names.joined(separator: ", "))): choose one with \(flag) <name or address>")
            }
            return (only, entry)
        }
        if let entry = entries[selector] { return (selector, entry) }
        if let match = entries.first(where: { $0.value.address == selector }) { return (match.key, match.value) }
        throw RelayClientError("no \(role) \"\(selector)\" in the keys file (by name or address); it has: \(names.joined(separator: ", "))")
    }
}
