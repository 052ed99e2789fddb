import Foundation
import PocketProtocol

/// Who signs the relays and for which application. A gateway signs for an
/// application that delegates to it (it never holds the application's key:
/// the application's address is enough); an application signs for itself.
/// Either way the signer must be in the application's ring.
public struct RelaySigningKeys: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
        case application
        case gateway
    }

    public let applicationAddress: String
    public let signer: PrivateKey
    public let role: Role

    /// The application signs for itself.
    public init(application: PrivateKey) {
        applicationAddress = application.publicKey.address()
        signer = application
        role = .application
    }

    /// A gateway signs for `applicationAddress`.
    public init(gateway: PrivateKey, applicationAddress: String) {
        self.applicationAddress = applicationAddress
        signer = gateway
        role = .gateway
    }

    public var signerAddress: String { signer.publicKey.address() }

    /// Keys given as hex on the command line: `--app-key` alone (the app
    /// signs), `--gateway-key` with `--app-key` or `--app-address` (the gateway
    /// signs for that app).
    public static func fromHex(appKey: String?, gatewayKey: String?, appAddress: String?) throws(RelayClientError) -> RelaySigningKeys {
        let app = try appKey.map { k throws(RelayClientError) in try parseKey(k, flag: "--app-key") }
        if let app, let appAddress, app.publicKey.address() != appAddress {
            throw RelayClientError("--app-address \(appAddress) is not the address of --app-key (\(app.publicKey.address())); give one of them")
        }
        if let gatewayKey {
            let gateway = try parseKey(gatewayKey, flag: "--gateway-key")
            guard let address = app?.publicKey.address() ?? appAddress else {
                throw RelayClientError("--gateway-key signs for an application: also give --app-address (or --app-key)")
            }
            return RelaySigningKeys(gateway: gateway, applicationAddress: address)
        }
        guard let app else {
            throw RelayClientError("no signing key: give --app-key, or --gateway-key with --app-address, or --keys-file")
        }
        return RelaySigningKeys(application: app)
    }

    /// A 32-byte secp256k1 key as 64 hex characters (an optional `0x` is accepted).
    public static func parseKey(_ text: String, flag: String) throws(RelayClientError) -> PrivateKey {
        var hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if hex.hasPrefix("0x") || hex.hasPrefix("0X") { hex.removeFirst(2) }
        guard hex.count == 64 else {
            throw RelayClientError("\(flag): expected 64 hex characters (a 32-byte secp256k1 key), got \(hex.count)")
        }
        do {
            return try PrivateKey(hex: hex.lowercased())
        } catch {
            throw RelayClientError("\(flag): not a valid secp256k1 private key: \(error)")
        }
    }
}
