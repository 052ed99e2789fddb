import PocketProtocol
import RelayRuntime

/// The fault API the fault-injection layer drives. Every fault is recorded in
/// the trace; all randomness comes from the chain's "chain.mempool" stream.
extension FakeChain {
    // MARK: Mempool

    /// The next `count` accepted transactions matching `filter` are lost
    /// (nil: every one until `clearMempoolFaults`). Broadcasters still get code 0.
    public func dropTransactions(count: Int? = 1, filter: TxFilter = .all) {
        arm(.drop, count: count, filter: filter)
    }

    /// The next `count` matching transactions are included `blocks` blocks later than normal.
    public func delayTransactions(byBlocks blocks: Int, count: Int? = 1, filter: TxFilter = .all) {
        arm(.delay(blocks: max(0, blocks)), count: count, filter: filter)
    }

    /// The next `count` matching transactions stay in the mempool (so a
    /// rebroadcast of the same bytes is refused as a duplicate) but are never
    /// included; they leave it only when their timeout passes.
    public func neverIncludeTransactions(count: Int? = 1, filter: TxFilter = .all) {
        arm(.neverInclude, count: count, filter: filter)
    }

    /// Drops each matching accepted transaction with `probability`, drawn from the entropy stream.
    public func setDropProbability(_ probability: Double, filter: TxFilter = .all) {
        faults.dropProbability = probability
        faults.dropProbabilityFilter = filter
        record("fault.mempool", [("action", "drop_probability"), ("probability", String(probability)), ("filter", filter.rawValue)])
    }

    /// Shuffles the transactions of every block (entropy stream) instead of keeping arrival order.
    public func setReorderWithinBlock(_ enabled: Bool) {
        faults.reorderWithinBlock = enabled
        record("fault.mempool", [("action", "reorder"), ("enabled", String(enabled))])
    }

    /// Back to normal: every accepted transaction goes into the next block, in order.
    public func clearMempoolFaults() {
        faults = MempoolFaults()
        record("fault.mempool", [("action", "clear")])
    }

    /// The armed rules, in the order they apply.
    public var mempoolFaultRules: [MempoolFaultRule] { faults.rules }

    private func arm(_ action: MempoolFaultAction, count: Int?, filter: TxFilter) {
        if let count, count <= 0 { return }
        faults.rules.append(MempoolFaultRule(action: action, filter: filter, remaining: count))
        record("fault.mempool", [("action", action.description), ("count", count.map(String.init) ?? "all"), ("filter", filter.rawValue)])
    }

    // MARK: Block production

    /// No blocks for the next `blocks` block slots, then production resumes
    /// (heights stay consecutive; the next block is simply later).
    public func stall(blocks: Int) {
        stalledSlots += max(0, blocks)
        record("fault.stall", [("blocks", String(blocks)), ("after_height", String(latestHeight))])
    }

    // MARK: Links

    /// Cuts `node` off: every call through its link answers `.unavailable`
    /// and its block subscriptions end.
    public func partition(node: String) {
        links[node, default: LinkCondition()].partitioned = true
        for id in subscribers.keys.sorted() where subscribers[id]!.node == node {
            subscribers[id]!.continuation.finish()
            subscribers[id] = nil
        }
        record("fault.link", [("node", node), ("action", "partition")])
    }

    public func heal(node: String) {
        links[node, default: LinkCondition()].partitioned = false
        record("fault.link", [("node", node), ("action", "heal")])
    }

    /// Every call through `node`'s link (and every block it is notified of) takes `latency` longer.
    public func setLatency(node: String, _ latency: Duration) {
        links[node, default: LinkCondition()].latency = latency
        record("fault.link", [("node", node), ("action", "latency"), ("ms", String(latency.milliseconds))])
    }

    func linkCondition(_ node: String) -> LinkCondition {
        links[node] ?? LinkCondition()
    }

    func subscribeThroughLink(node: String) throws(ChainError) -> AsyncStream<ChainBlock> {
        guard !linkCondition(node).partitioned else { throw .unavailable("node \(node) is partitioned from the chain") }
        return subscribe(node: node)
    }

    // MARK: Governance and delegation

    /// Replaces the live proof params (a governance change, effective immediately).
    public func setProofParams(_ params: ProofParams) {
        proofParamsLive = params
        record("params.proof", [
            ("probability", String(params.proofRequestProbability)), ("threshold_upokt", String(params.proofRequirementThresholdUPOKT)),
            ("penalty_upokt", String(params.proofMissingPenaltyUPOKT)), ("fee_upokt", String(params.proofSubmissionFeeUPOKT)),
        ])
    }

    /// The application starts delegating to `gateway`.
    public func delegate(application: String, to gateway: String) {
        guard var app = state.applications[application], !app.delegateeGatewayAddresses.contains(gateway) else { return }
        app.delegateeGatewayAddresses.append(gateway)
        state.applications[application] = app
        record("application.delegated", [("application", application), ("gateway", gateway)])
    }

    /// The application stops delegating to `gateway`; the gateway stays in
    /// rings of sessions up to the current session end (pending undelegation).
    public func undelegate(application: String, from gateway: String) {
        guard var app = state.applications[application], let i = app.delegateeGatewayAddresses.firstIndex(of: gateway) else { return }
        app.delegateeGatewayAddresses.remove(at: i)
        let end = UInt64(SessionGrid(liveSharedParams).sessionEnd(max(latestHeight, 1)))
        app.pendingUndelegations[end, default: Pocket_Application_UndelegatingGatewayList()].gatewayAddresses.append(gateway)
        state.applications[application] = app
        record("application.undelegated", [("application", application), ("gateway", gateway), ("session_end", String(end))])
    }
}

/// How one node's link to the chain behaves.
struct LinkCondition: Sendable {
    var partitioned = false
    var latency: Duration = .zero
}
