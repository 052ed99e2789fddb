import PocketProtocol

/// The signed bytes of the transactions this endpoint admitted, by hash, so
/// GetTx can return the transaction itself: the fake chain's ledger records
/// what became of a transaction, not its bytes. Bounded: the oldest entries
/// are forgotten first (GetTx then answers without the `tx` body).
actor TxArchive {
    let capacity: Int
    private var bytesByHash: [String: Bytes] = [:]
    private var order: [String] = []

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// Remembers `bytes` under their tx hash *before* they go to the chain, so
    /// nothing that reads the ledger after the chain admitted them (the journal
    /// at the next block) can find a hash without its bytes; `forget` if refused.
    @discardableResult
    func rememberBeforeBroadcast(_ bytes: Bytes) -> String {
        let hash = CosmosTx.hash(txRaw: bytes)
        remember(hash: hash, bytes: bytes)
        return hash
    }

    func forget(hash: String) {
        guard bytesByHash.removeValue(forKey: hash) != nil else { return }
        order.removeAll { $0 == hash }
    }

    func remember(hash: String, bytes: Bytes) {
        guard bytesByHash.updateValue(bytes, forKey: hash) == nil else { return }
        order.append(hash)
        if order.count > capacity {
            let dropped = order.count - capacity
            for old in order.prefix(dropped) { bytesByHash[old] = nil }
            order.removeFirst(dropped)
        }
    }

    func bytes(hash: String) -> Bytes? {
        bytesByHash[hash]
    }
}
