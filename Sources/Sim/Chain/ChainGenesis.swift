import PocketProtocol
import RelayRuntime
import SimKernel

/// What the fake chain starts from: params, services, and the staked actors
/// with their keys. Every account listed here has its public key on chain
/// (as if it had signed a transaction before) and an account number given
/// in genesis order: gateways, then applications, then suppliers.
public struct ChainGenesis: Sendable {
    public var chainID: String
    /// Time of block 1; block h is due `blockTime` after block h−1.
    public var genesisTime: RuntimeInstant
    public var blockTime: Duration
    /// Shared params in force from block 1.
    public var sharedParams: SharedParams
    /// Later shared params (e.g. a governance change), each in force from its
    /// effective height, which must be a session start under the params before
    /// it. The session grid anchor is derived when `numBlocksPerSession` changes.
    public var sharedParamsUpdates: [SharedParamsUpdate]
    public var proofParams: ProofParams
    /// Reported by the service module's params query; nothing in the model depends on it.
    public var serviceParams: ServiceModuleParams = .localnet
    public var numSuppliersPerSession: UInt64
    /// The node's minimum gas price in uPOKT per gas unit; 0 accepts fee-less txs.
    public var minimumGasPriceUPOKT: Double
    public var services: [GenesisService]
    public var gateways: [GenesisGateway]
    public var applications: [GenesisApplication]
    public var suppliers: [GenesisSupplier]

    public init(
        chainID: String = "pocket-sim",
        genesisTime: RuntimeInstant = SimKernel.epoch,
        blockTime: Duration = .seconds(10),
        sharedParams: SharedParams = .localnet,
        sharedParamsUpdates: [SharedParamsUpdate] = [],
        proofParams: ProofParams = .localnet,
        numSuppliersPerSession: UInt64 = 15,
        minimumGasPriceUPOKT: Double = 0,
        services: [GenesisService] = [],
        gateways: [GenesisGateway] = [],
        applications: [GenesisApplication] = [],
        suppliers: [GenesisSupplier] = []
    ) {
        self.chainID = chainID
        self.genesisTime = genesisTime
        self.blockTime = blockTime
        self.sharedParams = sharedParams
        self.sharedParamsUpdates = sharedParamsUpdates
        self.proofParams = proofParams
        self.numSuppliersPerSession = numSuppliersPerSession
        self.minimumGasPriceUPOKT = minimumGasPriceUPOKT
        self.services = services
        self.gateways = gateways
        self.applications = applications
        self.suppliers = suppliers
    }
}

/// Shared params in force from `effectiveHeight`.
public struct SharedParamsUpdate: Sendable, Hashable {
    public var effectiveHeight: Int64
    public var params: SharedParams

    public init(effectiveHeight: Int64, params: SharedParams) {
        self.effectiveHeight = effectiveHeight
        self.params = params
    }
}

/// A value that changes at block heights (compute units per relay, difficulty).
public struct HeightUpdate<Value: Sendable & Hashable>: Sendable, Hashable {
    public var effectiveHeight: Int64
    public var value: Value

    public init(effectiveHeight: Int64, value: Value) {
        self.effectiveHeight = effectiveHeight
        self.value = value
    }
}

public struct GenesisService: Sendable, Hashable {
    public var id: String
    public var computeUnitsPerRelay: UInt64
    /// 32-byte relay-mining difficulty target in force from block 1.
    public var relayDifficultyTarget: Bytes
    public var computeUnitsPerRelayUpdates: [HeightUpdate<UInt64>]
    public var relayDifficultyUpdates: [HeightUpdate<Bytes>]
    public var ownerAddress: String

    public init(
        id: String, computeUnitsPerRelay: UInt64 = 1, relayDifficultyTarget: Bytes = RelayDifficulty.baseTargetHash,
        computeUnitsPerRelayUpdates: [HeightUpdate<UInt64>] = [], relayDifficultyUpdates: [HeightUpdate<Bytes>] = [],
        ownerAddress: String = ""
    ) {
        self.id = id
        self.computeUnitsPerRelay = computeUnitsPerRelay
        self.relayDifficultyTarget = relayDifficultyTarget
        self.computeUnitsPerRelayUpdates = computeUnitsPerRelayUpdates
        self.relayDifficultyUpdates = relayDifficultyUpdates
        self.ownerAddress = ownerAddress
    }
}

public struct GenesisGateway: Sendable, Hashable {
    public var privateKey: PrivateKey
    public var balanceUPOKT: UInt64

    public init(privateKey: PrivateKey, balanceUPOKT: UInt64 = 0) {
        self.privateKey = privateKey
        self.balanceUPOKT = balanceUPOKT
    }

    public var address: String { privateKey.publicKey.address() }
}

public struct GenesisApplication: Sendable, Hashable {
    public var privateKey: PrivateKey
    public var stakeUPOKT: UInt64
    public var serviceID: String
    /// Addresses of the gateways the application currently delegates to.
    public var delegatedGateways: [String]
    /// Gateways being undelegated, keyed by the session end height of the undelegation.
    public var pendingUndelegations: [UInt64: [String]]
    public var balanceUPOKT: UInt64

    public init(
        privateKey: PrivateKey, stakeUPOKT: UInt64 = 1_000_000_000_000, serviceID: String,
        delegatedGateways: [String] = [], pendingUndelegations: [UInt64: [String]] = [:], balanceUPOKT: UInt64 = 0
    ) {
        self.privateKey = privateKey
        self.stakeUPOKT = stakeUPOKT
        self.serviceID = serviceID
        self.delegatedGateways = delegatedGateways
        self.pendingUndelegations = pendingUndelegations
        self.balanceUPOKT = balanceUPOKT
    }

    public var address: String { privateKey.publicKey.address() }
}

public struct GenesisSupplier: Sendable, Hashable {
    /// The operator key (also the owner: the fake chain does not separate them).
    public var privateKey: PrivateKey
    public var stakeUPOKT: UInt64
    public var services: [String]
    public var balanceUPOKT: UInt64
    /// Staked endpoint URL for every service; empty = `sim://<operator address>`.
    public var endpointURL: String

    public init(privateKey: PrivateKey, stakeUPOKT: UInt64 = 60_000_000_000, services: [String],
                balanceUPOKT: UInt64 = 1_000_000_000, endpointURL: String = "") {
        self.privateKey = privateKey
        self.stakeUPOKT = stakeUPOKT
        self.services = services
        self.balanceUPOKT = balanceUPOKT
        self.endpointURL = endpointURL
    }

    public var address: String { privateKey.publicKey.address() }
}
