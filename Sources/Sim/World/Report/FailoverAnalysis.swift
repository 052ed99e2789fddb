import Foundation
import RelayRuntime
import SimKernel

/// How long suppliers went unowned after their owner died or stopped: from
/// the node's crash/stop event to the next `lease.acquired` of the supplier
/// by another instance. The failover bound ("re-owned within 2 blocks") is
/// asserted on these numbers.
struct FailoverAnalysis {
    struct Takeover {
        let supplier: String
        let seconds: Double
    }

    private(set) var takeovers: [Takeover] = []
    private(set) var orphanedAtEnd = 0
    let blockSeconds: Double

    init(events: [TraceEvent], blockTime: Duration) {
        blockSeconds = Double(blockTime.nanoseconds) / 1e9
        var owner: [String: String] = [:]          // supplier → instance
        var orphanedSince: [String: Int64] = [:]   // supplier → ns its owner went down
        for e in events {
            switch e.event {
            case MinerEvent.leaseAcquired:
                guard let supplier = e.field("supplier"), let instance = e.field("instance") else { continue }
                if let since = orphanedSince.removeValue(forKey: supplier) {
                    takeovers.append(Takeover(supplier: supplier, seconds: Double(e.nanosecondsSinceStart - since) / 1e9))
                }
                owner[supplier] = instance
            case MinerEvent.leaseLost, MinerEvent.leaseReleased:
                guard let supplier = e.field("supplier"), let instance = e.field("instance"), owner[supplier] == instance else { continue }
                owner[supplier] = nil
                if e.event == MinerEvent.leaseReleased, orphanedSince[supplier] == nil { orphanedSince[supplier] = e.nanosecondsSinceStart }
            case "node.crashed", "node.stopped":
                // Instances are named "<node>.<generation>".
                let prefix = e.component + "."
                for (supplier, instance) in owner.sorted(by: { $0.key < $1.key }) where instance.hasPrefix(prefix) {
                    owner[supplier] = nil
                    if orphanedSince[supplier] == nil { orphanedSince[supplier] = e.nanosecondsSinceStart }
                }
            default:
                continue
            }
        }
        orphanedAtEnd = orphanedSince.count
    }

    var maxSeconds: Double { takeovers.map(\.seconds).max() ?? 0 }
    var maxBlocks: Double { blockSeconds > 0 ? (maxSeconds / blockSeconds * 1000).rounded() / 1000 : 0 }
}
