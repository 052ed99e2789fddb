extension RedisCommand {
    /// Every key the command reads or writes, in the order they appear in
    /// `arguments` (`encoded.keyIndices` points at the same strings).
    ///
    /// This is what a Redis Cluster client routes by and what a script
    /// declares in `KEYS[]`; for `fenced` it is the epoch key followed by the
    /// inner command's keys, which the script receives as `KEYS[2…]`.
    /// Pub/sub channels are not keys.
    public var keys: [String] {
        switch self {
        case .ping, .publish: return []
        case .get(let key), .set(let key, _, _, _), .incrBy(let key, _), .pexpire(let key, _), .pttl(let key),
             .hset(let key, _), .hget(let key, _), .hgetall(let key), .hdel(let key, _), .hlen(let key), .hincrBy(let key, _, _),
             .sadd(let key, _), .srem(let key, _), .smembers(let key), .sismember(let key, _), .scard(let key),
             .xadd(let key, _, _, _, _), .xlen(let key), .xrange(let key, _, _, _), .xdel(let key, _), .xtrim(let key, _),
             .xgroupCreate(let key, _, _, _), .xgroupDestroy(let key, _), .xgroupDelConsumer(let key, _, _),
             .xack(let key, _, _), .xpendingSummary(let key, _), .xpending(let key, _, _, _, _, _, _),
             .xclaim(let key, _, _, _, _, _), .xautoclaim(let key, _, _, _, _, _, _), .xinfoGroups(let key),
             .compareAndDelete(let key, _), .compareAndExtend(let key, _, _), .ackAndDelete(let key, _, _):
            return [key]
        case .del(let keys), .exists(let keys): return keys
        case .xreadgroup(_, _, let streams, _, _, _): return streams.map(\.key)
        case .acquireLease(let key, let epochKey, _, _): return [key, epochKey]
        case .fenced(let epochKey, _, let command): return [epochKey] + command.keys
        case .appendUnlessSealed(let key, let sealKey, _): return [key, sealKey]
        case .sealStream(let epochKey, _, let sealKey, let streamKey): return [epochKey, sealKey, streamKey]
        }
    }

    /// Refuses a command that Redis Cluster would refuse with `CROSSSLOT`:
    /// one whose keys carry a `{hash tag}` but do not all hash to one slot.
    ///
    /// Keys without any tag are not constrained: those are the layout's
    /// single-key names (instance heartbeats, the active set) and test keys,
    /// and a command made only of them is meant for one server. As soon as
    /// one key names a tag, the command is a per-supplier operation and every
    /// key must share its slot — an untagged key mixed in hashes its whole
    /// name and lands elsewhere. Both port implementations call this before
    /// running a command (a pipeline is refused whole, before anything is
    /// sent), so the simulator, the tests and production agree.
    public func checkClusterSlots() throws(RedisError) {
        guard touchesSeveralKeys else { return }
        let keys = self.keys
        guard keys.contains(where: { RedisCluster.hashTag(of: $0) != nil }) else { return }
        let first = RedisCluster.slot(of: keys[0])
        for key in keys.dropFirst() where RedisCluster.slot(of: key) != first {
            throw .crossSlot(command: name, keys: keys)
        }
    }

    /// Cheap pre-filter of `checkClusterSlots` (no allocation for single-key commands).
    private var touchesSeveralKeys: Bool {
        switch self {
        case .del(let keys), .exists(let keys): return keys.count > 1
        case .xreadgroup(_, _, let streams, _, _, _): return streams.count > 1
        case .acquireLease, .appendUnlessSealed, .sealStream: return true
        case .fenced(_, _, let command): return !command.keys.isEmpty
        default: return false
        }
    }
}

extension Array where Element == RedisCommand {
    /// `checkClusterSlots()` of every command, in order.
    public func checkClusterSlots() throws(RedisError) {
        for command in self { try command.checkClusterSlots() }
    }
}
