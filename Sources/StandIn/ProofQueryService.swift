import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain

/// `pocket.proof.Query`: the proof module's params and its stored claims and
/// proofs, which is how a miner confirms inclusion (docs/protocol.md#confirming-inclusion).
struct ProofQueryService: Pocket_Proof_Query.SimpleServiceProtocol {
    let chain: FakeChain

    func params(request: Pocket_Proof_QueryParamsRequest, context: ServerContext) async throws -> Pocket_Proof_QueryParamsResponse {
        let params = try await chainCall { () async throws(ChainError) in try await chain.proofParams() }
        var response = Pocket_Proof_QueryParamsResponse()
        response.params = params.wire
        return response
    }

    func claim(request: Pocket_Proof_QueryGetClaimRequest, context: ServerContext) async throws -> Pocket_Proof_QueryGetClaimResponse {
        try Self.check(sessionID: request.sessionID, supplier: request.supplierOperatorAddress)
        guard let claim = await chain.claim(sessionID: request.sessionID, supplierOperatorAddress: request.supplierOperatorAddress) else {
            throw RPCError.notFound("claim not found for session \(request.sessionID) and supplier \(request.supplierOperatorAddress)")
        }
        var response = Pocket_Proof_QueryGetClaimResponse()
        response.claim = claim
        return response
    }

    /// Claims in store order (session id, supplier), narrowed by the filter.
    func allClaims(request: Pocket_Proof_QueryAllClaimsRequest, context: ServerContext) async throws -> Pocket_Proof_QueryAllClaimsResponse {
        let claims = await chain.allClaims().filter { claim in
            switch request.filter {
            case .supplierOperatorAddress(let supplier)?: return claim.supplierOperatorAddress == supplier
            case .sessionID(let id)?: return claim.sessionHeader.sessionID == id
            case .sessionEndHeight(let end)?: return claim.sessionHeader.sessionEndBlockHeight == Int64(clamping: end)
            case nil: return true
            }
        }
        let page = try Pagination.page(claims.map { (Self.storeKey($0.sessionHeader.sessionID, $0.supplierOperatorAddress), $0) },
                                       request.hasPagination ? request.pagination : nil)
        var response = Pocket_Proof_QueryAllClaimsResponse()
        response.claims = page.items
        response.pagination = page.response
        return response
    }

    /// A stored proof. The fake chain validates and drops proofs in the
    /// EndBlocker of the block that delivered them, so between blocks this is
    /// NOT_FOUND; proof status shows on the claim instead.
    func proof(request: Pocket_Proof_QueryGetProofRequest, context: ServerContext) async throws -> Pocket_Proof_QueryGetProofResponse {
        try Self.check(sessionID: request.sessionID, supplier: request.supplierOperatorAddress)
        guard let proof = await chain.proof(sessionID: request.sessionID, supplierOperatorAddress: request.supplierOperatorAddress) else {
            throw RPCError.notFound("proof not found for session \(request.sessionID) and supplier \(request.supplierOperatorAddress)")
        }
        var response = Pocket_Proof_QueryGetProofResponse()
        response.proof = proof
        return response
    }

    /// ValidateBasic of the get-claim/get-proof requests.
    static func check(sessionID: String, supplier: String) throws(RPCError) {
        try RequestCheck.address(supplier, field: "supplier operator address")
        guard !sessionID.isEmpty else { throw .invalidArgument("session ID cannot be empty") }
    }

    /// The chain's primary claim key: session id, then supplier.
    static func storeKey(_ sessionID: String, _ supplier: String) -> Bytes {
        Array(sessionID.utf8) + [0x2F] + Array(supplier.utf8)
    }
}
