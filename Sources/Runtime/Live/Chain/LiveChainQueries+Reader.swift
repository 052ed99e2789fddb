import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime

/// What the relayer reads (the non-block half of `ChainReader`), one chain
/// query each (docs/protocol.md#chain-apis), behind the caches.
extension LiveChainQueries {
    /// `/pocket.shared.Query/ParamsAtHeight`.
    public func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams {
        try await caches.sharedParams.value(for: height) { () async throws(ChainError) -> SharedParams in
            let method = Pocket_Shared_Query.Method.ParamsAtHeight.descriptor
            let response = try await self.call(method) { options in
                try await self.sharedQuery.paramsAtHeight(.with { $0.height = height }, options: options)
            }
            guard response.hasParams else { throw self.invalid(method, "no params at height \(height)") }
            return SharedParams(response.params)
        }
    }

    /// `/pocket.session.Query/Params`: `num_suppliers_per_session`.
    public func numSuppliersPerSession() async throws(ChainError) -> UInt64 {
        try await caches.numSuppliersPerSession.value(for: .init()) { () async throws(ChainError) -> UInt64 in
            let method = Pocket_Session_Query.Method.Params.descriptor
            let response = try await self.call(method) { options in try await self.sessionQuery.params(.init(), options: options) }
            guard response.hasParams else { throw self.invalid(method, "no params") }
            return response.params.numSuppliersPerSession
        }
    }

    /// `/pocket.session.Query/GetSession`. Heights below 1 have no session
    /// (the chain would read 0 as "now", a different question), so they are
    /// answered notFound without a call.
    public func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session {
        guard height >= 1 else { throw .notFound("no session at height \(height)") }
        let key = LiveChainCaches.SessionKey(application: application, serviceID: serviceID, height: height)
        return try await caches.sessions.value(for: key) { () async throws(ChainError) -> Pocket_Session_Session in
            let method = Pocket_Session_Query.Method.GetSession.descriptor
            let response = try await self.call(method) { options in
                try await self.sessionQuery.getSession(.with {
                    $0.applicationAddress = application
                    $0.serviceID = serviceID
                    $0.blockHeight = height
                }, options: options)
            }
            guard response.hasSession else { throw self.invalid(method, "no session for \(application)/\(serviceID) at \(height)") }
            let header = response.session.header
            guard header.applicationAddress == application, header.serviceID == serviceID,
                  header.sessionStartBlockHeight <= height, height <= header.sessionEndBlockHeight
            else {
                throw self.invalid(method, "asked for \(application)/\(serviceID) at \(height), got the session of "
                    + "\(header.applicationAddress)/\(header.serviceID) [\(header.sessionStartBlockHeight), \(header.sessionEndBlockHeight)]")
            }
            return response.session
        }
    }

    /// `/pocket.application.Query/Application`.
    public func application(address: String) async throws(ChainError) -> Pocket_Application_Application {
        try await caches.applications.value(for: address) { () async throws(ChainError) -> Pocket_Application_Application in
            let method = Pocket_Application_Query.Method.Application.descriptor
            let response = try await self.call(method) { options in
                try await self.applicationQuery.application(.with { $0.address = address }, options: options)
            }
            guard response.hasApplication else { throw self.invalid(method, "no application in the answer for \(address)") }
            return response.application
        }
    }

    /// `/cosmos.auth.v1beta1.Query/Account`, with its `Any`s opened.
    public func account(address: String) async throws(ChainError) -> ChainAccount {
        try await caches.accounts.value(for: address) { () async throws(ChainError) -> ChainAccount in
            let method = Cosmos_Auth_V1beta1_Query.Method.Account.descriptor
            let response = try await self.call(method) { options in
                try await self.authQuery.account(.with { $0.address = address }, options: options)
            }
            guard response.hasAccount else { throw self.invalid(method, "no account in the answer for \(address)") }
            do throws(LiveChainWireError) {
                return try LiveChainWire.account(response.account, address: address)
            } catch {
                throw self.invalid(method, error.description)
            }
        }
    }

    /// `/pocket.supplier.Query/Supplier`, hydrated (service-config history included).
    public func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier {
        try await caches.suppliers.value(for: operatorAddress) { () async throws(ChainError) -> Pocket_Shared_Supplier in
            let method = Pocket_Supplier_Query.Method.Supplier.descriptor
            let response = try await self.call(method) { options in
                try await self.supplierQuery.supplier(.with { $0.operatorAddress = operatorAddress }, options: options)
            }
            guard response.hasSupplier else { throw self.invalid(method, "no supplier in the answer for \(operatorAddress)") }
            return response.supplier
        }
    }

    /// `/pocket.service.Query/Service`.
    public func service(id: String) async throws(ChainError) -> Pocket_Shared_Service {
        try await caches.services.value(for: id) { () async throws(ChainError) -> Pocket_Shared_Service in
            let method = Pocket_Service_Query.Method.Service.descriptor
            let response = try await self.call(method) { options in
                try await self.serviceQuery.service(.with { $0.id = id }, options: options)
            }
            guard response.hasService else { throw self.invalid(method, "no service in the answer for \(id)") }
            return response.service
        }
    }

    /// `/pocket.service.Query/ComputeUnitsPerRelayAtHeight`.
    public func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64 {
        let key = LiveChainCaches.ServiceHeightKey(serviceID: serviceID, height: height)
        return try await caches.computeUnitsPerRelay.value(for: key) { () async throws(ChainError) -> UInt64 in
            let method = Pocket_Service_Query.Method.ComputeUnitsPerRelayAtHeight.descriptor
            let response = try await self.call(method) { options in
                try await self.serviceQuery.computeUnitsPerRelayAtHeight(.with {
                    $0.serviceID = serviceID
                    $0.blockHeight = height
                }, options: options)
            }
            return response.computeUnitsPerRelay
        }
    }

    /// `/pocket.service.Query/RelayMiningDifficultyAtHeight`: the target hash.
    public func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8] {
        let key = LiveChainCaches.ServiceHeightKey(serviceID: serviceID, height: height)
        return try await caches.relayDifficulty.value(for: key) { () async throws(ChainError) -> [UInt8] in
            let method = Pocket_Service_Query.Method.RelayMiningDifficultyAtHeight.descriptor
            let response = try await self.call(method) { options in
                try await self.serviceQuery.relayMiningDifficultyAtHeight(.with {
                    $0.serviceID = serviceID
                    $0.blockHeight = height
                }, options: options)
            }
            guard response.hasRelayMiningDifficulty else { throw self.invalid(method, "no difficulty for \(serviceID) at \(height)") }
            do throws(LiveChainWireError) {
                return try LiveChainWire.difficultyTarget(response.relayMiningDifficulty, serviceID: serviceID)
            } catch {
                throw self.invalid(method, error.description)
            }
        }
    }
}
