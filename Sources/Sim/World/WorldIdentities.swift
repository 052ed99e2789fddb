import PocketProtocol
import RelayRuntime
import SimChain

/// The keys of a scenario's actors, derived from their names so two runs of
/// one scenario sign with the same keys (and so a report's addresses can be
/// mapped back to names).
public struct WorldIdentities: Sendable {
    public let gateways: [String: PrivateKey]
    public let applications: [String: PrivateKey]
    public let suppliers: [String: PrivateKey]
    /// Scenario name of every address (for reports).
    public let names: [String: String]

    public init(_ spec: ScenarioSpec) {
        func key(_ kind: String, _ name: String) -> PrivateKey { .fromSecret("pocket-sim/\(kind)/\(name)") }
        var g: [String: PrivateKey] = [:], a: [String: PrivateKey] = [:], s: [String: PrivateKey] = [:], n: [String: String] = [:]
        for name in spec.gateways { g[name] = key("gateway", name); n[g[name]!.publicKey.address()] = name }
        for app in spec.applications { a[app.name] = key("application", app.name); n[a[app.name]!.publicKey.address()] = app.name }
        for sup in spec.suppliers { s[sup.name] = key("supplier", sup.name); n[s[sup.name]!.publicKey.address()] = sup.name }
        gateways = g
        applications = a
        suppliers = s
        names = n
    }

    public func address(ofSupplier name: String) -> String { suppliers[name]!.publicKey.address() }
    public func address(ofApplication name: String) -> String { applications[name]!.publicKey.address() }
    public func name(of address: String) -> String { names[address] ?? address }
}

extension ScenarioSpec {
    /// The chain parameters a scenario asks for.
    var sharedParams: SharedParams {
        var p = SharedParams.localnet
        p.numBlocksPerSession = chain.numBlocksPerSession
        p.gracePeriodEndOffsetBlocks = chain.gracePeriodEndOffsetBlocks
        p.claimWindowOpenOffsetBlocks = chain.claimWindowOpenOffsetBlocks
        p.claimWindowCloseOffsetBlocks = chain.claimWindowCloseOffsetBlocks
        p.proofWindowOpenOffsetBlocks = chain.proofWindowOpenOffsetBlocks
        p.proofWindowCloseOffsetBlocks = chain.proofWindowCloseOffsetBlocks
        p.computeUnitsToTokensMultiplier = chain.computeUnitsToTokensMultiplier
        p.computeUnitCostGranularity = chain.computeUnitCostGranularity
        return p
    }

    var blockTime: Duration { .microseconds(Int64(chain.blockTimeSeconds * 1_000_000)) }

    /// The fake chain's genesis for this scenario (also what `chain serve`
    /// starts a live stand-in from, so one file describes both worlds).
    public func genesis(_ ids: WorldIdentities) throws(ScenarioError) -> ChainGenesis {
        var services: [GenesisService] = []
        for s in self.services {
            var target = RelayDifficulty.baseTargetHash
            if let hex = s.difficultyTargetHex {
                guard let bytes = try? Hex.decode(hex), bytes.count == 32 else {
                    throw ScenarioError(file: name, path: "services.\(s.id).difficulty_target", problem: "must be 64 hex characters")
                }
                target = bytes
            }
            services.append(GenesisService(id: s.id, computeUnitsPerRelay: s.computeUnitsPerRelay, relayDifficultyTarget: target))
        }
        return ChainGenesis(
            blockTime: blockTime,
            sharedParams: sharedParams,
            proofParams: ProofParams(
                proofRequestProbability: chain.proofRequestProbability,
                proofRequirementThresholdUPOKT: chain.proofRequirementThresholdUPOKT,
                proofMissingPenaltyUPOKT: ProofParams.localnet.proofMissingPenaltyUPOKT,
                proofSubmissionFeeUPOKT: chain.proofSubmissionFeeUPOKT
            ),
            numSuppliersPerSession: chain.numSuppliersPerSession,
            services: services,
            gateways: gateways.map { GenesisGateway(privateKey: ids.gateways[$0]!) },
            applications: applications.map { app in
                GenesisApplication(
                    privateKey: ids.applications[app.name]!, stakeUPOKT: app.stakeUPOKT, serviceID: app.service,
                    delegatedGateways: app.gateways.map { ids.gateways[$0]!.publicKey.address() }
                )
            },
            suppliers: suppliers.map { s in
                GenesisSupplier(privateKey: ids.suppliers[s.name]!, stakeUPOKT: s.stakeUPOKT, services: s.services, balanceUPOKT: s.balanceUPOKT)
            }
        )
    }
}
