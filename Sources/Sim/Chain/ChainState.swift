import PocketProtocol
import RelayRuntime

/// One claim's identity on chain: (session id, supplier operator address).
/// Ordered so that every walk over claims is deterministic.
struct ClaimKey: Hashable, Comparable, Sendable {
    let sessionID: String
    let supplier: String

    static func < (a: ClaimKey, b: ClaimKey) -> Bool {
        a.sessionID != b.sessionID ? byteOrder(a.sessionID, b.sessionID) : byteOrder(a.supplier, b.supplier)
    }
}

/// Go's string order (bytewise), which is what the chain's stores iterate by.
func byteOrder(_ a: String, _ b: String) -> Bool {
    Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
}

struct AccountState: Sendable {
    let number: UInt64
    let publicKey: PublicKey
    /// Sequence of ordered transactions (unordered ones leave it alone).
    var sequence: UInt64
}

struct StoredProof: Sendable {
    let proof: Pocket_Proof_Proof
    let height: Int64
    let txHash: String
}

/// A service with its per-height history (docs/protocol.md#relay-mining-difficulty, #compute-units).
struct ServiceState: Sendable {
    let service: Pocket_Shared_Service
    /// Ascending effective heights; the first entry is in force from block 1.
    let computeUnitsPerRelay: [HeightUpdate<UInt64>]
    let difficulty: [HeightUpdate<Bytes>]

    init(_ genesis: GenesisService) {
        var service = Pocket_Shared_Service()
        service.id = genesis.id
        service.name = genesis.id
        service.computeUnitsPerRelay = genesis.computeUnitsPerRelay
        service.ownerAddress = genesis.ownerAddress
        self.service = service
        computeUnitsPerRelay = [HeightUpdate(effectiveHeight: 1, value: genesis.computeUnitsPerRelay)]
            + genesis.computeUnitsPerRelayUpdates.sorted { $0.effectiveHeight < $1.effectiveHeight }
        difficulty = [HeightUpdate(effectiveHeight: 1, value: genesis.relayDifficultyTarget)]
            + genesis.relayDifficultyUpdates.sorted { $0.effectiveHeight < $1.effectiveHeight }
    }

    func computeUnitsPerRelay(at height: Int64) -> UInt64 { Self.value(computeUnitsPerRelay, at: height) }
    func difficultyTarget(at height: Int64) -> Bytes { Self.value(difficulty, at: height) }

    /// The latest entry effective at or below `height` (the first one below block 1).
    static func value<V>(_ history: [HeightUpdate<V>], at height: Int64) -> V {
        history.last { $0.effectiveHeight <= height }?.value ?? history[0].value
    }
}

/// The state transactions change. A value type, so a transaction runs on a
/// copy and is committed only if every one of its messages succeeds.
struct ChainState: Sendable {
    var accounts: [String: AccountState] = [:]
    var balances: [String: UInt64] = [:]
    var applications: [String: Pocket_Application_Application] = [:]
    var suppliers: [String: Pocket_Shared_Supplier] = [:]
    var supplierStakes: [String: UInt64] = [:]
    var claims: [ClaimKey: Pocket_Proof_Claim] = [:]
    /// Proofs submitted in the current block, validated and removed by its EndBlocker.
    var proofs: [ClaimKey: StoredProof] = [:]
}

extension Cosmos_Base_V1beta1_Coin {
    static func upokt(_ amount: UInt64) -> Cosmos_Base_V1beta1_Coin {
        var coin = Cosmos_Base_V1beta1_Coin()
        coin.denom = "upokt"
        coin.amount = String(amount)
        return coin
    }
}

extension Pocket_Session_SessionHeader {
    /// The first field that differs from `other`, for a readable rejection (nil when equal).
    func firstDifference(from other: Pocket_Session_SessionHeader) -> String? {
        if applicationAddress != other.applicationAddress { return "application_address \(applicationAddress) != \(other.applicationAddress)" }
        if serviceID != other.serviceID { return "service_id \(serviceID) != \(other.serviceID)" }
        if sessionID != other.sessionID { return "session_id \(sessionID) != \(other.sessionID)" }
        if sessionStartBlockHeight != other.sessionStartBlockHeight {
            return "session_start_block_height \(sessionStartBlockHeight) != \(other.sessionStartBlockHeight)"
        }
        if sessionEndBlockHeight != other.sessionEndBlockHeight {
            return "session_end_block_height \(sessionEndBlockHeight) != \(other.sessionEndBlockHeight)"
        }
        return nil
    }
}
