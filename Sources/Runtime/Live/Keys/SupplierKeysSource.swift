/// Where a process finds its supplier operator keys: a keys file, a keys
/// directory, or both (their keys are combined).
///
/// The operator address is never configured next to a key: it is derived
/// from the key, so a file cannot claim an address it cannot sign for.
public struct SupplierKeysSource: Sendable, Hashable, CustomStringConvertible {
    /// A YAML file with `keys: [<hex>, ...]` (the reference's `supplier-keys.yaml`).
    public var keysFile: String?
    /// A directory whose `*.yaml`, `*.yml` and `*.json` files each hold
    /// `private_key_hex: <hex>` (optionally with `operator_address`) or a `keys:` list.
    public var keysDirectory: String?

    public init(keysFile: String? = nil, keysDirectory: String? = nil) {
        self.keysFile = keysFile
        self.keysDirectory = keysDirectory
    }

    /// Names the locations (never key material), for logs and errors.
    public var description: String {
        var parts: [String] = []
        if let keysFile { parts.append("keys file \(keysFile)") }
        if let keysDirectory { parts.append("keys directory \(keysDirectory)") }
        return parts.isEmpty ? "no key source" : parts.joined(separator: " + ")
    }
}
