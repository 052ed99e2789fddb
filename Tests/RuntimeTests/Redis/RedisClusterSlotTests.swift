import RelayRuntime
import Testing

/// Redis Cluster's key → slot function and the check built on it.
@Suite struct RedisClusterSlotTests {
    @Test func crc16IsXMODEM() {
        #expect(RedisCluster.crc16(Array("123456789".utf8)) == 0x31C3) // the spec's check value
        #expect(RedisCluster.crc16([UInt8]()) == 0)
    }

    /// Values from the cluster specification and `CLUSTER KEYSLOT`.
    @Test func slotsOfKnownKeys() {
        #expect(RedisCluster.slot(of: "foo") == 12182)
        #expect(RedisCluster.slot(of: "bar") == 5061)
        #expect(RedisCluster.slot(of: "hello") == 866)
        #expect(RedisCluster.slot(of: "{user1000}.following") == RedisCluster.slot(of: "{user1000}.followers"))
        #expect(RedisCluster.slot(of: "{user1000}.following") == RedisCluster.slot(of: "user1000"))
        #expect(RedisCluster.slot(of: "") == 0)
        #expect((0..<RedisCluster.slotCount).contains(RedisCluster.slot(of: "ha:relays:{pokt1xyz}")))
    }

    /// The spec's hash tag examples: the first `{`, the first `}` after it, non-empty in between.
    @Test func hashTags() {
        #expect(RedisCluster.hashTag(of: "{user1000}.following") == "user1000")
        #expect(RedisCluster.hashTag(of: "foo{bar}{zap}") == "bar")
        #expect(RedisCluster.hashTag(of: "foo{{bar}}zap") == "{bar")
        #expect(RedisCluster.hashTag(of: "foo{}{bar}") == nil) // empty tag: the whole key is hashed
        #expect(RedisCluster.hashTag(of: "foo{bar") == nil)
        #expect(RedisCluster.hashTag(of: "plain") == nil)
        #expect(RedisCluster.slot(of: "foo{bar}{zap}") == RedisCluster.slot(of: "bar"))
        #expect(RedisCluster.slot(of: "foo{}{bar}") != RedisCluster.slot(of: "bar"))
    }

    @Test func commandsWithinOneTagPass() throws {
        let keys = RedisKeys()
        let s = "pokt1supplier"
        try RedisCommand.acquireLease(key: keys.lease(supplier: s), epochKey: keys.leaseEpoch(supplier: s), owner: [1], milliseconds: 1).checkClusterSlots()
        try RedisCommand.sealStream(epochKey: keys.leaseEpoch(supplier: s), epoch: 1, sealKey: keys.seal(supplier: s, sessionID: "x"),
                                    streamKey: keys.relayStream(supplier: s)).checkClusterSlots()
        try RedisCommand.fenced(epochKey: keys.leaseEpoch(supplier: s), epoch: 1,
                                command: .del(keys: [keys.seal(supplier: s, sessionID: "x"), keys.submission(supplier: s, sessionID: "x")])).checkClusterSlots()
        // Untagged keys are single-server names: not constrained.
        try RedisCommand.del(keys: ["a", "b", "c"]).checkClusterSlots()
        try RedisCommand.acquireLease(key: "lease", epochKey: "lease:epoch", owner: [1], milliseconds: 1).checkClusterSlots()
    }

    @Test func crossSlotCommandsAreRefusedWithTheirKeys() {
        let keys = RedisKeys()
        let fenced = RedisCommand.fenced(epochKey: keys.leaseEpoch(supplier: "a"), epoch: 1,
                                         command: .hset(key: keys.seal(supplier: "b", sessionID: "x"), fields: [FieldValue("f", [1])]))
        #expect(throws: RedisError.crossSlot(command: "FENCED(HSET)", keys: ["ha:miner:lease:{a}:epoch", "ha:miner:seal:{b}:x"])) {
            try fenced.checkClusterSlots()
        }
        // A tagged key mixed with an untagged one hashes its whole name elsewhere.
        #expect(throws: RedisError.self) { try RedisCommand.exists(keys: ["{a}:x", "a:y"]).checkClusterSlots() }
        #expect(throws: RedisError.self) {
            try RedisCommand.xreadgroup(group: "g", consumer: "c", streams: [StreamCursor(key: "{a}", position: .undelivered),
                                                                             StreamCursor(key: "{b}", position: .undelivered)]).checkClusterSlots()
        }
        // A pipeline is checked command by command.
        #expect(throws: RedisError.self) { try [RedisCommand.ping, fenced].checkClusterSlots() }
        let message = RedisError.crossSlot(command: "FENCED(HSET)", keys: ["{a}", "{b}"]).description
        #expect(message.contains("{a} (slot \(RedisCluster.slot(of: "a")))"))
        #expect(!RedisError.crossSlot(command: "X", keys: []).isTransient)
    }

    /// Keys of one supplier share its hash tag (one slot), the meter included.
    @Test func keyLayoutTagsEverySupplierKey() {
        let keys = RedisKeys()
        let s = "pokt1abc"
        let supplierKeys = [
            keys.relayStream(supplier: s), keys.lease(supplier: s), keys.leaseEpoch(supplier: s),
            keys.seal(supplier: s, sessionID: "0xsession"), keys.submission(supplier: s, sessionID: "0xsession"),
            keys.minerSessions(supplier: s), keys.meter(sessionID: "0xsession", supplier: s),
        ]
        for key in supplierKeys {
            #expect(RedisCluster.hashTag(of: key) == s, "\(key) is not tagged by its supplier")
        }
        #expect(keys.meter(sessionID: "0xsession", supplier: s) == "ha:meter:{pokt1abc}:0xsession")
        // So the miner's cleanup of a session touches one slot, meter included.
        let cleanup = RedisCommand.del(keys: [keys.seal(supplier: s, sessionID: "0xsession"), keys.submission(supplier: s, sessionID: "0xsession"),
                                              keys.meter(sessionID: "0xsession", supplier: s)])
        #expect(throws: Never.self) { try RedisCommand.fenced(epochKey: keys.leaseEpoch(supplier: s), epoch: 1, command: cleanup).checkClusterSlots() }
    }
}
