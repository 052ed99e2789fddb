import PocketProtocol

/// Who should own which supplier, as pure functions (the lease operations
/// themselves are in `Miner`). Each live instance takes at most its fair
/// share `ceil(suppliers / live instances)`; preferences come from a
/// rendezvous hash of (instance, supplier), so every instance ranks the same
/// way without talking to the others and a change in membership moves only
/// the suppliers it has to.
public enum OwnershipPlanner {
    /// `ceil(suppliers / instances)`, with at least one instance (this one).
    public static func fairShare(suppliers: Int, liveInstances: Int) -> Int {
        let n = max(1, liveInstances)
        return (suppliers + n - 1) / n
    }

    /// Rendezvous score: big-endian u64 of sha256(instance ‖ 0x00 ‖ supplier).
    public static func score(instance: String, supplier: String) -> UInt64 {
        ByteOrder.readBigEndian64(Hash.sha256(Array(instance.utf8) + [0] + Array(supplier.utf8)), at: 0)
    }

    /// The live instance that ranks `supplier` highest (ties by instance id).
    public static func home(of supplier: String, among instances: [String]) -> String? {
        var best: (instance: String, score: UInt64)?
        for instance in instances {
            let s = score(instance: instance, supplier: supplier)
            if let b = best, s < b.score || (s == b.score && instance >= b.instance) { continue }
            best = (instance, s)
        }
        return best?.instance
    }

    public struct Plan: Sendable, Hashable {
        /// Owned suppliers to give up, least preferred first.
        public var release: [String]
        /// Suppliers to try to acquire, most preferred first (try until `wanted` succeed).
        public var candidates: [String]
        /// How many more suppliers this instance may own.
        public var wanted: Int
        public var share: Int
    }

    /// What `me` should release and try to acquire. `suppliers` are the keys
    /// this process holds; suppliers owned but no longer held are released
    /// first. Preference: suppliers whose rendezvous home is `me`, then by
    /// `me`'s score (descending), then by address.
    public static func plan(me: String, suppliers: [String], live: [String], owned: [String]) -> Plan {
        let instances = live.contains(me) ? live : live + [me]
        let supplierSet = Set(suppliers)
        let share = fairShare(suppliers: supplierSet.count, liveInstances: instances.count)
        // Sort keys computed once per supplier (sorting with hashes in the comparator cost a fleet's miners ~10% of a run).
        func byPreference(_ names: [String]) -> [String] {
            names.map { s in (name: s, isHome: home(of: s, among: instances) == me, score: score(instance: me, supplier: s)) }
                .sorted { a, b in
                    if a.isHome != b.isHome { return a.isHome }
                    if a.score != b.score { return a.score > b.score }
                    return a.name < b.name
                }
                .map(\.name)
        }
        let ownedSorted = owned.sorted()
        var release = ownedSorted.filter { !supplierSet.contains($0) }
        let kept = byPreference(ownedSorted.filter { supplierSet.contains($0) })
        if kept.count > share { release += kept[share...].reversed() }
        let keptCount = min(kept.count, share)
        let ownedSet = Set(owned)
        let candidates = byPreference(supplierSet.filter { !ownedSet.contains($0) })
        return Plan(release: release, candidates: candidates, wanted: max(0, share - keptCount), share: share)
    }
}
