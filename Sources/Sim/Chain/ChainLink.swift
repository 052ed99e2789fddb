import PocketProtocol
import RelayRuntime

extension FakeChain {
    /// The chain as simulated node `node` reaches it: partitionable and
    /// slowable per node (`partition(node:)`, `setLatency(node:_:)`).
    public nonisolated func link(for node: String) -> ChainLink {
        ChainLink(chain: self, node: node)
    }
}

/// One node's connection to the fake chain. While partitioned every call
/// throws `.unavailable` and block subscriptions end; with latency every call
/// takes that long on the virtual clock (the answer reflects the state when
/// the request arrives).
public struct ChainLink: ChainPort {
    let chain: FakeChain
    public let node: String

    /// Waits out the link's latency, failing if the node is (or becomes) partitioned.
    private func traverse() async throws(ChainError) {
        let condition = await chain.linkCondition(node)
        guard !condition.partitioned else { throw .unavailable("node \(node) is partitioned from the chain") }
        guard condition.latency > .zero else { return }
        do {
            try await chain.clock.sleep(for: condition.latency)
        } catch {
            throw .unavailable("call from \(node) cancelled")
        }
        guard await !chain.linkCondition(node).partitioned else { throw .unavailable("node \(node) is partitioned from the chain") }
    }

    public func latestBlock() async throws(ChainError) -> ChainBlock {
        try await traverse()
        return try await chain.latestBlock()
    }

    public func block(at height: Int64) async throws(ChainError) -> ChainBlock {
        try await traverse()
        return try await chain.block(at: height)
    }

    /// New blocks, each delivered after the link's latency; ends when the node is partitioned.
    public func subscribeBlocks() async throws(ChainError) -> AsyncStream<ChainBlock> {
        try await traverse()
        let upstream = IteratorBox(try await chain.subscribeThroughLink(node: node).makeAsyncIterator())
        let (chain, node) = (self.chain, self.node)
        return AsyncStream {
            guard let block = await upstream.next() else { return nil }
            let latency = await chain.linkCondition(node).latency
            if latency > .zero {
                do { try await chain.clock.sleep(for: latency) } catch { return nil }
            }
            return block
        }
    }

    public func sharedParams(atHeight height: Int64) async throws(ChainError) -> SharedParams {
        try await traverse()
        return try await chain.sharedParams(atHeight: height)
    }

    public func numSuppliersPerSession() async throws(ChainError) -> UInt64 {
        try await traverse()
        return try await chain.numSuppliersPerSession()
    }

    public func proofParams() async throws(ChainError) -> ProofParams {
        try await traverse()
        return try await chain.proofParams()
    }

    public func session(application: String, serviceID: String, height: Int64) async throws(ChainError) -> Pocket_Session_Session {
        try await traverse()
        return try await chain.session(application: application, serviceID: serviceID, height: height)
    }

    public func application(address: String) async throws(ChainError) -> Pocket_Application_Application {
        try await traverse()
        return try await chain.application(address: address)
    }

    public func account(address: String) async throws(ChainError) -> ChainAccount {
        try await traverse()
        return try await chain.account(address: address)
    }

    public func balance(address: String) async throws(ChainError) -> UInt64 {
        try await traverse()
        return try await chain.balance(address: address)
    }

    public func supplier(operatorAddress: String) async throws(ChainError) -> Pocket_Shared_Supplier {
        try await traverse()
        return try await chain.supplier(operatorAddress: operatorAddress)
    }

    public func service(id: String) async throws(ChainError) -> Pocket_Shared_Service {
        try await traverse()
        return try await chain.service(id: id)
    }

    public func computeUnitsPerRelay(serviceID: String, atHeight height: Int64) async throws(ChainError) -> UInt64 {
        try await traverse()
        return try await chain.computeUnitsPerRelay(serviceID: serviceID, atHeight: height)
    }

    public func relayDifficultyTarget(serviceID: String, atHeight height: Int64) async throws(ChainError) -> [UInt8] {
        try await traverse()
        return try await chain.relayDifficultyTarget(serviceID: serviceID, atHeight: height)
    }

    public func claims(supplierOperatorAddress: String) async throws(ChainError) -> [Pocket_Proof_Claim] {
        try await traverse()
        return try await chain.claims(supplierOperatorAddress: supplierOperatorAddress)
    }

    public func simulate(txBytes: [UInt8]) async throws(ChainError) -> UInt64 {
        try await traverse()
        return try await chain.simulate(txBytes: txBytes)
    }

    public func broadcast(txBytes: [UInt8]) async throws(ChainError) -> BroadcastResult {
        try await traverse()
        return try await chain.broadcast(txBytes: txBytes)
    }
}

/// Holds the upstream iterator of a link's subscription. Only the one task
/// iterating the returned stream ever touches it.
private final class IteratorBox: @unchecked Sendable {
    private var iterator: AsyncStream<ChainBlock>.Iterator

    init(_ iterator: AsyncStream<ChainBlock>.Iterator) { self.iterator = iterator }

    func next() async -> ChainBlock? { await iterator.next() }
}
