/// The shared params as `pocket.shared.Params` carries them: the chain
/// client reads them from the shared module's queries and the chain
/// stand-in answers those queries, so both directions live next to the value.
extension SharedParams {
    public init(_ wire: Pocket_Shared_Params) {
        self.init(
            numBlocksPerSession: wire.numBlocksPerSession, gracePeriodEndOffsetBlocks: wire.gracePeriodEndOffsetBlocks,
            claimWindowOpenOffsetBlocks: wire.claimWindowOpenOffsetBlocks, claimWindowCloseOffsetBlocks: wire.claimWindowCloseOffsetBlocks,
            proofWindowOpenOffsetBlocks: wire.proofWindowOpenOffsetBlocks, proofWindowCloseOffsetBlocks: wire.proofWindowCloseOffsetBlocks,
            supplierUnbondingPeriodSessions: wire.supplierUnbondingPeriodSessions,
            applicationUnbondingPeriodSessions: wire.applicationUnbondingPeriodSessions,
            computeUnitsToTokensMultiplier: wire.computeUnitsToTokensMultiplier,
            gatewayUnbondingPeriodSessions: wire.gatewayUnbondingPeriodSessions,
            computeUnitCostGranularity: wire.computeUnitCostGranularity,
            sessionGridAnchorHeight: wire.sessionGridAnchorHeight, sessionNumberAtAnchor: wire.sessionNumberAtAnchor
        )
    }

    public var wire: Pocket_Shared_Params {
        var params = Pocket_Shared_Params()
        params.numBlocksPerSession = numBlocksPerSession
        params.gracePeriodEndOffsetBlocks = gracePeriodEndOffsetBlocks
        params.claimWindowOpenOffsetBlocks = claimWindowOpenOffsetBlocks
        params.claimWindowCloseOffsetBlocks = claimWindowCloseOffsetBlocks
        params.proofWindowOpenOffsetBlocks = proofWindowOpenOffsetBlocks
        params.proofWindowCloseOffsetBlocks = proofWindowCloseOffsetBlocks
        params.supplierUnbondingPeriodSessions = supplierUnbondingPeriodSessions
        params.applicationUnbondingPeriodSessions = applicationUnbondingPeriodSessions
        params.computeUnitsToTokensMultiplier = computeUnitsToTokensMultiplier
        params.gatewayUnbondingPeriodSessions = gatewayUnbondingPeriodSessions
        params.computeUnitCostGranularity = computeUnitCostGranularity
        params.sessionGridAnchorHeight = sessionGridAnchorHeight
        params.sessionNumberAtAnchor = sessionNumberAtAnchor
        return params
    }
}
