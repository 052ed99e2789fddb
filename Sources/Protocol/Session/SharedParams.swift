/// The shared-module parameters that drive session and window arithmetic
/// (`pocket.shared.Params`). Plain values so the math stays independent of
/// the wire types; conversions live next to the generated messages.
public struct SharedParams: Sendable, Hashable, Codable {
    public var numBlocksPerSession: UInt64
    public var gracePeriodEndOffsetBlocks: UInt64
    public var claimWindowOpenOffsetBlocks: UInt64
    public var claimWindowCloseOffsetBlocks: UInt64
    public var proofWindowOpenOffsetBlocks: UInt64
    public var proofWindowCloseOffsetBlocks: UInt64
    public var supplierUnbondingPeriodSessions: UInt64
    public var applicationUnbondingPeriodSessions: UInt64
    public var computeUnitsToTokensMultiplier: UInt64
    public var gatewayUnbondingPeriodSessions: UInt64
    public var computeUnitCostGranularity: UInt64
    public var sessionGridAnchorHeight: UInt64
    public var sessionNumberAtAnchor: UInt64

    public init(
        numBlocksPerSession: UInt64, gracePeriodEndOffsetBlocks: UInt64,
        claimWindowOpenOffsetBlocks: UInt64, claimWindowCloseOffsetBlocks: UInt64,
        proofWindowOpenOffsetBlocks: UInt64, proofWindowCloseOffsetBlocks: UInt64,
        supplierUnbondingPeriodSessions: UInt64 = 1, applicationUnbondingPeriodSessions: UInt64 = 1,
        computeUnitsToTokensMultiplier: UInt64 = 42_000_000, gatewayUnbondingPeriodSessions: UInt64 = 1,
        computeUnitCostGranularity: UInt64 = 1_000_000,
        sessionGridAnchorHeight: UInt64 = 0, sessionNumberAtAnchor: UInt64 = 0
    ) {
        self.numBlocksPerSession = numBlocksPerSession
        self.gracePeriodEndOffsetBlocks = gracePeriodEndOffsetBlocks
        self.claimWindowOpenOffsetBlocks = claimWindowOpenOffsetBlocks
        self.claimWindowCloseOffsetBlocks = claimWindowCloseOffsetBlocks
        self.proofWindowOpenOffsetBlocks = proofWindowOpenOffsetBlocks
        self.proofWindowCloseOffsetBlocks = proofWindowCloseOffsetBlocks
        self.supplierUnbondingPeriodSessions = supplierUnbondingPeriodSessions
        self.applicationUnbondingPeriodSessions = applicationUnbondingPeriodSessions
        self.computeUnitsToTokensMultiplier = computeUnitsToTokensMultiplier
        self.gatewayUnbondingPeriodSessions = gatewayUnbondingPeriodSessions
        self.computeUnitCostGranularity = computeUnitCostGranularity
        self.sessionGridAnchorHeight = sessionGridAnchorHeight
        self.sessionNumberAtAnchor = sessionNumberAtAnchor
    }

    /// poktroll code defaults, also the localnet configuration (docs/protocol.md#parameter-values).
    public static let localnet = SharedParams(
        numBlocksPerSession: 10, gracePeriodEndOffsetBlocks: 1,
        claimWindowOpenOffsetBlocks: 1, claimWindowCloseOffsetBlocks: 4,
        proofWindowOpenOffsetBlocks: 0, proofWindowCloseOffsetBlocks: 4
    )

    /// The last mainnet governance bundle in the poktroll repository (docs/protocol.md#parameter-values).
    public static let mainnet = SharedParams(
        numBlocksPerSession: 20, gracePeriodEndOffsetBlocks: 10,
        claimWindowOpenOffsetBlocks: 11, claimWindowCloseOffsetBlocks: 10,
        proofWindowOpenOffsetBlocks: 1, proofWindowCloseOffsetBlocks: 10,
        supplierUnbondingPeriodSessions: 1429, applicationUnbondingPeriodSessions: 3,
        computeUnitsToTokensMultiplier: 145_990, gatewayUnbondingPeriodSessions: 3
    )
}
