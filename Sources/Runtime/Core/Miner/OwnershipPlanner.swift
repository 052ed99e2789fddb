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
        instances.max { a, b in
            let sa = score(instance: a, supplier: supplier), sb = score(instance: b, supplier: supplier)
            return sa != sb ? sa < sb : a > b
        }
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
        var preferences: [String: (Int, UInt64)] = [:]
        for s in supplierSet.union(owned) {
            preferences[s] = (home(of: s, among: instances) == me ? 1 : 0, score(instance: me, supplier: s))
        }
        func morePreferred(_ a: String, _ b: String) -> Bool {
            let pa = preferences[a]!, pb = preferences[b]!
            if pa != pb { return pa > pb }
            return a < b
        }
        let ownedSorted = owned.sorted()
        var release = ownedSorted.filter { !supplierSet.contains($0) }
        let kept = ownedSorted.filter { supplierSet.contains($0) }.sorted(by: morePreferred)
        if kept.count > share { release += kept[share...].reversed() }
        let keptCount = min(kept.count, share)
        let ownedSet = Set(owned)
        let candidates = supplierSet.filter { !ownedSet.contains($0) }.sorted(by: morePreferred)
        return Plan(release: release, candidates: candidates, wanted: max(0, share - keptCount), share: share)
    }
}
