import RelayRuntime

/// A map from stream ids to values, kept sorted by id: the model's stand-in
/// for Redis's radix trees keyed by 128-bit big-endian ids (stream entries,
/// group PELs, consumer PELs).
///
/// Storage is two parallel arrays with tombstones: appends at the end (the
/// common case: ids only grow) are O(1), lookups are a binary search, and a
/// removal only clears its slot; dead slots are compacted away in bulk once
/// they outnumber the live ones, so a queue-like use (append new, remove old)
/// stays amortized O(1) per operation. Iteration is always in id order, never
/// in hashing order.
///
/// Slot indices are valid only until the next insert or remove (a removal
/// may compact the storage): loops that remove must re-find their position
/// by id.
struct IDTable<Value> {
    private(set) var ids: [StreamID] = []
    private var values: [Value?] = []
    /// Index of the first slot that may be live (everything before is dead).
    private var head = 0
    /// Number of live slots.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Index of the first slot with id ≥ `id` (may be dead, may be `endIndex`).
    func lowerBound(_ id: StreamID) -> Int {
        var lo = head
        var hi = ids.count
        // Fast paths for the queue-like uses.
        if lo == hi || id <= ids[lo] { return lo }
        if ids[hi - 1] < id { return hi }
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if ids[mid] < id { lo = mid &+ 1 } else { hi = mid }
        }
        return lo
    }

    var endIndex: Int { ids.count }

    /// The first live slot at or after `slot`, or `endIndex`.
    func live(from slot: Int) -> Int {
        var i = Swift.max(slot, head)
        while i < ids.count, values[i] == nil { i &+= 1 }
        return i
    }

    /// The last live slot strictly before `slot`, or nil.
    func live(before slot: Int) -> Int? {
        var i = Swift.min(slot, ids.count) - 1
        while i >= head {
            if values[i] != nil { return i }
            i -= 1
        }
        return nil
    }

    func id(at slot: Int) -> StreamID { ids[slot] }
    func value(at slot: Int) -> Value? { values[slot] }

    mutating func setValue(_ value: Value, at slot: Int) {
        precondition(values[slot] != nil, "IDTable.setValue on a dead slot")
        values[slot] = value
    }

    func slot(of id: StreamID) -> Int? {
        let i = lowerBound(id)
        if i < ids.count, ids[i] == id, values[i] != nil { return i }
        return nil
    }

    subscript(id: StreamID) -> Value? {
        guard let i = slot(of: id) else { return nil }
        return values[i]
    }

    func contains(_ id: StreamID) -> Bool { slot(of: id) != nil }

    var firstSlot: Int? {
        let i = live(from: head)
        return i < ids.count ? i : nil
    }

    var lastSlot: Int? { live(before: ids.count) }

    var firstID: StreamID? { firstSlot.map { ids[$0] } }
    var lastID: StreamID? { lastSlot.map { ids[$0] } }

    /// Inserts or replaces; returns the previous value if `id` was live.
    @discardableResult
    mutating func insert(_ id: StreamID, _ value: Value) -> Value? {
        if ids.isEmpty || ids[ids.count - 1] < id {
            ids.append(id)
            values.append(value)
            count &+= 1
            return nil
        }
        let i = lowerBound(id)
        if i < ids.count, ids[i] == id {
            let old = values[i]
            values[i] = value
            if old == nil { count &+= 1 }
            return old
        }
        // A slot before `head` is dead; inserting there would break the
        // "everything before head is dead" rule, so move head back.
        if i < head { head = i }
        ids.insert(id, at: i)
        values.insert(value, at: i)
        count &+= 1
        return nil
    }

    /// Removes `id`; returns its value if it was live.
    @discardableResult
    mutating func remove(_ id: StreamID) -> Value? {
        guard let i = slot(of: id) else { return nil }
        return remove(at: i)
    }

    @discardableResult
    mutating func remove(at slot: Int) -> Value? {
        guard let old = values[slot] else { return nil }
        values[slot] = nil
        count &-= 1
        if slot == head {
            while head < ids.count, values[head] == nil { head &+= 1 }
        }
        compactIfSparse()
        return old
    }

    mutating func removeAll() {
        ids.removeAll()
        values.removeAll()
        head = 0
        count = 0
    }

    /// Live (id, value) pairs in id order (for tests, snapshots and rare paths).
    var elements: [(id: StreamID, value: Value)] {
        var out: [(id: StreamID, value: Value)] = []
        out.reserveCapacity(count)
        var i = head
        while i < ids.count {
            if let v = values[i] { out.append((ids[i], v)) }
            i &+= 1
        }
        return out
    }

    private mutating func compactIfSparse() {
        let dead = ids.count - count
        guard dead > 64, dead > count else { return }
        if count == 0 {
            removeAll()
            return
        }
        var newIDs: [StreamID] = []
        var newValues: [Value?] = []
        newIDs.reserveCapacity(count * 2)
        newValues.reserveCapacity(count * 2)
        var i = head
        while i < ids.count {
            if values[i] != nil {
                newIDs.append(ids[i])
                newValues.append(values[i])
            }
            i &+= 1
        }
        ids = newIDs
        values = newValues
        head = 0
    }
}

/// A binary min-heap (the model's expiry schedule).
struct MinHeap<Element: Comparable> {
    private(set) var storage: [Element] = []

    var isEmpty: Bool { storage.isEmpty }
    var count: Int { storage.count }
    var min: Element? { storage.first }

    mutating func insert(_ e: Element) {
        storage.append(e)
        var i = storage.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if storage[i] < storage[parent] {
                storage.swapAt(i, parent)
                i = parent
            } else {
                break
            }
        }
    }

    @discardableResult
    mutating func popMin() -> Element? {
        guard !storage.isEmpty else { return nil }
        let top = storage[0]
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < storage.count, storage[l] < storage[m] { m = l }
                if r < storage.count, storage[r] < storage[m] { m = r }
                if m == i { break }
                storage.swapAt(i, m)
                i = m
            }
        }
        return top
    }

    mutating func removeAll() { storage.removeAll() }
}
