import RelayRuntime
import Testing

/// `RedisCommand.keys` against the argv: every key is marked where it is
/// sent, and `fenced` passes its inner command's keys as `KEYS[2…]`.
@Suite struct RedisCommandKeysTests {
    static let id = StreamID(milliseconds: 5, sequence: 1)
    static let fv = [FieldValue("f", [1]), FieldValue("g", [2])]

    /// One value of every case (the inner command of `fenced` varies separately).
    static let samples: [RedisCommand] = [
        .ping, .get(key: "k"), .set(key: "k", value: [1], condition: .ifAbsent, expiry: .milliseconds(5)), .incrBy(key: "k", amount: 2),
        .del(keys: ["a", "b"]), .exists(keys: ["a", "b", "c"]), .pexpire(key: "k", milliseconds: 1), .pttl(key: "k"),
        .hset(key: "h", fields: fv), .hget(key: "h", field: [1]), .hgetall(key: "h"), .hdel(key: "h", fields: [[1]]), .hlen(key: "h"),
        .hincrBy(key: "h", field: [1], amount: 1), .sadd(key: "s", members: [[1]]), .srem(key: "s", members: [[1]]), .smembers(key: "s"),
        .sismember(key: "s", member: [1]), .scard(key: "s"),
        .xadd(key: "x", id: .explicit(id), fields: fv, trim: .maxLength(3, approximate: true), noMakeStream: true), .xlen(key: "x"),
        .xrange(key: "x", start: .zero, end: .max, count: 2), .xdel(key: "x", ids: [id]), .xtrim(key: "x", trim: .minID(id, approximate: false)),
        .xgroupCreate(key: "x", group: "g", start: .latest, makeStream: true), .xgroupDestroy(key: "x", group: "g"),
        .xgroupDelConsumer(key: "x", group: "g", consumer: "c"),
        .xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "x", position: .undelivered), StreamCursor(key: "y", position: .pending(after: id))],
                    count: 1, blockMilliseconds: 5, noAck: true),
        .xack(key: "x", group: "g", ids: [id]), .xpendingSummary(key: "x", group: "g"),
        .xpending(key: "x", group: "g", minIdleMilliseconds: 1, start: .zero, end: .max, count: 3, consumer: "c"),
        .xclaim(key: "x", group: "g", consumer: "c", minIdleMilliseconds: 1, ids: [id], options: ClaimOptions(idleMilliseconds: 1, retryCount: 2, force: true, justID: true)),
        .xautoclaim(key: "x", group: "g", consumer: "c", minIdleMilliseconds: 1, start: .zero, count: 4, justID: true), .xinfoGroups(key: "x"),
        .publish(channel: "ch", message: [1]), .compareAndDelete(key: "l", expected: [1]), .compareAndExtend(key: "l", expected: [1], milliseconds: 3),
        .acquireLease(key: "l", epochKey: "e", owner: [1], milliseconds: 3), .ackAndDelete(key: "x", group: "g", ids: [id]),
        .appendUnlessSealed(key: "x", sealKey: "seal", fields: fv), .sealStream(epochKey: "e", epoch: 2, sealKey: "seal", streamKey: "x"),
    ]

    @Test(arguments: samples + samples.map { RedisCommand.fenced(epochKey: "E", epoch: 7, command: $0) })
    func keysAreWhereTheArgvSaysTheyAre(_ command: RedisCommand) {
        let encoded = command.encoded
        #expect(encoded.argv == command.arguments)
        #expect(encoded.keyIndices == encoded.keyIndices.sorted())
        #expect(encoded.keyIndices.map { String(decoding: encoded.argv[$0], as: UTF8.self) } == command.keys)
        if encoded.argv.first == Array("EVAL".utf8) {
            // Scripts declare exactly their keys: `EVAL body numkeys KEYS… ARGV…`.
            #expect(encoded.argv[2] == Array(String(command.keys.count).utf8))
            #expect(encoded.keyIndices == Array(3..<(3 + command.keys.count)))
        }
    }

    /// What `RedisScripts.fenced` does with KEYS and ARGV, in Swift: put each
    /// declared key back at its position. It must rebuild the inner argv.
    @Test(arguments: samples)
    func fencedRebuildsTheInnerArgv(_ inner: RedisCommand) throws {
        let argv = RedisCommand.fenced(epochKey: "E", epoch: 7, command: inner).arguments
        let numKeys = try #require(Int(String(decoding: argv[2], as: UTF8.self)))
        let keys = Array(argv[3..<(3 + numKeys)])
        let args = Array(argv[(3 + numKeys)...])
        #expect(keys[0] == Array("E".utf8))
        #expect(args[0] == Array("7".utf8))
        let n = numKeys - 1
        var rebuilt: [[UInt8]] = []
        var k = 1
        var a = n + 1
        for i in 1...(args.count - 1) {
            if k <= n, args[k] == Array(String(i).utf8) {
                rebuilt.append(keys[k])
                k += 1
            } else {
                rebuilt.append(args[a])
                a += 1
            }
        }
        #expect(k == n + 1, "a declared key found no place")
        #expect(rebuilt == inner.arguments)
    }

    @Test func fencedDeclaresTheEpochKeyThenTheInnerKeys() {
        let command = RedisCommand.fenced(epochKey: "{s}:epoch", epoch: 3, command: .del(keys: ["{s}:a", "{s}:b"]))
        #expect(command.keys == ["{s}:epoch", "{s}:a", "{s}:b"])
        #expect(command.arguments.dropFirst(2).map { String(decoding: $0, as: UTF8.self) }
            == ["3", "{s}:epoch", "{s}:a", "{s}:b", "3", "2", "3", "DEL"])
        #expect(command.name == "FENCED(DEL)")
        #expect(RedisCommand.sealStream(epochKey: "e", epoch: 1, sealKey: "s", streamKey: "x").name == "sealStream")
    }
}
