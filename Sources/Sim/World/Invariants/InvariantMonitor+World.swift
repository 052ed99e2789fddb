import SimKernel
import SimRedis

extension InvariantMonitor {
    /// Feeds the monitor every event `trace` records from now on,
    /// synchronously, on the simulator thread, in trace order.
    func watch(_ trace: SimTrace) {
        trace.observe { [self] event in observe(event) }
    }
}

extension EndOfRun {
    /// The final state of `redis` the end-of-run invariants need.
    static func of(redis: RedisModel, at nanoseconds: Int64) -> EndOfRun {
        var pending: [String] = []
        for key in redis.keys(ofType: .stream).sorted() {
            guard let snapshot = redis.streamSnapshot(key) else { continue }
            for group in snapshot.groups where !group.pending.isEmpty {
                pending.append("\(key) \(group.name): \(group.pending.count) pending")
            }
        }
        return EndOfRun(nanosecondsSinceStart: nanoseconds, pendingEntries: pending)
    }
}
