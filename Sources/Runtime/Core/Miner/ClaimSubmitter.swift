import PocketProtocol

/// Turns a block's claim batch (one supplier's sessions of one session end)
/// into one signed `MsgCreateClaim` tx: intent recorded on every session
/// before the broadcast, so a new owner can only re-broadcast these bytes.
///
/// Used only from its worker's isolation (hence `nonisolated(nonsending)`).
struct ClaimSubmitter {
    let supplier: String
    let records: SessionRecordStore
    let sender: TxSender
    let chainData: ChainDataCache
    let log: WorkerTelemetry

    /// Splits a batch into sessions the chain would accept and sessions whose
    /// tree violates `sum = count × compute_units_per_relay` at session start
    /// (reported here; the worker fails them): one such session in a batch
    /// would make the chain reject the whole tx.
    nonisolated(nonsending) func screen(_ batch: [MinerSessionState], height: Int64) async throws -> (ready: [MinerSessionState], mismatched: [MinerSessionState]) {
        var ready: [MinerSessionState] = []
        var mismatched: [MinerSessionState] = []
        for s in batch {
            let cupr = try await chainData.computeUnitsPerRelay(serviceID: s.info.serviceID, sessionStart: s.info.sessionStart, current: height)
            let (count, sum) = (s.tree.count, s.tree.sum)
            let expected = count.multipliedReportingOverflow(by: cupr)
            if expected.overflow || expected.partialValue != sum {
                log.event(MinerEvent.claimSkipped, s.fields + [("reason", SessionFailure.computeUnitsMismatch.rawValue), ("relays", String(count)),
                                                              ("sum", String(sum)), ("compute_units_per_relay", String(cupr))])
                mismatched.append(s)
            } else {
                ready.append(s)
            }
        }
        return (ready, mismatched)
    }

    /// Signs one claim tx for `ready`, records it as every session's intent, broadcasts it.
    nonisolated(nonsending) func submit(_ ready: [MinerSessionState], block: ChainBlock) async throws {
        guard let first = ready.first else { return }
        let messages = ready.map { MinerMessages.createClaim(supplier: supplier, session: $0.info, root: $0.tree.root) }
        let tx = try await sender.sign(messages, blockTime: block.time,
                                       uniqueness: Array("claim/\(first.end)/".utf8) + Array(ready.map(\.id).joined(separator: ",").utf8))
        let intent = SubmissionIntent(txBytes: tx.txRawBytes, txHash: tx.hash, height: block.height)
        for s in ready { try await records.record(.intent(.claim, intent), for: s) }
        let fields: TelemetryLabels = [("session_end", String(first.end)), ("sessions", String(ready.count)), ("tx", tx.hash),
                                       ("height", String(block.height)), ("relays", String(ready.reduce(0) { $0 + $1.tree.count }))]
        try await sender.broadcast(tx.txRawBytes, event: MinerEvent.claimBroadcast, errorEvent: MinerEvent.claimError, fields: fields)
    }
}
