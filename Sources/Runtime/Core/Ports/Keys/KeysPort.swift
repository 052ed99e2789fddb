import PocketProtocol

/// Signs as one supplier operator. Runtime core never holds a raw private
/// key: a keys file, an OS keyring or a remote signer can stand behind this,
/// and a key removed while the process runs stops being offered.
public protocol SupplierSigner: Sendable {
    var operatorAddress: String { get }
    var publicKey: PublicKey { get }
    /// A Cosmos secp256k1 signature over `message` (sha256 inside, RFC 6979
    /// nonce, 64-byte R‖S with low S): what relay responses and txs carry.
    func sign(_ message: [UInt8]) throws(SigningError) -> [UInt8]
}

/// A signer that could not sign (a remote signer down, a key revoked).
public struct SigningError: Error, Sendable, Hashable, CustomStringConvertible {
    public let operatorAddress: String
    public let reason: String

    public init(operatorAddress: String, reason: String) {
        self.operatorAddress = operatorAddress
        self.reason = reason
    }

    public var description: String { "cannot sign for \(operatorAddress): \(reason)" }
}

/// The supplier operators this process may sign for. The relayer signs
/// responses; the miner signs claim and proof transactions. Implementations
/// may change their key set while running (reloads): callers ask each time.
public protocol KeysPort: Sendable {
    /// Operator addresses (bech32), sorted, so iteration is deterministic.
    var operatorAddresses: [String] { get }
    func signer(forOperator address: String) -> (any SupplierSigner)?
}

/// Signs with a private key held in this process's memory.
public struct InMemorySigner: SupplierSigner {
    private let key: PrivateKey
    public let operatorAddress: String

    public init(_ key: PrivateKey) {
        self.key = key
        operatorAddress = key.publicKey.address()
    }

    public var publicKey: PublicKey { key.publicKey }

    public func sign(_ message: [UInt8]) throws(SigningError) -> [UInt8] {
        SupplierSignature.sign(message, with: key)
    }
}

/// A fixed key set (from the scenario in the simulator, or a snapshot of a keys file).
public struct StaticKeys: KeysPort {
    private let byAddress: [String: InMemorySigner]
    public let operatorAddresses: [String]

    public init(_ keys: [PrivateKey]) {
        var map: [String: InMemorySigner] = [:]
        for key in keys {
            let signer = InMemorySigner(key)
            map[signer.operatorAddress] = signer
        }
        byAddress = map
        operatorAddresses = map.keys.sorted()
    }

    public func signer(forOperator address: String) -> (any SupplierSigner)? { byAddress[address] }
}

/// A key set that can be replaced while the process runs (a keys file re-read
/// on a timer or SIGHUP). Each lookup sees one whole set, never a mix.
public final class ReloadableKeys: KeysPort, @unchecked Sendable {
    private let lock = Locked()
    private var current: StaticKeys

    public init(_ keys: StaticKeys) { current = keys }

    /// Swaps in a new key set; returns the operator addresses (added, removed).
    @discardableResult
    public func replace(with keys: StaticKeys) -> (added: [String], removed: [String]) {
        lock.withLock {
            let before = Set(current.operatorAddresses)
            let after = Set(keys.operatorAddresses)
            current = keys
            return (after.subtracting(before).sorted(), before.subtracting(after).sorted())
        }
    }

    public var operatorAddresses: [String] { lock.withLock { current.operatorAddresses } }

    public func signer(forOperator address: String) -> (any SupplierSigner)? {
        lock.withLock { current.signer(forOperator: address) }
    }
}
