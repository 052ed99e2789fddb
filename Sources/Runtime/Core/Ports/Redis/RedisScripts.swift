/// Lua bodies of the compound operations, for servers that run them via EVAL.
/// The simulator's model implements the same semantics natively; the
/// differential test proves the two agree.
///
/// Every key a script touches arrives in `KEYS[]` (`RedisCommand.keys`), so
/// the scripts stay valid on Redis Cluster, where a script may only touch
/// declared keys of one slot.
public enum RedisScripts {
    public static let compareAndDelete = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """

    public static let compareAndExtend = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """

    public static let acquireLease = """
        local cur = redis.call('GET', KEYS[1])
        if cur == false then
          local e = redis.call('INCR', KEYS[2])
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return e
        end
        if cur == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          local e = redis.call('GET', KEYS[2])
          if e == false then e = redis.call('INCR', KEYS[2]) end
          return tonumber(e)
        end
        return 0
        """

    public static let ackAndDelete = """
        local a = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
        local d = redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
        return {a, d}
        """

    /// Runs one command if `KEYS[1]` holds the epoch `ARGV[1]`. The inner
    /// command's keys are declared too, as `KEYS[2…]`, so a Cluster routes
    /// the script to their slot and no key is touched undeclared: `ARGV[2…n+1]`
    /// say where in the inner argv each of them goes (1-based, ascending),
    /// the rest of `ARGV` is the inner argv without its keys, and the script
    /// puts the declared keys back in place. A declared key that finds no
    /// place is refused rather than silently dropped.
    public static let fenced = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED stale epoch') end
        local n = #KEYS - 1
        local argv, k, a = {}, 1, n + 2
        for i = 1, #ARGV - 1 do
          if k <= n and ARGV[k + 1] == tostring(i) then
            argv[i] = KEYS[k + 1]
            k = k + 1
          else
            argv[i] = ARGV[a]
            a = a + 1
          end
        end
        if k <= n then return redis.error_reply('ERR fenced: a declared key has no place in the command') end
        return redis.call(unpack(argv))
        """

    public static let appendUnlessSealed = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return false end
        return redis.call('XADD', KEYS[1], '*', unpack(ARGV))
        """

    public static let sealStream = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED stale epoch') end
        local sealed = redis.call('HGET', KEYS[2], 'last_id')
        if sealed then return sealed end
        local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
        local id = '0-0'
        if #last > 0 then id = last[1][1] end
        redis.call('HSET', KEYS[2], 'last_id', id)
        return id
        """
}
