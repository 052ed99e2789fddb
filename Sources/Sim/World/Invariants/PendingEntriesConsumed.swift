/// `pending_entries_consumed`: when the run ends, no stream entry is left
/// pending in a consumer group. A pending entry is one some consumer read
/// and never acknowledged; the Go miner leaves those behind forever when a
/// consumer dies, this one reclaims them (XAUTOCLAIM). Only the final Redis
/// state can tell, so it is checked at the end.
struct PendingEntriesConsumed: InvariantCheck {
    let name = "pending_entries_consumed"
    let checkedAtEnd = true

    mutating func observe(_ event: WorldEvent, at _: Int64) -> String? { nil }

    func finish(_ end: EndOfRun) -> String? {
        end.pendingEntries.isEmpty ? nil : end.pendingEntries.joined(separator: "; ")
    }
}
