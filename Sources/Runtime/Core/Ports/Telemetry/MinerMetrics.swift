/// Every metric the miner reports, in the reference's `ha_miner_*` family.
public enum MinerMetrics {
    public static let ownedSuppliers = MetricDescriptor(
        "ha_miner_owned_suppliers", .gauge, help: "Suppliers whose lease this replica holds.", labels: ["instance"])
    public static let fairShare = MetricDescriptor(
        "ha_miner_fair_share", .gauge, help: "Suppliers this replica should own given the live replicas.", labels: ["instance"])
    public static let entriesConsumed = MetricDescriptor(
        "ha_miner_relays_consumed_total", .counter, help: "Relay stream entries applied to a session tree.", labels: ["supplier"])
    public static let entriesDiscarded = MetricDescriptor(
        "ha_miner_relays_discarded_total", .counter, help: "Relay stream entries not applied, by reason.", labels: ["supplier", "reason"])
    public static let entriesReclaimed = MetricDescriptor(
        "ha_miner_relays_reclaimed_total", .counter, help: "Pending entries of dead consumers taken over.", labels: ["supplier"])
    public static let resubmissions = MetricDescriptor(
        "ha_miner_rebroadcasts_total", .counter, help: "Claim or proof transactions sent again after not being included.",
        labels: ["supplier", "kind"])
    public static let sessionsFailed = MetricDescriptor(
        "ha_miner_sessions_failed_total", .counter, help: "Sessions that ended without their reward, by reason.", labels: ["supplier", "reason"])

    public static let all: [MetricDescriptor] = [
        ownedSuppliers, fairShare, entriesConsumed, entriesDiscarded, entriesReclaimed, resubmissions, sessionsFailed,
    ]
}
