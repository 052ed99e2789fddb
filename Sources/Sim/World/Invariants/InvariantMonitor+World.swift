import PocketProtocol
import SimKernel
import SimRedis

extension InvariantMonitor {
    /// Feeds the monitor every event `trace` records from now on, and returns
    /// the gateways' outcome book wired to hand it each acknowledgement as a
    /// typed event. Both arrive synchronously on the simulator thread.
    func watch(_ trace: SimTrace) -> RelayOutcomes {
        trace.observe { [self] event in observe(event) }
        return RelayOutcomes { [self] supplier, session, hash, time in
            observe(.relayAcknowledged(supplier: supplier, session: session, relayHash: hash), at: time) {
                "gateways relay.acknowledged supplier=\(supplier) session=\(session) relay_hash=\(Hex.encode(hash))"
            }
        }
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
