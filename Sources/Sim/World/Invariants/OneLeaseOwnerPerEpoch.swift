/// `one_lease_owner_per_epoch`: no two miner instances ever held a
/// supplier's lease with the same fencing epoch. Fencing is only safe if an
/// epoch names one owner: a second owner at the same epoch could write
/// (seal, submit) alongside the first without being refused. Checked on
/// every `lease.acquired`, so the run stops at the acquisition that broke it.
struct OneLeaseOwnerPerEpoch: InvariantCheck {
    let name = "one_lease_owner_per_epoch"
    let checkedAtEnd = false

    private struct Key: Hashable {
        let supplier: String
        let epoch: UInt64
    }

    /// The first instance that acquired each (supplier, epoch).
    private var owners: [Key: String] = [:]

    mutating func observe(_ event: WorldEvent, at _: Int64) -> String? {
        guard case .leaseAcquired(let supplier, let epoch, let instance) = event else { return nil }
        let key = Key(supplier: supplier, epoch: epoch)
        guard let owner = owners[key] else {
            owners[key] = instance
            return nil
        }
        return owner == instance ? nil : "\(supplier)#\(epoch) acquired by \(owner) and then by \(instance)"
    }
}
