import Foundation
import PocketProtocol
import Testing

@testable import RelayRuntime

/// Which stream entry goes into which tree, the watermark and the
/// tombstones, without Redis: `RelayIngest` is a value.
@Suite struct RelayIngestTests {
    static let supplier = "pokt1supplier"

    static func id(_ ms: UInt64, _ seq: UInt64 = 0) -> StreamID { StreamID(milliseconds: ms, sequence: seq) }

    /// A valid mined relay of `session` (ending at `end`) with payload `relay`, as stream entry `id`.
    static func entry(_ id: StreamID, session: String = "s1", end: Int64 = 10, relay: String = "r1", cupr: UInt64 = 3,
                      supplier: String = supplier) throws -> StreamEntry {
        let bytes = Bytes(relay.utf8)
        var m = Pocket_Relayminer_MinedRelayMessage()
        m.relayBytes = Data(bytes)
        m.relayHash = Data(Hash.sha256(bytes))
        m.computeUnitsPerRelay = cupr
        m.sessionID = session
        m.sessionStartHeight = 1
        m.sessionEndHeight = end
        m.supplierOperatorAddress = supplier
        m.serviceID = "anvil"
        m.applicationAddress = "pokt1app"
        return StreamEntry(id: id, fields: [FieldValue(RedisKeys.relayField, try CanonicalCodec.encode(m))])
    }

    @Test func entriesGoToTheirSessionsTreeAndRepeatsCollapse() throws {
        var ingest = RelayIngest(supplier: Self.supplier)
        #expect(ingest.apply(try Self.entry(Self.id(1), relay: "a")) == .accepted)
        #expect(ingest.apply(try Self.entry(Self.id(2), relay: "b")) == .accepted)
        #expect(ingest.apply(try Self.entry(Self.id(3), session: "s0", end: 5, relay: "a")) == .accepted)
        // The same relay again (a redelivery): one leaf, both ids remembered for cleanup.
        #expect(ingest.apply(try Self.entry(Self.id(4), relay: "a")) == .accepted)

        let s1 = try #require(ingest.sessions["s1"])
        #expect(s1.tree.count == 2)
        #expect(s1.tree.sum == 6)
        #expect(s1.entryIDs == [Self.id(1), Self.id(2), Self.id(4)])
        #expect(s1.info == SessionInfo(key: MinerSessionKey(sessionID: "s1", sessionEnd: 10), sessionStart: 1, serviceID: "anvil", applicationAddress: "pokt1app"))
        #expect(ingest.sessions["s0"]?.tree.count == 1)
        // Older session ends first.
        #expect(ingest.sortedSessions.map(\.id) == ["s0", "s1"])
        // Applying never moves the watermark: only the worker knows what was read contiguously.
        #expect(ingest.watermark == .zero)
    }

    @Test func entriesThatCanNeverBeClaimedAreDiscardedWithTheirReason() throws {
        var ingest = RelayIngest(supplier: Self.supplier)
        let key = MinerSessionKey(sessionID: "s1", sessionEnd: 10)
        #expect(ingest.apply(StreamEntry(id: Self.id(1), fields: [FieldValue(RedisKeys.relayField, [0xff])])) == .discard(.undecodable, nil))
        #expect(ingest.apply(try Self.entry(Self.id(2), supplier: "pokt1other")) == .discard(.wrongSupplier, nil))
        #expect(ingest.sessions.isEmpty)

        // After the seal id: late.
        #expect(ingest.apply(try Self.entry(Self.id(3), relay: "a")) == .accepted)
        ingest.sessions["s1"]?.seal = SealRecord(lastID: Self.id(3))
        #expect(ingest.apply(try Self.entry(Self.id(4), relay: "b")) == .discard(.late, key))
        #expect(ingest.sessions["s1"]?.tree.count == 1)
        #expect(ingest.sessions["s1"]?.entryIDs == [Self.id(3)])

        // A buried session is not resurrected.
        ingest.bury("s1", at: 30)
        #expect(ingest.sessions["s1"] == nil)
        #expect(ingest.tombstones == ["s1": 30])
        #expect(ingest.apply(try Self.entry(Self.id(5), relay: "c")) == .discard(.settled, key))
        #expect(ingest.sessions["s1"] == nil)
    }

