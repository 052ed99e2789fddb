import Foundation
import GRPCCore
import PocketChainAPI
import PocketProtocol
import RelayRuntime
import SimChain
import SwiftProtobuf

/// `cosmos.tx.v1beta1.Service`: gas estimation, broadcast and lookup of
/// signed transactions, with the answers a node gives. Broadcast runs the
/// fake chain's CheckTx and reports its code and log in `tx_response` (code
/// 0 = in the mempool, not yet in a block); a refused transaction is a
/// normal answer with a non-zero code, not a gRPC error.
struct TxService: Cosmos_Tx_V1beta1_Service.SimpleServiceProtocol {
    let chain: FakeChain
    let archive: TxArchive

    /// Gas used as CheckTx measures it; `gas_wanted` is the transaction's own
    /// limit. A transaction CheckTx refuses is UNKNOWN with the refusal, as the
    /// SDK reports simulation failures.
    func simulate(request: Cosmos_Tx_V1beta1_SimulateRequest, context: ServerContext) async throws -> Cosmos_Tx_V1beta1_SimulateResponse {
        let bytes: Bytes
        if !request.txBytes.isEmpty {
            bytes = Bytes(request.txBytes)
        } else if request.hasTx, let raw = DecodedTx.rawBytes(of: request.tx) {
            bytes = raw
        } else {
            throw RPCError.invalidArgument("empty txBytes is not allowed")
        }
        let gasUsed: UInt64
        do throws(ChainError) {
            gasUsed = try await chain.simulate(txBytes: bytes)
        } catch {
            if case .invalidResponse(let message) = error { throw RPCError(code: .unknown, message: message) }
            throw RPCError(error)
        }
        let decoded = DecodedTx(bytes)
        var response = Cosmos_Tx_V1beta1_SimulateResponse()
        response.gasInfo.gasWanted = decoded?.gasLimit ?? 0
        response.gasInfo.gasUsed = gasUsed
        response.result.msgResponses = (decoded?.messageTypeURLs ?? []).map { url in
            var any = Google_Protobuf_Any()
            any.typeURL = url + "Response"
            return any
        }
        return response
    }

    /// SYNC answers with CheckTx's verdict; ASYNC only with the hash (as a
    /// node does, which answers before CheckTx). BLOCK mode is gone from the
    /// SDK and is refused like any unsupported mode.
    func broadcastTx(request: Cosmos_Tx_V1beta1_BroadcastTxRequest, context: ServerContext) async throws -> Cosmos_Tx_V1beta1_BroadcastTxResponse {
        guard !request.txBytes.isEmpty else { throw RPCError.invalidArgument("invalid empty tx") }
        guard request.mode == .sync || request.mode == .async else {
            throw RPCError.invalidArgument("unsupported broadcast mode \(request.mode); supported: BROADCAST_MODE_SYNC, BROADCAST_MODE_ASYNC")
        }
        let bytes = Bytes(request.txBytes)
        let hash = await archive.rememberBeforeBroadcast(bytes)
        let result: BroadcastResult
        do {
            result = try await chainCall { () async throws(ChainError) in try await chain.broadcast(txBytes: bytes) }
        } catch {
            await archive.forget(hash: hash)
            throw error
        }
        if !result.accepted { await archive.forget(hash: hash) }
        var txResponse = Cosmos_Base_Abci_V1beta1_TxResponse()
        txResponse.txhash = result.txHash
        if request.mode == .sync {
            txResponse.code = result.code
            txResponse.codespace = TxResultCode.checkTxCodespace(result.code)
            txResponse.rawLog = result.log
            txResponse.gasWanted = Int64(clamping: DecodedTx(bytes)?.gasLimit ?? 0)
        }
        var response = Cosmos_Tx_V1beta1_BroadcastTxResponse()
        response.txResponse = txResponse
        return response
    }

    /// A transaction once it is in a block, executed or failed (fee charged,
    /// state reverted); NOT_FOUND while it waits in the mempool, and for
    /// dropped or expired ones, as a node's tx index would have no entry.
    func getTx(request: Cosmos_Tx_V1beta1_GetTxRequest, context: ServerContext) async throws -> Cosmos_Tx_V1beta1_GetTxResponse {
        let hash = request.hash.uppercased()
        guard !hash.isEmpty else { throw RPCError.invalidArgument("tx hash cannot be empty") }
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) }) else {
            throw RPCError.invalidArgument("tx hash must be 64 hex characters, got \"\(request.hash)\"")
        }
        let ledger = await chain.ledger
        guard let record = ledger.transaction(hash) else { throw RPCError.notFound("tx not found: \(hash)") }
        var txResponse = Cosmos_Base_Abci_V1beta1_TxResponse()
        txResponse.txhash = hash
        switch record.status {
        case .included(let height):
            txResponse.height = height
            txResponse.events = Self.messageEvents(record)
        case .failed(let height, let reason):
            txResponse.height = height
            let code = TxResultCode.delivery(txHash: hash, ledger: ledger) ?? (TxResultCode.proofCodespace, 1101)
            txResponse.codespace = code.codespace
            txResponse.code = code.code
            txResponse.rawLog = reason
        default:
            throw RPCError.notFound("tx not found: \(hash) (\(record.status))")
        }
        if let block = try? await chain.block(at: txResponse.height) { txResponse.timestamp = RFC3339.format(block.time) }
        var response = Cosmos_Tx_V1beta1_GetTxResponse()
        if let bytes = await archive.bytes(hash: hash), let decoded = DecodedTx(bytes) {
            response.tx = decoded.tx
            txResponse.tx = decoded.packed
            txResponse.gasWanted = Int64(clamping: decoded.gasLimit)
        }
        response.txResponse = txResponse
        return response
    }

    /// The SDK's per-message `message` events (action, sender, module, index).
    static func messageEvents(_ record: TxRecord) -> [Tendermint_Abci_Event] {
        record.messageKinds.enumerated().map { index, kind in
            let action = "/" + (kind == .claim ? Pocket_Proof_MsgCreateClaim.protoMessageName : Pocket_Proof_MsgSubmitProof.protoMessageName)
            var event = Tendermint_Abci_Event()
            event.type = "message"
            event.attributes = [("action", action), ("sender", record.signer), ("module", "proof"), ("msg_index", String(index))].map { key, value in
                var attribute = Tendermint_Abci_EventAttribute()
                attribute.key = key
                attribute.value = value
                attribute.index = true
                return attribute
            }
            return event
        }
    }
}
