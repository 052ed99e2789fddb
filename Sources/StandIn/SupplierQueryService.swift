import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain

/// `pocket.supplier.Query`: a supplier with its stake and service configs.
struct SupplierQueryService: Pocket_Supplier_Query.SimpleServiceProtocol {
    let chain: FakeChain

    /// Dehydrated (as the chain does it): no service-config history and no
    /// revenue shares, only the active service configs.
    func supplier(request: Pocket_Supplier_QueryGetSupplierRequest, context: ServerContext) async throws -> Pocket_Supplier_QueryGetSupplierResponse {
        var supplier = try await chainCall { () async throws(ChainError) in try await chain.supplier(operatorAddress: request.operatorAddress) }
        if request.dehydrated {
            supplier.serviceConfigHistory = []
            for i in supplier.services.indices { supplier.services[i].revShare = [] }
        }
        var response = Pocket_Supplier_QueryGetSupplierResponse()
        response.supplier = supplier
        return response
    }
}
