import Foundation
import PocketProtocol
import Yams

/// A supplier key read from a key file, with where it came from.
public struct LoadedSupplierKey: Sendable, Hashable {
    public let key: PrivateKey
    /// Derived from the key (bech32 `pokt1…`), never read from the file.
    public let operatorAddress: String
    /// File and entry, e.g. `/keys/supplier-keys.yaml keys[3]`: what logs name instead of the key.
    public let origin: String

    public init(key: PrivateKey, origin: String) {
        self.key = key
        operatorAddress = key.publicKey.address()
        self.origin = origin
    }
}

/// Reads supplier keys from the reference's key file formats.
///
/// Loading is all-or-nothing: any unusable file or entry makes the whole
/// load fail with every problem listed. A reload that half-worked would
/// silently stop signing for the suppliers whose entries were mistyped.
public enum SupplierKeyFiles {
    /// Extensions read in a keys directory (compared case-insensitively).
    public static let directoryExtensions: Set<String> = ["yaml", "yml", "json"]

    /// Every key of `source`, one per operator address (a key listed twice
    /// counts once), sorted by address. Fails when nothing usable is found.
    public static func load(_ source: SupplierKeysSource) throws(SupplierKeysError) -> [LoadedSupplierKey] {
        var problems: [SupplierKeysError.Problem] = []
        var found: [LoadedSupplierKey] = []
        if source.keysFile == nil && source.keysDirectory == nil {
            throw SupplierKeysError(file: "keys", message: "no key source configured: set keys.keys_file or keys.keys_dir")
        }
        if let file = source.keysFile {
            let (keys, fileProblems) = readKeysFile(at: file)
            found += keys
            problems += fileProblems
        }
        if let directory = source.keysDirectory {
            let (keys, dirProblems) = readKeysDirectory(at: directory)
            found += keys
            problems += dirProblems
        }
        guard problems.isEmpty else { throw SupplierKeysError(problems: problems) }
        var byAddress: [String: LoadedSupplierKey] = [:]
        for key in found where byAddress[key.operatorAddress] == nil { byAddress[key.operatorAddress] = key }
        guard !byAddress.isEmpty else {
            throw SupplierKeysError(file: source.description, message: "no supplier keys found; add at least one key")
        }
        return byAddress.keys.sorted().map { byAddress[$0]! }
    }

    /// A `keys: [<hex>, ...]` file.
    static func readKeysFile(at path: String) -> ([LoadedSupplierKey], [SupplierKeysError.Problem]) {
        switch readYAML(at: path) {
        case .problem(let problem):
            return ([], [problem])
        case .node(let root):
            guard case .mapping(let mapping) = root, let list = mapping["keys"] else {
                return ([], [.init(file: path, message: "expected a 'keys:' list of hex private keys")])
            }
            return readKeyList(list, file: path, requireEntries: true)
        }
    }

