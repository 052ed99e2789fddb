import PocketProtocol

/// The supplier operator keys this process may sign with. The relayer signs
/// responses with them; the miner signs claim and proof transactions.
public protocol KeysPort: Sendable {
    /// Operator addresses (bech32), sorted, so iteration is deterministic.
    var operatorAddresses: [String] { get }
    func signingKey(forOperator address: String) -> PrivateKey?
}

/// A fixed key set (from key files in production, from the scenario in the simulator).
public struct StaticKeys: KeysPort {
    private let byAddress: [String: PrivateKey]
    public let operatorAddresses: [String]

    public init(_ keys: [PrivateKey]) {
        var map: [String: PrivateKey] = [:]
        for key in keys { map[key.publicKey.address()] = key }
        byAddress = map
        operatorAddresses = map.keys.sorted()
    }

    public func signingKey(forOperator address: String) -> PrivateKey? { byAddress[address] }
}
