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

/// Everything the gateways observed, for metrics and the drift invariant.
/// A relay is "acknowledged minable" when the client got a signed answer
/// whose relay was appended to the supplier's stream; those are the relays
/// the operator must be paid for.
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
    /// When each relay was first acknowledged (ns since the run's start).
    private var acknowledgedAt: [[UInt8]: Int64] = [:]
    /// Session end height of every session seen.
    private var sessionEnds: [String: Int64] = [:]
    /// Told of every acknowledgement as it happens (the invariant monitor).
    private let onAcknowledged: (@Sendable (_ supplier: String, _ sessionID: String, _ relayHash: [UInt8], _ time: Int64) -> Void)?

    public init() {
        onAcknowledged = nil
    }

    init(onAcknowledged: @escaping @Sendable (_ supplier: String, _ sessionID: String, _ relayHash: [UInt8], _ time: Int64) -> Void) {
        self.onAcknowledged = onAcknowledged
    }

    func recordSent(duplicate: Bool) {
        lock.lock(); defer { lock.unlock() }
        sent += 1
        if duplicate { duplicatesSent += 1 }
    }

    func record(_ delivery: RelayDelivery, sessionID: String, sessionEnd: Int64, at time: Int64) {
        tally(delivery, sessionID: sessionID, sessionEnd: sessionEnd, at: time)
        if case .answered(.served(let s)) = delivery, s.mining.isAcknowledgedMinable, let hash = s.relayHash {
            onAcknowledged?(s.supplier, sessionID, hash, time)
        }
    }

    private func tally(_ delivery: RelayDelivery, sessionID: String, sessionEnd: Int64, at time: Int64) {
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
                if acknowledgedAt[hash] == nil { acknowledgedAt[hash] = time }
            }
        }
    }

    /// Acknowledged-minable relay hashes per (supplier, session), sorted by key.
    public var acknowledgedSessions: [(SessionKey, Set<[UInt8]>)] {
        lock.lock(); defer { lock.unlock() }
        return acknowledged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// When `hash` was first acknowledged to a client (ns since the run's start).
    public func acknowledgedTime(_ hash: [UInt8]) -> Int64? {
        lock.lock(); defer { lock.unlock() }
        return acknowledgedAt[hash]
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