    @Test func aFrozenTreeNeverChangesAndReportsAnEntryItLacks() throws {
        var ingest = RelayIngest(supplier: Self.supplier)
        #expect(ingest.apply(try Self.entry(Self.id(1), relay: "a")) == .accepted)
        let s1 = try #require(ingest.sessions["s1"])
        s1.seal = SealRecord(lastID: Self.id(9))
        s1.frozen = true
        let root = s1.tree.root
        // A redelivery of a relay in the tree is fine.
        #expect(ingest.apply(try Self.entry(Self.id(1), relay: "a")) == .accepted)
        // One before the seal id that the tree lacks breaks the watermark invariant: reported, tree untouched.
        #expect(ingest.apply(try Self.entry(Self.id(2), relay: "b")) == .missingFromFrozenTree(MinerSessionKey(sessionID: "s1", sessionEnd: 10)))
        #expect(s1.tree.root == root)
        #expect(s1.tree.count == 1)
        #expect(s1.entryIDs == [Self.id(1), Self.id(2)])
    }

    @Test func theWatermarkNamesTheUnreadRangeAndTheGapBeforeADelivery() {
        var ingest = RelayIngest(supplier: Self.supplier)
        #expect(ingest.unread(upTo: Self.id(5)).map { [$0.from, $0.to] } == [Self.id(0, 1), Self.id(5)])
        ingest.advance(to: Self.id(5))
        #expect(ingest.watermark == Self.id(5))
        #expect(ingest.unread(upTo: Self.id(5)) == nil)
        #expect(ingest.unread(upTo: Self.id(4)) == nil)
        #expect(ingest.unread(upTo: Self.id(7, 2)).map { [$0.from, $0.to] } == [Self.id(5, 1), Self.id(7, 2)])

        // A delivery starting right after the watermark leaves no gap; one further on does.
        #expect(ingest.gap(before: Self.id(5, 1)) == nil)
        #expect(ingest.gap(before: Self.id(5)) == nil)
        #expect(ingest.gap(before: Self.id(8, 0)) == StreamID(milliseconds: 7, sequence: .max))
        #expect(ingest.gap(before: Self.id(5, 3)) == Self.id(5, 2))

        // Never moves back.
        ingest.advance(to: Self.id(3))
        #expect(ingest.watermark == Self.id(5))
    }

    @Test func aRebuildStartsOverButRemembersTheBuried() throws {
        var ingest = RelayIngest(supplier: Self.supplier)
        let first = try Self.entry(Self.id(1), relay: "a")
        guard case .success(let relay) = MinedRelayEntry.decode(first, supplier: Self.supplier) else { Issue.record("undecodable"); return }
        #expect(ingest.isUnknown(relay))
        // A session loaded with its records is adopted once; a second load does not replace it.
        let loaded = MinerSessionState(info: SessionInfo(relay))
        loaded.seal = SealRecord(lastID: Self.id(7))
        ingest.adopt(loaded)
        ingest.adopt(MinerSessionState(info: SessionInfo(relay)))
        #expect(ingest.sessions["s1"] === loaded)
        #expect(!ingest.isUnknown(relay))
        #expect(ingest.apply(first, decoded: .success(relay)) == .accepted)
        #expect(loaded.tree.count == 1)

        ingest.advance(to: Self.id(1))
        ingest.bury("old", at: 4)
        ingest.reset()
        #expect(ingest.sessions.isEmpty)
        #expect(ingest.watermark == .zero)
        #expect(ingest.tombstones == ["old": 4])
        #expect(ingest.isUnknown(relay))
    }

    @Test func tombstonesArePrunedToTheNewestByHeightThenID() {
        var ingest = RelayIngest(supplier: Self.supplier)
        for i in 0..<RelayIngest.tombstoneLimit { ingest.bury(String(format: "s%03d", i), at: Int64(i / 2)) }
        ingest.pruneTombstones()
        #expect(ingest.tombstones.count == RelayIngest.tombstoneLimit)
        ingest.bury("last", at: 1_000)
        ingest.pruneTombstones()
        #expect(ingest.tombstones.count == RelayIngest.tombstonesKept)
        #expect(ingest.tombstones["last"] == 1_000)
        // 256 + 1 buried at heights 0…127 (two each) and 1000: the newest 127 besides "last" are heights 65…127,
        // and of the two at height 64 the smaller id ("s128") wins the tie.
        #expect(ingest.tombstones["s128"] == 64)
        #expect(ingest.tombstones["s129"] == nil)
        #expect(ingest.tombstones["s127"] == nil)
        #expect(ingest.tombstones["s255"] == 127)
    }
}
