import Foundation
import PocketProtocol
import RelayRuntime
import SimChain

/// Writes one journal line per produced block: the block, and the bytes of
/// the transactions admitted since the previous block (from the gRPC tx
/// service's archive), read off the chain's ledger in admission order.
actor ChainJournalRecorder {
    let journal: ChainJournal
    let chain: FakeChain
    let archive: TxArchive
    /// Ledger transactions already written.
    private var written: Int

    init(journal: ChainJournal, chain: FakeChain, archive: TxArchive, alreadyWritten: Int) {
        self.journal = journal
        self.chain = chain
        self.archive = archive
        written = alreadyWritten
    }

    func record(_ block: ChainBlock) async throws(StandInStateError) {
        let transactions = await chain.ledger.transactions
        var txs: [ChainJournal.Tx] = []
        // Admitted before this block: broadcast while the previous block was the latest.
        while written < transactions.count, transactions[written].broadcastHeight == block.height - 1 {
            let record = transactions[written]
            guard let bytes = await archive.bytes(hash: record.hash) else {
                throw .writeFailed(path: journal.path, reason: "the bytes of admitted transaction \(record.hash) are not in the archive")
            }
            txs.append(ChainJournal.Tx(bytes: Data(bytes).base64EncodedString(), dropped: record.status == .dropped ? true : nil))
            written += 1
        }
        try journal.append(ChainJournal.Block(height: block.height, time_ns: block.time.unixNanoseconds,
                                              hash: CometFormat.hash(block.hash), txs: txs))
    }
}

extension ChainJournal {
    /// Rebuilds `blocks` on a chain fresh from the journal's genesis: each
    /// block's transactions are broadcast with the clock pinned to its
    /// recorded time, then the block is produced, and its hash must equal the
    /// recorded one. Returns how many ledger transactions the replay admitted.
    static func replay(_ blocks: [Block], path: String, into chain: FakeChain, clock: StandInClock, archive: TxArchive) async throws(StandInStateError) -> Int {
        defer { clock.unpin() }
        var admitted = 0
        for block in blocks {
            clock.pin(RuntimeInstant(unixNanoseconds: block.time_ns))
            for (index, tx) in block.txs.enumerated() {
                guard let data = Data(base64Encoded: tx.bytes) else {
                    throw .diverged(path: path, height: block.height, reason: "transaction \(index) is not base64")
                }
                let bytes = Bytes(data)
                if tx.dropped == true { await chain.dropTransactions(count: 1) }
                await archive.rememberBeforeBroadcast(bytes)
                let result: BroadcastResult
                do { result = try await chain.broadcast(txBytes: bytes) } catch {
                    throw .diverged(path: path, height: block.height, reason: "broadcast of transaction \(index) failed: \(error)")
                }
                guard result.accepted else {
                    throw .diverged(path: path, height: block.height,
                                    reason: "transaction \(result.txHash) was refused with code \(result.code): \(result.log)")
                }
                admitted += 1
            }
            let produced = await chain.produceBlock()
            let hash = CometFormat.hash(produced.hash)
            guard produced.height == block.height, hash == block.hash else {
                throw .diverged(path: path, height: block.height, reason: "rebuilt block \(produced.height) has hash \(hash), the journal says \(block.hash)")
            }
        }
        return admitted
    }
}
