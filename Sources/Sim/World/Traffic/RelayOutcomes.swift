import Foundation
import PocketProtocol
import RelayRuntime

/// What a gateway got back for one relay.
public enum RelayDelivery: Sendable {
    case answered(RelayAnswer)
    /// No relayer process was listening (all crashed or stopped).
    case relayerDown
    /// The relayer died while the request was in flight; the gateway got no answer.
    case connectionReset
}

/// Everything the gateways observed, for metrics and the timeline.
/// A relay is "acknowledged minable" when the client got a signed answer
/// whose relay was appended to the supplier's stream; those are the relays
/// the operator must be paid for, and each is also handed to the invariant
/// monitor as it happens (the drift invariant's input).
public final class RelayOutcomes: @unchecked Sendable {
    public struct SessionKey: Hashable, Comparable, Sendable {
        public let supplier: String
        public let sessionID: String
        public static func < (a: SessionKey, b: SessionKey) -> Bool { (a.supplier, a.sessionID) < (b.supplier, b.sessionID) }
    }

    private let lock = NSLock()
    private(set) var sent = 0
    private(set) var served = 0
    private(set) var acknowledgedMinable = 0
    private(set) var duplicatesSent = 0
    private var rejectedByReason: [String: Int] = [:]
    private var servedByMining: [String: Int] = [:]
    private var unanswered: [String: Int] = [:]
    /// Unique relay hashes acknowledged minable, per (supplier, session).
    private var acknowledged: [SessionKey: Set<[UInt8]>] = [:]
    /// Session end height of every session seen.
    private var sessionEnds: [String: Int64] = [:]
    /// Told of every acknowledgement as it happens, as a typed event (the drift invariant's input).
    private let monitor: InvariantMonitor?

    public convenience init() {
        self.init(reportingTo: nil)
    }

    init(reportingTo monitor: InvariantMonitor?) {
        self.monitor = monitor
    }

    func recordSent(duplicate: Bool) {
        lock.lock(); defer { lock.unlock() }
        sent += 1
        if duplicate { duplicatesSent += 1 }
    }

    func record(_ delivery: RelayDelivery, sessionID: String, sessionEnd: Int64, at time: Int64) {
        tally(delivery, sessionID: sessionID, sessionEnd: sessionEnd)
        if let monitor, case .answered(.served(let s)) = delivery, s.mining.isAcknowledgedMinable, let hash = s.relayHash {
            monitor.observe(.relayAcknowledged(supplier: s.supplier, session: sessionID, relayHash: hash), at: time) {
                "gateways relay.acknowledged supplier=\(s.supplier) session=\(sessionID) relay_hash=\(Hex.encode(hash))"
            }
        }
    }

    private func tally(_ delivery: RelayDelivery, sessionID: String, sessionEnd: Int64) {
        lock.lock(); defer { lock.unlock() }
        sessionEnds[sessionID] = sessionEnd
        switch delivery {
        case .relayerDown: unanswered["relayer_down", default: 0] += 1
        case .connectionReset: unanswered["connection_reset", default: 0] += 1
        case .answered(.rejected(let r)): rejectedByReason[r.name, default: 0] += 1
        case .answered(.streaming): servedByMining["streaming", default: 0] += 1
        case .answered(.served(let s)):
            served += 1
            servedByMining[s.mining.label, default: 0] += 1
            if s.mining.isAcknowledgedMinable, let hash = s.relayHash {
                acknowledgedMinable += 1
                acknowledged[SessionKey(supplier: s.supplier, sessionID: sessionID), default: []].insert(hash)
            }
        }
    }

    /// Acknowledged-minable relay hashes per (supplier, session), sorted by key.
    public var acknowledgedSessions: [(SessionKey, Set<[UInt8]>)] {
        lock.lock(); defer { lock.unlock() }
        return acknowledged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public func sessionEnd(_ sessionID: String) -> Int64? {
        lock.lock(); defer { lock.unlock() }
        return sessionEnds[sessionID]
    }

    public var rejections: [(String, Int)] {
        lock.lock(); defer { lock.unlock() }
        return rejectedByReason.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var miningOutcomes: [(String, Int)] {
        lock.lock(); defer { lock.unlock() }
        return servedByMining.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var unansweredCounts: [(String, Int)] {
        lock.lock(); defer { lock.unlock() }
        return unanswered.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
