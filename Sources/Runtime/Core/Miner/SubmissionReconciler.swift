import PocketProtocol

/// Keeps recorded claim and proof intents the only txs ever sent for their
/// sessions: re-broadcasts a recorded tx that has not landed (same bytes,
/// or one same-body replacement the node will take), and on rebuild gives a
/// signed batch's intent to the batch-mates a crash left without one.
///
/// Used only from its worker's isolation (hence `nonisolated(nonsending)`).
struct SubmissionReconciler {
    let records: SessionRecordStore
    let sender: TxSender
    let log: WorkerTelemetry

    /// Claims and proofs are batched per supplier per session end, but their
    /// intents are written one session at a time: a crash in between leaves
    /// some sessions of a signed batch without a record. Give them the batch's
    /// intent, so a new owner never builds a second, different tx for them.
    nonisolated(nonsending) func adoptBatchIntents(_ sessions: [MinerSessionState], byID: [String: MinerSessionState]) async throws {
        for s in sessions {
            for kind in SubmissionKind.allCases {
                guard let intent = s.submission[intent: kind] else { continue }
                for id in MinerMessages.sessionIDs(inTx: intent.txBytes, typeURL: kind.messageTypeURL) where id != s.id {
                    guard let mate = byID[id], mate.submission[intent: kind] == nil else { continue }
                    if kind == .proof, let r = s.submission.proofRequirement, mate.submission.proofRequirement == nil {
                        try await records.record(.intent(kind, intent), .proofRequirement(r), for: mate)
                    } else {
                        try await records.record(.intent(kind, intent), for: mate)
                    }
                }
            }
        }
    }

    /// Re-broadcasts the recorded `kind` tx of `group` (sessions sharing one
    /// tx still missing on chain); the new count is written (fenced) first.
    /// If the node refuses the same bytes (typically: still in its mempool,
    /// never included), the same messages are re-signed with the same
    /// unordered timeout timestamp — on chain at most one tx per (signer,
    /// timestamp) executes — and a higher gas limit, recorded as the intent
    /// before it is broadcast.
    nonisolated(nonsending) func resubmit(_ kind: SubmissionKind, _ group: [MinerSessionState], height: Int64) async throws {
        let intents = group.compactMap { $0.submission[intent: kind] }
        guard let intent = intents.first else { return }
        let count = (intents.map(\.resubmits).max() ?? 0) + 1
        for s in group {
            try await records.record(.resubmits(kind, count), for: s)
            s.resubmitsByThisOwner[kind, default: 0] += 1
        }
        log.count(MinerMetrics.resubmissions, [("kind", kind.rawValue)])
        var fields: TelemetryLabels = [("kind", kind.rawValue), ("sessions", String(group.count)),
                                       ("session", group.map(\.id).joined(separator: ",")), ("height", String(height)),
                                       ("resubmits", String(count))]
        let first: BroadcastResult
        switch try await sender.send(intent.txBytes) {
        case .success(let result): first = result
        case .failure(let error):
            log.event(kind.errorEvent, fields + [("tx", intent.txHash), ("step", "broadcast"), ("error", "\(error)")])
            return
        }
        if first.accepted {
            log.event(MinerEvent.reconcileResubmit, fields + [("tx", intent.txHash), ("code", "0")])
            return
        }
        let replacement: SignedCosmosTx
        do {
            replacement = try await sender.replacement(of: intent.txBytes)
        } catch {
            log.event(kind.errorEvent, fields + [("tx", intent.txHash), ("step", "replace"), ("code", String(first.code)), ("error", "\(error)")])
            return
        }
        let replaced = SubmissionIntent(txBytes: replacement.txRawBytes, txHash: replacement.hash, height: intent.height, resubmits: count)
        for s in group { try await records.record(.intent(kind, replaced), for: s) }
        fields += [("tx", replacement.hash), ("replaces", intent.txHash), ("refused_code", String(first.code))]
        try await sender.broadcast(replacement.txRawBytes, event: MinerEvent.reconcileResubmit, errorEvent: kind.errorEvent, fields: fields)
    }
}

extension SubmissionKind {
    /// The type URL of this kind's message in a signed tx.
    var messageTypeURL: String { self == .claim ? MinerMessages.createClaimURL : MinerMessages.submitProofURL }
}
