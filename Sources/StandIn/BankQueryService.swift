import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain

/// `cosmos.bank.v1beta1.Query/Balance`. The fake chain holds only uPOKT:
/// any other valid denom, like any unknown account, has a zero balance.
struct BankQueryService: Cosmos_Bank_V1beta1_Query.SimpleServiceProtocol {
    let chain: FakeChain

    func balance(request: Cosmos_Bank_V1beta1_QueryBalanceRequest, context: ServerContext) async throws -> Cosmos_Bank_V1beta1_QueryBalanceResponse {
        try Self.checkDenom(request.denom)
        try RequestCheck.address(request.address, field: "address")
        let amount = request.denom == "upokt"
            ? try await chainCall { () async throws(ChainError) in try await chain.balance(address: request.address) }
            : 0
        var coin = Cosmos_Base_V1beta1_Coin()
        coin.denom = request.denom
        coin.amount = String(amount)
        var response = Cosmos_Bank_V1beta1_QueryBalanceResponse()
        response.balance = coin
        return response
    }

    /// The SDK's denom rule: a letter, then 2–127 of [a-zA-Z0-9/:._-].
    static func checkDenom(_ denom: String) throws(RPCError) {
        let bytes = Array(denom.utf8)
        func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        func isAllowed(_ c: UInt8) -> Bool {
            isLetter(c) || (c >= 0x30 && c <= 0x39) || c == 0x2F || c == 0x3A || c == 0x2E || c == 0x5F || c == 0x2D
        }
        guard bytes.count >= 3, bytes.count <= 128, isLetter(bytes[0]), bytes.dropFirst().allSatisfy(isAllowed) else {
            throw .invalidArgument("invalid denom: \(denom)")
        }
    }
}
