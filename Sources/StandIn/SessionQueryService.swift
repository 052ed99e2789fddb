import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain

/// `pocket.session.Query`: sessions hydrated by the fake chain exactly as the
/// chain hydrates them, and the session module's params.
struct SessionQueryService: Pocket_Session_Query.SimpleServiceProtocol {
    let chain: FakeChain

    func params(request: Pocket_Session_QueryParamsRequest, context: ServerContext) async throws -> Pocket_Session_QueryParamsResponse {
        var params = Pocket_Session_Params()
        params.numSuppliersPerSession = try await chainCall { () async throws(ChainError) in try await chain.numSuppliersPerSession() }
        var response = Pocket_Session_QueryParamsResponse()
        response.params = params
        return response
    }

    /// Height 0 means "now" (the latest block), as on the chain. A session
    /// whose start block does not exist yet, or an unknown application or
    /// service, is NOT_FOUND (a node reports hydration failures as INTERNAL;
    /// NOT_FOUND says the same and lets a client tell it from a broken node).
    func getSession(request: Pocket_Session_QueryGetSessionRequest, context: ServerContext) async throws -> Pocket_Session_QueryGetSessionResponse {
        try RequestCheck.address(request.applicationAddress, field: "application address")
        try RequestCheck.serviceID(request.serviceID)
        try RequestCheck.nonNegative(request.blockHeight)
        let height = request.blockHeight > 0 ? request.blockHeight : await chain.height
        var response = Pocket_Session_QueryGetSessionResponse()
        response.session = try await chainCall { () async throws(ChainError) in
            try await chain.session(application: request.applicationAddress, serviceID: request.serviceID, height: height)
        }
        return response
    }
}
