/// How long the live chain client keeps its answers, after the reference's
/// query-layer caches (spec reference-relay-miner §1.4): every relay reads
/// sessions, params and applications, and a node cannot take one query per
/// relay.
///
/// * **At-height** answers (shared params at a height, a session, CUPR and
///   difficulty at a height) describe the past and do not change: kept until
///   evicted. The reference still bounds their age (30 min), and so do we by
///   default: a height ahead of the chain's head can be answered with today's
///   values and then change when a governance update takes effect there.
/// * **Live** answers (application, supplier, service, account, the session
///   module's supplier count, proof params) change with transactions and
///   governance: kept for a short time (the reference's 90 s).
/// * **NotFound** is remembered briefly (so unknown applications in a relay
///   flood do not each reach the node), every other error never (a retry
///   must reach the node).
/// * Claims, balances, simulation and broadcast are never cached: the miner
///   reads them to see the effect of its own transactions.
public struct ChainQueryCachePolicy: Sendable, Hashable {
    /// How long an answer is served, and how many are kept per query kind.
    public struct Rule: Sendable, Hashable {
        /// nil: until evicted.
        public var maxAge: Duration?
        /// Entries per query kind; the least recently used goes first. 0 disables the cache.
        public var capacity: Int

        public init(maxAge: Duration?, capacity: Int) {
            self.maxAge = maxAge
            self.capacity = max(0, capacity)
        }
    }

    public var atHeight: Rule
    public var live: Rule
    /// How long a notFound is remembered (zero: not at all).
    public var notFoundMaxAge: Duration

    public init(atHeight: Rule = Rule(maxAge: .seconds(30 * 60), capacity: 2_048),
                live: Rule = Rule(maxAge: .seconds(90), capacity: 1_024),
                notFoundMaxAge: Duration = .seconds(2)) {
        self.atHeight = atHeight
        self.live = live
        self.notFoundMaxAge = notFoundMaxAge
    }

    /// The reference's settings.
    public static let `default` = ChainQueryCachePolicy()

    /// Every query reaches the node (concurrent identical ones still share one call).
    public static let disabled = ChainQueryCachePolicy(
        atHeight: Rule(maxAge: .zero, capacity: 0), live: Rule(maxAge: .zero, capacity: 0), notFoundMaxAge: .zero)
}
