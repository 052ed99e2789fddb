import RelayRuntime
import SimChain
import SimKernel

/// The one place where string-labelled trace events become `WorldEvent`s.
///
/// Only the events the invariants need are decoded; every other event is
/// `ignored`. An event that is decoded must carry every field it needs, well
/// formed: a missing or unparsable field is `malformed`, and the monitor
/// turns that into a violation of its own. That is the point of decoding in
/// one place: when the runtime renames a field, the run fails here instead of
/// an invariant skipping the event and passing without checking anything.
enum WorldEventDecoder {
    enum Outcome: Equatable {
        case event(WorldEvent)
        /// Not an input of any invariant.
        case ignored
        /// An input of an invariant, without a field it needs (each problem says which).
        case malformed([String])
    }

    static func decode(_ e: TraceEvent) -> Outcome {
        // Switch on the name first: most events (relays, blocks) are not inputs and leave at once.
        switch e.event {
        case MinerEvent.leaseAcquired where isComponent(e.component, MinerEvent.component):
            var f = FieldReader(e)
            let (supplier, epoch, instance) = (f.text("supplier"), f.number("epoch", UInt64.self), f.text("instance"))
            guard let supplier, let epoch, let instance else { return .malformed(f.problems) }
            return .event(.leaseAcquired(supplier: supplier, epoch: epoch, instance: instance))

        case "claim.accepted" where isComponent(e.component, FakeChain.component):
            var f = FieldReader(e)
            let (supplier, session, height, relays) = (f.text("supplier"), f.text("session"), f.number("height", Int64.self), f.number("count", UInt64.self))
            guard let supplier, let session, let height, let relays else { return .malformed(f.problems) }
            return .event(.claimAccepted(supplier: supplier, session: session, height: height, relays: relays))

        case "proof.accepted" where isComponent(e.component, FakeChain.component):
            var f = FieldReader(e)
            let (supplier, session, height) = (f.text("supplier"), f.text("session"), f.number("height", Int64.self))
            guard let supplier, let session, let height else { return .malformed(f.problems) }
            return .event(.proofAccepted(supplier: supplier, session: session, height: height))

        case "claim.rejected" where isComponent(e.component, FakeChain.component),
             "proof.rejected" where isComponent(e.component, FakeChain.component):
            var f = FieldReader(e)
            let (supplier, session, height) = (f.text("supplier"), f.text("session"), f.number("height", Int64.self))
            let (rule, reason) = (f.parsed("rule", MessageRejection.Rule.init(rawValue:)), f.text("reason"))
            guard let supplier, let session, let height, let rule, let reason else { return .malformed(f.problems) }
            let kind: TxKind = e.event == "claim.rejected" ? .claim : .proof
            return .event(.submissionRejected(kind: kind, supplier: supplier, session: session, height: height, rule: rule, reason: reason))

        case "redis.restarted" where isComponent(e.component, "fault"):
            var f = FieldReader(e)
            guard let persist = f.parsed("persist", Bool.init) else { return .malformed(f.problems) }
            return persist ? .ignored : .event(.redisDataLost)

        default:
            return .ignored
        }
    }

    /// `component` is `name` itself or a node's `name` (`miner-1/miner`).
    static func isComponent(_ component: String, _ name: String) -> Bool {
        component == name || (component.hasSuffix(name) && component.dropLast(name.count).hasSuffix("/"))
    }

    /// `component event key=value …`: how a violation quotes its event.
    static func source(_ e: TraceEvent) -> String {
        ([e.component, e.event] + e.fields.map { "\($0.0)=\($0.1)" }).joined(separator: " ")
    }
}

/// Reads required fields of one event and remembers what was wrong with
/// them, so one malformed event reports every missing field at once.
struct FieldReader {
    private let event: TraceEvent
    private(set) var problems: [String] = []

    init(_ event: TraceEvent) {
        self.event = event
    }

    /// A field that must be present and non-empty.
    mutating func text(_ key: String) -> String? {
        parsed(key) { $0.isEmpty ? nil : $0 }
    }

    mutating func number<T: FixedWidthInteger>(_ key: String, _: T.Type) -> T? {
        parsed(key) { T($0) }
    }

    mutating func parsed<T>(_ key: String, _ parse: (String) -> T?) -> T? {
        guard let raw = event.field(key) else {
            problems.append("\(event.event) without `\(key)`")
            return nil
        }
        guard let value = parse(raw) else {
            problems.append("\(event.event) with unparsable `\(key)`=\"\(raw)\"")
            return nil
        }
        return value
    }
}
