import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain

/// `pocket.shared.Query`: the shared params live and at a past height (the
/// fake chain keeps the full history, grid anchor included).
struct SharedQueryService: Pocket_Shared_Query.SimpleServiceProtocol {
    let chain: FakeChain

    /// The params in force at the latest block (genesis params before block 1).
    func params(request: Pocket_Shared_QueryParamsRequest, context: ServerContext) async throws -> Pocket_Shared_QueryParamsResponse {
        let height = max(await chain.height, 1)
        var response = Pocket_Shared_QueryParamsResponse()
        response.params = try await chainCall { () async throws(ChainError) in try await chain.sharedParams(atHeight: height) }.wire
        return response
    }

    func paramsAtHeight(request: Pocket_Shared_QueryParamsAtHeightRequest, context: ServerContext) async throws -> Pocket_Shared_QueryParamsAtHeightResponse {
        try RequestCheck.nonNegative(request.height, field: "height")
        var response = Pocket_Shared_QueryParamsAtHeightResponse()
        response.params = try await chainCall { () async throws(ChainError) in try await chain.sharedParams(atHeight: request.height) }.wire
        return response
    }
}
