import PocketProtocol

/// What one stream entry did to the owner's sessions.
enum IngestVerdict: Sendable, Hashable {
    /// In its session's tree (inserted now, or already there: inserts are idempotent).
    case accepted
    /// Its session's tree is frozen and lacks it. Cannot happen while the
    /// watermark invariant holds; reported if it ever does. Still acknowledged.
    case missingFromFrozenTree(MinerSessionKey)
    /// Will never be in a claim; the entry is to be deleted.
    case discard(DiscardReason, MinerSessionKey?)
}

/// The owner's in-memory view of the supplier's relay stream: one tree per
/// open session, the watermark, and tombstones of cleaned sessions. Pure: it
/// reads and writes nothing, so every rule about which entry goes where is
/// unit-tested without Redis (`RelayIngestTests`); `SupplierWorker` moves the
/// entries and acts on the verdicts.
///
/// The watermark `W` (docs/runtime-design.md, "The watermark"): every entry
/// with an id ≤ `W` has been applied or discarded. A tree is frozen only
/// once `W` reaches its seal id, so every relay acknowledged before the seal
/// is in it, whichever consumer of the group read it.
struct RelayIngest {
    let supplier: String
    private(set) var sessions: [String: MinerSessionState] = [:]
    private(set) var watermark = StreamID.zero
    /// Sessions cleaned up (id → height), so stray entries are not resurrected.
    private(set) var tombstones: [String: Int64] = [:]

    /// Above this many tombstones the oldest are dropped, down to `tombstonesKept`.
    static let tombstoneLimit = 256
    static let tombstonesKept = 128

    init(supplier: String) { self.supplier = supplier }

    /// Every session, older session ends first, then by id: the order of every pass.
    var sortedSessions: [MinerSessionState] { sessions.values.sorted { $0.info.key < $1.info.key } }

    /// Forgets every session and the watermark before a rebuild (tombstones stay).
    mutating func reset() {
        sessions = [:]
        watermark = .zero
    }

    /// Whether `relay` opens a session this owner has not met (nor buried):
    /// its seal and submission records must be loaded before it is applied.
    func isUnknown(_ relay: MinedRelayEntry) -> Bool {
        sessions[relay.session.sessionID] == nil && tombstones[relay.session.sessionID] == nil
    }

    /// Adds a session loaded with its records (no-op if one is already held).
    mutating func adopt(_ state: MinerSessionState) {
        if sessions[state.id] == nil { sessions[state.id] = state }
    }

    /// Puts one entry into its session's tree, or says why it never will be.
    /// `decoded` saves a second decode when the caller already has it.
    mutating func apply(_ entry: StreamEntry, decoded: Result<MinedRelayEntry, DiscardReason>? = nil) -> IngestVerdict {
        let relay: MinedRelayEntry
        switch decoded ?? MinedRelayEntry.decode(entry, supplier: supplier) {
        case .failure(let reason): return .discard(reason, nil)
        case .success(let r): relay = r
        }
        let id = relay.session.sessionID
        if tombstones[id] != nil { return .discard(.settled, relay.session) }
        let state: MinerSessionState
        if let s = sessions[id] {
            state = s
        } else {
            state = MinerSessionState(info: SessionInfo(relay))
            sessions[id] = state
        }
        if let last = state.lastID, entry.id > last { return .discard(.late, relay.session) }
        state.entryIDs.insert(entry.id)
        if state.frozen {
            return state.tree.leafData(key: relay.relayHash) == nil ? .missingFromFrozenTree(relay.session) : .accepted
        }
        state.tree.update(key: relay.relayHash, value: relay.relayBytes, weight: relay.computeUnits)
        return .accepted
    }

    /// The ids still to read from the stream before the watermark may move
    /// to `end`: `(W, end]`, or nil when `end ≤ W`.
    func unread(upTo end: StreamID) -> (from: StreamID, to: StreamID)? {
        guard end > watermark, let from = watermark.successor else { return nil }
        return (from, end)
    }

    /// Entries from `XREADGROUP >` are a contiguous run after the group's
    /// last-delivered id. If a run starting at `first` does not start right
    /// after the watermark, another consumer (a stale owner) took the entries
    /// in between: the end of that gap, to be read from the stream.
    func gap(before first: StreamID) -> StreamID? {
        guard first > watermark, let before = first.predecessor, before > watermark else { return nil }
        return before
    }

    /// Every entry up to `id` has been applied (never moves back).
    mutating func advance(to id: StreamID) {
        if id > watermark { watermark = id }
    }

    /// Forgets a cleaned-up session and remembers it as settled at `height`.
    mutating func bury(_ id: String, at height: Int64) {
        sessions[id] = nil
        tombstones[id] = height
    }

    /// Keeps the newest `tombstonesKept` tombstones once there are more than
    /// `tombstoneLimit` (by height, ties by id: independent of hashing order).
    mutating func pruneTombstones() {
        guard tombstones.count > Self.tombstoneLimit else { return }
        let keep = tombstones.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(Self.tombstonesKept)
        tombstones = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}

extension SessionInfo {
    /// The session a relay names, as its relayer published it.
    init(_ relay: MinedRelayEntry) {
        self.init(key: relay.session, sessionStart: relay.sessionStart, serviceID: relay.serviceID, applicationAddress: relay.applicationAddress)
    }
}
