import PocketProtocol

/// Signs and broadcasts one supplier's claim and proof transactions for the
/// claim submitter, the proof submitter and the reconciler. Every broadcast
/// checks first that the worker still runs: a stopped or fenced worker never
/// submits (its last fenced write was refused before it got here).
///
/// Used only from its worker's isolation (hence `nonisolated(nonsending)`).
final class TxSender {
    private let supplier: String
    private let chain: any ChainPort
    private let builder: MinerTxBuilder
    private let stop: StopFlag
    private let log: WorkerTelemetry
    /// The supplier's account number: fixed once the account exists, so asked once.
    private var accountNumber: UInt64?

    init(supplier: String, key: any SupplierSigner, config: MinerConfig, chain: any ChainPort, stop: StopFlag, log: WorkerTelemetry) {
        self.supplier = supplier
        self.chain = chain
        self.stop = stop
        self.log = log
        builder = MinerTxBuilder(config: config, chain: chain, signer: key)
    }

    /// One signed tx of `messages` (see `MinerTxBuilder.build`).
    nonisolated(nonsending) func sign(_ messages: [MinerMessage], blockTime: RuntimeInstant, uniqueness: Bytes) async throws -> SignedCosmosTx {
        try await builder.build(messages: messages, accountNumber: try await account(), blockTime: blockTime, uniqueness: uniqueness)
    }

    /// The same messages and unordered timestamp as `txBytes`, re-signed with more gas (see `MinerTxBuilder.replacement`).
    nonisolated(nonsending) func replacement(of txBytes: Bytes) async throws -> SignedCosmosTx {
        try builder.replacement(of: txBytes, accountNumber: try await account())
    }

    /// Broadcasts once: the node's answer, or why it could not be reached.
    /// Throws only if the worker stopped.
    nonisolated(nonsending) func send(_ txBytes: Bytes) async throws -> Result<BroadcastResult, ChainError> {
        try stop.checkRunning()
        do {
            return .success(try await chain.broadcast(txBytes: txBytes))
        } catch {
            return .failure(error)
        }
    }

    /// Broadcasts and reports: `event` with the node's code (and log when
    /// refused), or `errorEvent` when the node is unreachable.
    nonisolated(nonsending) func broadcast(_ txBytes: Bytes, event: String, errorEvent: String, fields: TelemetryLabels) async throws {
        switch try await send(txBytes) {
        case .success(let result):
            log.event(event, fields + [("code", String(result.code))] + (result.accepted ? [] : [("log", result.log)]))
        case .failure(let error):
            log.event(errorEvent, fields + [("step", "broadcast"), ("error", "\(error)")])
        }
    }

    private nonisolated(nonsending) func account() async throws -> UInt64 {
        if let n = accountNumber { return n }
        let n = try await chain.account(address: supplier).accountNumber
        accountNumber = n
        return n
    }
}