    /// Every `*.yaml`, `*.yml` and `*.json` file of a directory (not its
    /// subdirectories; hidden files such as Kubernetes' `..data` are skipped).
    static func readKeysDirectory(at path: String) -> ([LoadedSupplierKey], [SupplierKeysError.Problem]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return ([], [.init(file: path, message: "directory not found; create it or fix keys.keys_dir")])
        }
        guard isDirectory.boolValue else {
            return ([], [.init(file: path, message: "not a directory; point keys.keys_dir at a directory (a single file goes in keys.keys_file)")])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            return ([], [.init(file: path, message: "cannot list the directory: \(error.localizedDescription)")])
        }
        var keys: [LoadedSupplierKey] = []
        var problems: [SupplierKeysError.Problem] = []
        for name in names where !name.hasPrefix(".") {
            let ext = (name as NSString).pathExtension.lowercased()
            guard directoryExtensions.contains(ext) else { continue }
            let file = (path as NSString).appendingPathComponent(name)
            var fileIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &fileIsDirectory), !fileIsDirectory.boolValue else { continue }
            let (fileKeys, fileProblems) = readKeyDocument(at: file)
            keys += fileKeys
            problems += fileProblems
        }
        return (keys, problems)
    }

    /// One file of a keys directory: `private_key_hex` (+ optional
    /// `operator_address`, checked against the key) or a `keys:` list.
    static func readKeyDocument(at path: String) -> ([LoadedSupplierKey], [SupplierKeysError.Problem]) {
        let root: Node
        switch readYAML(at: path) {
        case .problem(let problem): return ([], [problem])
        case .node(let node): root = node
        }
        guard case .mapping(let mapping) = root else {
            return ([], [.init(file: path, message: "expected a mapping with private_key_hex (or a 'keys:' list)")])
        }
        if let list = mapping["keys"] {
            return readKeyList(list, file: path, requireEntries: true)
        }
        guard let hexNode = mapping["private_key_hex"] else {
            return ([], [.init(file: path, message: "no private_key_hex (or 'keys:' list) in this file")])
        }
        switch parseEntry(hexNode) {
        case .failure(let why):
            return ([], [.init(file: path, entry: "private_key_hex", message: why.message)])
        case .success(let key):
            let loaded = LoadedSupplierKey(key: key, origin: "\(path) private_key_hex")
            if let claimed = mapping["operator_address"] {
                guard case .scalar(let s) = claimed else {
                    return ([], [.init(file: path, entry: "operator_address", message: "expected a pokt1… address")])
                }
                let text = s.string.trimmingCharacters(in: .whitespaces)
                if text != loaded.operatorAddress {
                    return ([], [.init(
                        file: path, entry: "operator_address",
                        message: "\(text) is not the address of private_key_hex (\(loaded.operatorAddress)); fix or remove operator_address"
                    )])
                }
            }
            return ([loaded], [])
        }
    }

    static func readKeyList(_ node: Node, file: String, requireEntries: Bool) -> ([LoadedSupplierKey], [SupplierKeysError.Problem]) {
        guard case .sequence(let sequence) = node else {
            return ([], [.init(file: file, entry: "keys", message: "expected a list of hex private keys")])
        }
        if requireEntries && sequence.isEmpty {
            return ([], [.init(file: file, entry: "keys", message: "the list is empty; add at least one hex private key")])
        }
        var keys: [LoadedSupplierKey] = []
        var problems: [SupplierKeysError.Problem] = []
        for (index, entry) in sequence.enumerated() {
            switch parseEntry(entry) {
            case .success(let key): keys.append(LoadedSupplierKey(key: key, origin: "\(file) keys[\(index)]"))
            case .failure(let why): problems.append(.init(file: file, entry: "keys[\(index)]", message: why.message))
            }
        }
        return (keys, problems)
    }

    /// Why one entry is not a key. Carries no key material.
    struct EntryError: Error {
        let message: String
    }

    static func parseEntry(_ node: Node) -> Result<PrivateKey, EntryError> {
        guard case .scalar(let scalar) = node else {
            return .failure(EntryError(message: "expected a hex string (64 hex digits, optional 0x)"))
        }
        return parsePrivateKey(hex: scalar.string)
    }

    /// 64 hex digits with an optional `0x`, surrounding spaces ignored.
    static func parsePrivateKey(hex raw: String) -> Result<PrivateKey, EntryError> {
        var text = Substring(raw.trimmingCharacters(in: .whitespacesAndNewlines))
        if text.hasPrefix("0x") || text.hasPrefix("0X") { text = text.dropFirst(2) }
        guard !text.isEmpty else { return .failure(EntryError(message: "empty entry; expected 64 hex digits")) }
        if let bad = text.firstIndex(where: { !$0.isHexDigit }) {
            let position = text.distance(from: text.startIndex, to: bad)
            return .failure(EntryError(message: "not hex: character \(position + 1) is not a hex digit (expected 64 hex digits, optional 0x)"))
        }
        guard text.count == 64 else {
            return .failure(EntryError(message: "expected 64 hex digits (a 32-byte secp256k1 private key), found \(text.count)"))
        }
        let bytes: Bytes
        do { bytes = try Hex.decode(String(text)) } catch { return .failure(EntryError(message: "not valid hex")) }
        do {
            return .success(try PrivateKey(bytes: bytes))
        } catch {
            return .failure(EntryError(message: "not a valid secp256k1 private key (zero, or not below the curve order)"))
        }
    }

    /// A parsed file, or why it could not be parsed.
    enum YAMLFile {
        case node(Node)
        case problem(SupplierKeysError.Problem)
    }

    /// Parses a file into a YAML node. Errors name the line but never quote
    /// it: the line could hold a key.
    static func readYAML(at path: String) -> YAMLFile {
        guard FileManager.default.fileExists(atPath: path) else {
            return .problem(.init(file: path, message: "file not found; create it or fix the configured path"))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return .problem(.init(file: path, message: "cannot read the file (check its permissions): \(error.localizedDescription)"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .problem(.init(file: path, message: "not UTF-8 text"))
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .problem(.init(file: path, message: "the file is empty"))
            }
            return .node(node)
        } catch let error as YamlError {
            return .problem(.init(file: path, message: redactedDescription(error)))
        } catch {
            return .problem(.init(file: path, message: "invalid YAML or JSON"))
        }
    }

    static func redactedDescription(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "invalid YAML or JSON at line \(mark.line), column \(mark.column): \(problem)"
        case .duplicatedKeysInMapping(_, let context):
            return "invalid YAML: a mapping repeats a key (near line \(context.mark.line))"
        default:
            return "invalid YAML or JSON"
        }
    }
}
