import Foundation
import PocketProtocol
import RelayRuntime

/// The run's event trace: one JSON line per event (virtual time, component,
/// event, fields) folded into a rolling SHA-256, so two runs can be compared
/// by one hash and a divergence found by diffing the lines.
public final class SimTrace: @unchecked Sendable {
    private let lock = NSLock()
    private var rolling: [UInt8] = Array(repeating: 0, count: 32)
    private var events: UInt64 = 0
    private let origin: Int64
    private var sink: (@Sendable (String) -> Void)?
    private var retainFilter: (@Sendable (String, String) -> Bool)?
    private var retainedEvents: [TraceEvent] = []
    private var observers: [@Sendable (TraceEvent) -> Void] = []

    init(origin: RuntimeInstant) {
        self.origin = origin.unixNanoseconds
    }

    /// Receives every line as it is recorded (e.g. to write `--trace FILE`).
    public func setSink(_ sink: (@Sendable (String) -> Void)?) {
        lock.lock()
        self.sink = sink
        lock.unlock()
    }

    /// Keeps in memory the events for which `filter(component, event)` holds,
    /// so analyses and reports can read them after the run.
    public func retain(where filter: (@Sendable (String, String) -> Bool)?) {
        lock.lock()
        retainFilter = filter
        lock.unlock()
    }

    /// Calls `observer` synchronously for every event recorded from now on
    /// (e.g. a fault waiting for "the first claim of session 2").
    public func observe(_ observer: @escaping @Sendable (TraceEvent) -> Void) {
        lock.lock()
        observers.append(observer)
        lock.unlock()
    }

    /// The retained events, in the order they happened.
    public var retained: [TraceEvent] {
        lock.lock()
        defer { lock.unlock() }
        return retainedEvents
    }

    public func record(at time: RuntimeInstant, component: String, event: String, fields: TelemetryLabels) {
        let line = Self.line(nanosecondsSinceStart: time.unixNanoseconds - origin, component: component, event: event, fields: fields)
        lock.lock()
        if let retainFilter, retainFilter(component, event) {
            retainedEvents.append(TraceEvent(nanosecondsSinceStart: time.unixNanoseconds - origin, component: component, event: event, fields: fields))
        }
        var input = rolling
        input.append(contentsOf: line.utf8)
        rolling = Hash.sha256(input)
        events += 1
        let sink = self.sink
        let observers = self.observers
        lock.unlock()
        sink?(line)
        if !observers.isEmpty {
            let event = TraceEvent(nanosecondsSinceStart: time.unixNanoseconds - origin, component: component, event: event, fields: fields)
            for observer in observers { observer(event) }
        }
    }

    /// Hex of the rolling hash over every line so far (64 zeros before the first event).
    public var hashHex: String {
        lock.lock()
        defer { lock.unlock() }
        return rolling.map { String(format: "%02x", $0) }.joined()
    }

    public var eventCount: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    static func line(nanosecondsSinceStart t: Int64, component: String, event: String, fields: TelemetryLabels) -> String {
        var out = "{\"t\":\(t),\"c\":"
        JSONText.appendString(component, to: &out)
        out += ",\"e\":"
        JSONText.appendString(event, to: &out)
        out += ",\"f\":{"
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { out += "," }
            JSONText.appendString(k, to: &out)
            out += ":"
            JSONText.appendString(v, to: &out)
        }
        out += "}}"
        return out
    }
}

/// One trace event kept in memory (see `SimTrace.retain`).
public struct TraceEvent: Sendable {
    public let nanosecondsSinceStart: Int64
    public let component: String
    public let event: String
    public let fields: TelemetryLabels

    public func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
}

