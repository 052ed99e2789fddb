@_spi(Testing) import RelayRuntime

/// Operations on per-supplier keys that share a `{supplier}` hash tag, the
/// way the runtime lays them out: leases with epochs, fenced writes whose
/// inner command has one, several or no keys (all passed to the `fenced`
/// script as `KEYS[2…]` and put back in place by it), seals and appends on
/// a relay stream in the future id zone.
///
/// One op in ten mixes in a key of another slot (another supplier's, or an
/// untagged one): both clients must refuse it before sending, with the same
/// `crossSlot` error — a pipeline containing one is refused whole.
extension DiffGenerator {
    static let suppliers = ["s1", "s2"]

    var supplierStrings: [String] { Self.suppliers.flatMap { ["{\($0)}:epoch", "{\($0)}:lease"] } }
    var supplierHashes: [String] { Self.suppliers.flatMap { ["{\($0)}:seal:1", "{\($0)}:seal:2"] } }
    var supplierSets: [String] { Self.suppliers.map { "{\($0)}:sessions" } }
    var supplierStreams: [String] { Self.suppliers.map { "{\($0)}:relays" } }

    mutating func supplierOp(client: Int) -> DiffOp {
        if rng.chance(0.2) {
            return .pipeline(client: client, (0..<rng.int(2...3)).map { _ in supplierCommand() })
        }
        return .command(client: client, supplierCommand())
    }

    private mutating func supplierCommand() -> RedisCommand {
        let s = rng.pick(Self.suppliers)
        let other = Self.suppliers.first { $0 != s }!
        func k(_ name: String) -> String { "{\(s)}:\(name)" }
        let stray: String? = rng.chance(0.1) ? rng.pick(["{\(other)}:seal:1", "{\(other)}:relays", "epoch:a", "str:a"]) : nil
        let seal = k(rng.pick(["seal:1", "seal:2"]))
        let stream = k("relays")
        switch rng.int(0...9) {
        case 0, 1:
            return .acquireLease(key: k("lease"), epochKey: stray ?? k("epoch"), owner: Array(rng.pick(["o1", "o2"]).utf8), milliseconds: ttl())
        case 2:
            return rng.chance(0.6) ? xadd(stream)
                : .xgroupCreate(key: stream, group: rng.pick(groups), start: .id(.zero), makeStream: true)
        case 3:
            guard let last = snapshot(stream)?.lastID, last.milliseconds >= Self.futureMilliseconds else { return xadd(stream) }
            return .appendUnlessSealed(key: stream, sealKey: stray ?? seal, fields: fields())
        case 4:
            return .sealStream(epochKey: k("epoch"), epoch: epoch(k("epoch")), sealKey: seal, streamKey: stray ?? stream)
        default:
            return .fenced(epochKey: k("epoch"), epoch: epoch(k("epoch")), command: supplierInner(k, seal: seal, stream: stream, stray: stray))
        }
    }

    /// A fenced write's inner command, with its keys at every kind of argv position.
    private mutating func supplierInner(_ k: (String) -> String, seal: String, stream: String, stray: String?) -> RedisCommand {
        let group = rng.pick(groups)
        switch rng.int(0...9) {
        case 0: return .hset(key: stray ?? seal, fields: [FieldValue(field(), value())])
        case 1: return .sadd(key: k("sessions"), members: [Array(rng.pick(["1", "2", "3"]).utf8)])
        case 2: return .del(keys: [k("seal:1"), stray ?? k("seal:2")])
        case 3: return .exists(keys: [k("seal:1"), stream, stray ?? k("sessions")])
        case 4: return .xack(key: stream, group: group, ids: someIDs(stream, group: group, max: 3))
        case 5: return .xdel(key: stream, ids: someIDs(stream, group: nil, max: 2))
        case 6:
            var cursors = [StreamCursor(key: stream, position: .undelivered)]
            if let stray { cursors.append(StreamCursor(key: stray, position: .undelivered)) }
            return .xreadgroup(group: group, consumer: rng.pick(consumers), streams: cursors, count: rng.pick([1, 2, nil]))
        case 7: return .pexpire(key: seal, milliseconds: ttl())
        case 8: return rng.chance(0.5) ? .ping : .publish(channel: rng.pick(channels), message: value())
        default:
            // A script inside a script: refused by Redis ("not allowed from script") after the keys are put back.
            return .ackAndDelete(key: stream, group: group, ids: someIDs(stream, group: group, max: 2))
        }
    }
}
