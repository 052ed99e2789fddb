import Foundation
import PocketProtocol

/// `keys.json`: the private key of every actor of the world, so external
/// clients (gateways, the relayer and miner binaries, scripts) can sign as
/// them. Keys are derived from the actors' names, as the simulator derives
/// them, so the file is the same on every start of the same world.
///
/// `{"applications":{"app-1":{"address":"pokt1…","private_key_hex":"…"}},"gateways":{…},"suppliers":{…}}`
public enum StandInKeysFile {
    public static let fileName = "keys.json"

    struct Entry: Encodable {
        let address: String
        let private_key_hex: String
    }

    struct File: Encodable {
        let applications: [String: Entry]
        let gateways: [String: Entry]
        let suppliers: [String: Entry]
    }

    /// Writes `DIR/keys.json` (mode 0600: these are signing keys) and returns its path.
    @discardableResult
    public static func write(
        directory: String, applications: [String: PrivateKey], gateways: [String: PrivateKey], suppliers: [String: PrivateKey]
    ) throws -> String {
        func entries(_ keys: [String: PrivateKey]) -> [String: Entry] {
            keys.mapValues { Entry(address: $0.publicKey.address(), private_key_hex: $0.bytes.hex) }
        }
        let file = File(applications: entries(applications), gateways: entries(gateways), suppliers: entries(suppliers))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = (directory as NSString).appendingPathComponent(fileName)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try encoder.encode(file).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }
}
