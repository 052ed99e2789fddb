import Foundation
import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime

/// What the miner adds (`ChainSubmitter`): proof params, its own claims, its
/// balance, and the transaction service. Only proof params are cached: the
/// rest is read to see the effect of the miner's own transactions.
extension LiveChainQueries: ChainSubmitter {
    /// `/pocket.proof.Query/Params`.
    public func proofParams() async throws(ChainError) -> ProofParams {
        try await caches.proofParams.value(for: .init()) { () async throws(ChainError) -> ProofParams in
            let method = Pocket_Proof_Query.Method.Params.descriptor
            let response = try await self.call(method) { options in try await self.proofQuery.params(.init(), options: options) }
            guard response.hasParams else { throw self.invalid(method, "no params") }
            do throws(LiveChainWireError) {
                return try LiveChainWire.proofParams(response.params)
            } catch {
                throw self.invalid(method, error.description)
            }
        }
    }

    /// `/pocket.proof.Query/AllClaims` filtered by supplier, every page,
    /// ordered by session end then session id (bytewise): the order the miner
    /// settles in, independent of the node's store order.
    public func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim] {
        let method = Pocket_Proof_Query.Method.AllClaims.descriptor
        var claims: [Pocket_Proof_Claim] = []
        var nextKey = Data()
        var seenKeys: Set<Data> = []
        repeat {
            let pageKey = nextKey
            let response = try await call(method) { options in
                try await self.proofQuery.allClaims(.with {
                    $0.supplierOperatorAddress = supplierOperatorAddress
                    $0.pagination = .with {
                        $0.key = pageKey
                        $0.limit = self.configuration.claimsPageLimit
                    }
                }, options: options)
            }
            claims += response.claims
            nextKey = response.pagination.nextKey
            // A node that hands back a key it already gave would page forever.
            guard nextKey.isEmpty || seenKeys.insert(nextKey).inserted else {
                throw invalid(method, "pagination repeats next_key \(Bytes(nextKey).hex) after \(claims.count) claims")
            }
        } while !nextKey.isEmpty
        if let stranger = claims.first(where: { $0.supplierOperatorAddress != supplierOperatorAddress }) {
            throw invalid(method, "asked for the claims of \(supplierOperatorAddress), got one of \(stranger.supplierOperatorAddress)")
        }
        return claims.sorted { a, b in
            let (endA, endB) = (a.sessionHeader.sessionEndBlockHeight, b.sessionHeader.sessionEndBlockHeight)
            return endA != endB ? endA < endB : Array(a.sessionHeader.sessionID.utf8).lexicographicallyPrecedes(Array(b.sessionHeader.sessionID.utf8))
        }
    }

    /// `/cosmos.bank.v1beta1.Query/Balance` in uPOKT.
    public func balance(address: String) async throws(ChainError) -> UInt64 {
        let method = Cosmos_Bank_V1beta1_Query.Method.Balance.descriptor
        let response = try await call(method) { options in
            try await self.bankQuery.balance(.with {
                $0.address = address
                $0.denom = Cosmos_Base_V1beta1_Coin.upoktDenom
            }, options: options)
        }
        do throws(LiveChainWireError) {
            return try LiveChainWire.upokt(response.balance, "balance of \(address)")
        } catch {
            throw invalid(method, error.description)
        }
    }

    /// `/cosmos.tx.v1beta1.Service/Simulate`: `gas_used`. A transaction the
    /// node refuses to simulate is `invalidResponse` (the SDK says UNKNOWN).
    public func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64 {
        let method = Cosmos_Tx_V1beta1_Service.Method.Simulate.descriptor
        let response = try await call(method) { options in
            try await self.txService.simulate(.with { $0.txBytes = Data(txBytes) }, options: options)
        }
        guard response.hasGasInfo else { throw invalid(method, "no gas_info") }
        return response.gasInfo.gasUsed
    }

    /// `/cosmos.tx.v1beta1.Service/BroadcastTx` in SYNC mode: CheckTx's code,
    /// the hash and the raw log. A refusal is an answer (non-zero code), not
    /// an error.
    public func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult {
        let method = Cosmos_Tx_V1beta1_Service.Method.BroadcastTx.descriptor
        let response = try await call(method) { options in
            try await self.txService.broadcastTx(.with {
                $0.txBytes = Data(txBytes)
                $0.mode = .sync
            }, options: options)
        }
        guard response.hasTxResponse, !response.txResponse.txhash.isEmpty else { throw invalid(method, "no tx_response") }
        let answer = response.txResponse
        return BroadcastResult(txHash: answer.txhash, code: answer.code, log: answer.rawLog)
    }
}
