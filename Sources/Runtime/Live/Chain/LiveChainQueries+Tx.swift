import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime

/// A transaction as the node's tx index reports it once it is in a block:
/// code 0 means its messages executed; otherwise they failed and only the
/// fee was charged (docs/protocol.md#confirming-inclusion).
public struct IncludedTx: Sendable, Hashable {
    public let txHash: String
    public let height: Int64
    public let code: UInt32
    public let codespace: String
    public let log: String

    public init(txHash: String, height: Int64, code: UInt32, codespace: String, log: String) {
        self.txHash = txHash
        self.height = height
        self.code = code
        self.codespace = codespace
        self.log = log
    }

    public var succeeded: Bool { code == 0 }
}

extension LiveChainQueries {
    /// `/cosmos.tx.v1beta1.Service/GetTx`: where a broadcast transaction
    /// ended up. `notFound` while it waits in the mempool, and for one that
    /// was dropped or expired: not (yet) in any block. Not part of the port;
    /// for operators and tests that confirm inclusion by hash rather than
    /// by module state.
    public func includedTx(hash: String) async throws(ChainError) -> IncludedTx {
        let method = Cosmos_Tx_V1beta1_Service.Method.GetTx.descriptor
        let response = try await call(method) { options in
            try await self.txService.getTx(.with { $0.hash = hash }, options: options)
        }
        guard response.hasTxResponse, response.txResponse.height > 0 else { throw invalid(method, "no tx_response with a height for \(hash)") }
        let answer = response.txResponse
        guard answer.txhash.uppercased() == hash.uppercased() else { throw invalid(method, "asked for tx \(hash), got \(answer.txhash)") }
        return IncludedTx(txHash: answer.txhash, height: answer.height, code: answer.code, codespace: answer.codespace, log: answer.rawLog)
    }
}
