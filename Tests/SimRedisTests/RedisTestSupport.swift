import Foundation
@_spi(Testing) import RelayRuntime
import SimKernel
@_spi(Testing) @testable import SimRedis

/// A clock for tests of the synchronous core: time moves only when the test
/// says so (or, for the async client, when someone sleeps: sleeping jumps
/// the clock to the deadline).
final class TestClock: ClockPort, @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: Int64

    /// 2026-01-01T00:00:00Z, like the simulator.
    init(milliseconds: Int64 = 1_767_225_600_000) {
        nanoseconds = milliseconds * 1_000_000
    }

    var now: RuntimeInstant {
        lock.lock()
        defer { lock.unlock() }
        return RuntimeInstant(unixNanoseconds: nanoseconds)
    }

    var milliseconds: Int64 { now.unixNanoseconds / 1_000_000 }

    func advance(milliseconds ms: Int64) {
        lock.lock()
        nanoseconds += ms * 1_000_000
        lock.unlock()
    }

    /// The test clock never steps: monotonic and wall time are one timeline.
    var monotonicNow: MonotonicInstant { MonotonicInstant(nanoseconds: now.unixNanoseconds) }

    func sleep(until deadline: MonotonicInstant) async throws {
        try await sleep(until: RuntimeInstant(unixNanoseconds: deadline.nanoseconds))
    }

    func sleep(until deadline: RuntimeInstant) async throws {
        lock.withLock {
            if deadline.unixNanoseconds > nanoseconds { nanoseconds = deadline.unixNanoseconds }
        }
        await Task.yield()
        try Task.checkCancellation()
    }
}

/// A model on a test clock, with terse helpers.
struct Fixture {
    let clock = TestClock()
    let model: RedisModel

    init() {
        model = RedisModel(clock: clock)
    }

    @discardableResult
    func run(_ c: RedisCommand) -> RedisReply { model.execute(c) }

    @discardableResult
    func admin(_ c: RedisAdminCommand) -> RedisReply { model.execute(admin: c) }

    func advance(_ ms: Int64) { clock.advance(milliseconds: ms) }
}

func bulk(_ s: String) -> RedisReply { .bulk(Array(s.utf8)) }
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
func fv(_ f: String, _ v: String) -> FieldValue { FieldValue(Array(f.utf8), Array(v.utf8)) }
func sid(_ ms: UInt64, _ seq: UInt64) -> StreamID { StreamID(milliseconds: ms, sequence: seq) }
func entry(_ id: String, _ pairs: (String, String)...) -> RedisReply {
    .array([bulk(id), .array(pairs.flatMap { [bulk($0.0), bulk($0.1)] })])
}

func ids(_ list: String...) -> RedisReply { .array(list.map(bulk)) }

let wrongType = RedisReply.error("WRONGTYPE Operation against a key holding the wrong kind of value")

extension RedisCommand {
    static func xaddID(_ key: String, _ ms: UInt64, _ seq: UInt64, _ pairs: (String, String)..., trim: StreamTrim? = nil) -> RedisCommand {
        .xadd(key: key, id: .explicit(StreamID(milliseconds: ms, sequence: seq)), fields: pairs.map { fv($0.0, $0.1) }, trim: trim)
    }

    static func readNew(_ key: String, group: String = "g", consumer: String, count: Int? = nil, block: Int64? = nil, noAck: Bool = false) -> RedisCommand {
        .xreadgroup(group: group, consumer: consumer, streams: [StreamCursor(key: key, position: .undelivered)], count: count, blockMilliseconds: block, noAck: noAck)
    }

    static func readHistory(_ key: String, group: String = "g", consumer: String, after: StreamID = .zero, count: Int? = nil) -> RedisCommand {
        .xreadgroup(group: group, consumer: consumer, streams: [StreamCursor(key: key, position: .pending(after: after))], count: count)
    }
}

/// XPENDING extended rows as (id, consumer, deliveries), idle dropped.
func pendingRows(_ reply: RedisReply) -> [String] {
    guard case .array(let rows) = reply else { return ["not an array: \(reply)"] }
    return rows.map { row in
        guard case .array(let f) = row, f.count == 4, case .bulk(let id) = f[0], case .bulk(let c) = f[1], case .integer(let n) = f[3] else { return "bad row \(row)" }
        return "\(String(decoding: id, as: UTF8.self)) \(String(decoding: c, as: UTF8.self)) \(n)"
    }
}

/// XPENDING extended idle column.
func idleTimes(_ reply: RedisReply) -> [Int64] {
    guard case .array(let rows) = reply else { return [] }
    return rows.compactMap { row in
        guard case .array(let f) = row, f.count == 4, case .integer(let idle) = f[2] else { return nil }
        return idle
    }
}
