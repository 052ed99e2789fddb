import Foundation
import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain

/// `pocket.service.Query`: services, and the per-height relay weight and
/// relay-mining difficulty that relayers and miners fix at session start.
struct ServiceQueryService: Pocket_Service_Query.SimpleServiceProtocol {
    let chain: FakeChain

    func params(request: Pocket_Service_QueryParamsRequest, context: ServerContext) async throws -> Pocket_Service_QueryParamsResponse {
        let params = chain.genesis.serviceParams
        var wire = Pocket_Service_Params()
        wire.addServiceFee = .upokt(params.addServiceFeeUPOKT)
        wire.targetNumRelays = params.targetNumRelays
        var response = Pocket_Service_QueryParamsResponse()
        response.params = wire
        return response
    }

    /// The service with the compute units per relay in force at the latest block.
    func service(request: Pocket_Service_QueryGetServiceRequest, context: ServerContext) async throws -> Pocket_Service_QueryGetServiceResponse {
        try RequestCheck.serviceID(request.id, field: "service id")
        var service = try await chainCall { () async throws(ChainError) in try await chain.service(id: request.id) }
        if request.dehydrated { service.clearMetadata() }
        var response = Pocket_Service_QueryGetServiceResponse()
        response.service = service
        return response
    }

    /// The difficulty entry in force at the height. The fake chain does not
    /// track the relay EMA, so `num_relays_ema` is the target (what the chain
    /// reports for a service whose difficulty was never adjusted), and
    /// `block_height` is the height the entry took effect.
    func relayMiningDifficultyAtHeight(
        request: Pocket_Service_QueryGetRelayMiningDifficultyAtHeightRequest, context: ServerContext
    ) async throws -> Pocket_Service_QueryGetRelayMiningDifficultyAtHeightResponse {
        try RequestCheck.serviceID(request.serviceID)
        try RequestCheck.nonNegative(request.blockHeight)
        let entry = try await chainCall { () async throws(ChainError) in
            try await chain.relayDifficultyEntry(serviceID: request.serviceID, atHeight: request.blockHeight)
        }
        var difficulty = Pocket_Service_RelayMiningDifficulty()
        difficulty.serviceID = request.serviceID
        difficulty.blockHeight = entry.effectiveHeight
        difficulty.numRelaysEma = chain.genesis.serviceParams.targetNumRelays
        difficulty.targetHash = Data(entry.value)
        var response = Pocket_Service_QueryGetRelayMiningDifficultyAtHeightResponse()
        response.relayMiningDifficulty = difficulty
        return response
    }

    func computeUnitsPerRelayAtHeight(
        request: Pocket_Service_QueryComputeUnitsPerRelayAtHeightRequest, context: ServerContext
    ) async throws -> Pocket_Service_QueryComputeUnitsPerRelayAtHeightResponse {
        try RequestCheck.serviceID(request.serviceID)
        try RequestCheck.nonNegative(request.blockHeight)
        var response = Pocket_Service_QueryComputeUnitsPerRelayAtHeightResponse()
        response.computeUnitsPerRelay = try await chainCall { () async throws(ChainError) in
            try await chain.computeUnitsPerRelay(serviceID: request.serviceID, atHeight: request.blockHeight)
        }
        return response
    }
}
