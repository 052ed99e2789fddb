import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain

/// `pocket.application.Query`: staked applications with their delegations
/// (what relay miners build rings from).
struct ApplicationQueryService: Pocket_Application_Query.SimpleServiceProtocol {
    let chain: FakeChain

    func application(request: Pocket_Application_QueryGetApplicationRequest, context: ServerContext) async throws -> Pocket_Application_QueryGetApplicationResponse {
        var response = Pocket_Application_QueryGetApplicationResponse()
        response.application = try await chainCall { () async throws(ChainError) in try await chain.application(address: request.address) }
        return response
    }

    /// All applications by address, optionally only those delegating to
    /// `delegatee_gateway_address`, one page at a time.
    func allApplications(request: Pocket_Application_QueryAllApplicationsRequest, context: ServerContext) async throws -> Pocket_Application_QueryAllApplicationsResponse {
        let gateway = request.delegateeGatewayAddress
        if !gateway.isEmpty { try RequestCheck.address(gateway, field: "delegatee gateway address") }
        let applications = await chain.allApplications().filter { gateway.isEmpty || $0.delegateeGatewayAddresses.contains(gateway) }
        let page = try Pagination.page(applications.map { (Array($0.address.utf8), $0) },
                                       request.hasPagination ? request.pagination : nil)
        var response = Pocket_Application_QueryAllApplicationsResponse()
        response.applications = page.items
        response.pagination = page.response
        return response
    }
}
