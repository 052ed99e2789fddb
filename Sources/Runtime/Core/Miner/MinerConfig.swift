import PocketProtocol

/// Everything a miner replica needs besides its ports.
///
/// Timing is expressed so that a dead replica's suppliers are re-owned
/// within 2 blocks: a lease outlives its owner by at most `leaseTTL`, and a
/// survivor notices within one `renewPeriod` (docs/runtime-design.md,
/// "Ownership"). `MinerConfig.standard(...)` derives the values from the
/// chain's block time.
public struct MinerConfig: Sendable, Hashable {
    /// Unique per process start (a restarted process is a new instance, so
    /// its stream consumer and its leases never alias a previous life).
    public var instanceID: String
    public var keys: RedisKeys

    /// How long a supplier lease lives without renewal.
    public var leaseTTL: Duration
    /// How often leases are renewed and the fair share rebalanced.
    public var renewPeriod: Duration
    /// How long the instance heartbeat (`RedisKeys.instance`) lives without renewal.
    public var instanceTTL: Duration
    /// Delay between the first heartbeat and the first lease acquisition, so
    /// replicas that start together see each other before splitting the work.
    public var startupSettle: Duration

    /// XREADGROUP COUNT.
    public var readBatch: Int
    /// XREADGROUP BLOCK: short, so a stopped worker notices quickly.
    public var readBlock: Duration
    /// XRANGE COUNT when replaying the retained stream.
    public var rebuildChunk: Int
    /// Pending entries idle at least this long are reclaimed (XAUTOCLAIM).
    public var reclaimMinIdle: Duration
    /// How often pending entries of dead consumers are reclaimed after start.
    public var reclaimInterval: Duration
    /// Back-off after a transient Redis or chain failure in a worker loop.
    public var retryDelay: Duration

    public var chainID: String
    /// Fee per gas unit in `feeDenom` (fee = ceil(gas × price)); 0 = no fee.
    public var gasPrice: Double
    /// Simulated gas is multiplied by this.
    public var gasAdjustment: Double
    public var feeDenom: String
    public var memo: String
    /// Unordered-tx lifetime from the latest block time (the SDK caps it at 10 min).
    public var txTimeout: Duration
    /// Re-broadcasts of the same signed tx by the reconciler (per claim/proof).
    public var maxResubmissions: Int
    /// TTL of seal and submission records, a safety net against leaks if a
    /// cleanup is interrupted (they are deleted explicitly after settlement).
    public var recordRetention: Duration

    public init(
        instanceID: String,
        keys: RedisKeys = RedisKeys(),
        leaseTTL: Duration,
        renewPeriod: Duration,
        instanceTTL: Duration,
        startupSettle: Duration,
        readBatch: Int = 500,
        readBlock: Duration,
        rebuildChunk: Int = 1000,
        reclaimMinIdle: Duration,
        reclaimInterval: Duration,
        retryDelay: Duration,
        chainID: String,
        gasPrice: Double = 0.000001,
        gasAdjustment: Double = 1.7,
        feeDenom: String = "upokt",
        memo: String = "pocket-relay-miner",
        txTimeout: Duration = .seconds(300),
        maxResubmissions: Int = 1,
        recordRetention: Duration = .seconds(7200)
    ) {
        self.instanceID = instanceID
        self.keys = keys
        self.leaseTTL = leaseTTL
        self.renewPeriod = renewPeriod
        self.instanceTTL = instanceTTL
        self.startupSettle = startupSettle
        self.readBatch = readBatch
        self.readBlock = readBlock
        self.rebuildChunk = rebuildChunk
        self.reclaimMinIdle = reclaimMinIdle
        self.reclaimInterval = reclaimInterval
        self.retryDelay = retryDelay
        self.chainID = chainID
        self.gasPrice = gasPrice
        self.gasAdjustment = gasAdjustment
        self.feeDenom = feeDenom
        self.memo = memo
        self.txTimeout = txTimeout
        self.maxResubmissions = maxResubmissions
        self.recordRetention = recordRetention
    }

    /// Values derived from the block time: lease TTL 0.8 block, renewal every
    /// 0.25 block (so a dead owner's suppliers are re-owned after at most
    /// ≈ 1.05 blocks), heartbeat TTL = lease TTL, reads block for 0.1 block,
    /// pending entries reclaimed once idle for half a block.
    public static func standard(instanceID: String, blockTime: Duration, chainID: String, keys: RedisKeys = RedisKeys()) -> MinerConfig {
        let block = blockTime.nanoseconds
        func part(_ numerator: Int64, _ denominator: Int64) -> Duration { .nanoseconds(max(1_000_000, block / denominator * numerator)) }
        return MinerConfig(
            instanceID: instanceID, keys: keys,
            leaseTTL: part(4, 5), renewPeriod: part(1, 4), instanceTTL: part(4, 5), startupSettle: part(1, 4),
            readBlock: part(1, 10), reclaimMinIdle: part(1, 2), reclaimInterval: part(1, 1), retryDelay: part(1, 10),
            chainID: chainID
        )
    }

    /// A fresh instance id from the entropy port: `<prefix>-<16 hex digits>`.
    public static func newInstanceID(prefix: String = "miner", entropy: any EntropyPort) -> String {
        let value = entropy.stream(for: "miner.instance-id").next()
        let hex = Hex.encode(ByteOrder.bigEndian64(value))
        return "\(prefix)-\(hex)"
    }

    /// The stream consumer name of this instance (one per process start).
    public var consumerName: String { "consumer-\(instanceID)" }
}
