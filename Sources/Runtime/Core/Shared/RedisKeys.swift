/// The Redis key layout shared by relayers and miners (docs/runtime-design.md).
/// Every key of one supplier carries the `{supplier}` hash tag, so one
/// supplier's keys live in one Redis Cluster slot and every compound
/// operation on them stays single-slot (`RedisCommand.checkClusterSlots`).
/// Keys that belong to no supplier (instance heartbeats, the active set)
/// are untagged and only ever used one per command.
public struct RedisKeys: Sendable, Hashable {
    public let prefix: String

    public init(prefix: String = "ha") { self.prefix = prefix }

    /// Stream of minable relays for a supplier (field `data` = `MinedRelayMessage`): the miners' WAL.
    public func relayStream(supplier: String) -> String { "\(prefix):relays:{\(supplier)}" }
    /// Consumer group of the miners on every relay stream.
    public var minerGroup: String { "\(prefix)-miners" }
    /// Field of a stream entry holding the serialized `MinedRelayMessage`.
    public static let relayField = "data"

    public func lease(supplier: String) -> String { "\(prefix):miner:lease:{\(supplier)}" }
    public func leaseEpoch(supplier: String) -> String { "\(prefix):miner:lease:{\(supplier)}:epoch" }
    public func seal(supplier: String, sessionID: String) -> String { "\(prefix):miner:seal:{\(supplier)}:\(sessionID)" }
    public func submission(supplier: String, sessionID: String) -> String { "\(prefix):miner:submit:{\(supplier)}:\(sessionID)" }
    /// Set of the supplier's session ids that have miner records (seal/submission), so
    /// a new owner finds them even once their stream entries are gone (interrupted cleanup).
    public func minerSessions(supplier: String) -> String { "\(prefix):miner:sessions:{\(supplier)}" }
    public func instance(_ id: String) -> String { "\(prefix):miner:instance:\(id)" }
    public var activeInstances: String { "\(prefix):miner:active" }
    /// uPOKT consumed by relays served for (session, supplier). Tagged by the
    /// supplier like its other keys (it used to be tagged by the session):
    /// the meter is charged on every relay right before the `appendUnlessSealed`
    /// on the supplier's stream, so sharing that slot adds no hot spot, and the
    /// miner's cleanup deletes it in the same slot as the session's records.
    public func meter(sessionID: String, supplier: String) -> String { "\(prefix):meter:{\(supplier)}:\(sessionID)" }
}
