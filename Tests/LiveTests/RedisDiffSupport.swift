import Foundation
@_spi(Testing) import RelayRuntime

/// The model's clock in the differential test (no simulation runs there):
/// it stands still, and a short sleep (a BLOCK timeout of a few ms) jumps
/// it to the deadline, so the model answers at once where the real server
/// waits those milliseconds for real. A long sleep (a blocked read waiting
/// for a key's TTL, days away) does not jump — it waits until cancelled,
/// as the real server would for the length of the test. Nothing compared
/// depends on the model's time.
final class DiffClock: ClockPort, @unchecked Sendable {
    static let longestJump = Duration.seconds(60)

    private let lock = NSLock()
    private var nanoseconds: Int64 = 1_767_225_600_000 * 1_000_000

    var now: RuntimeInstant { lock.withLock { RuntimeInstant(unixNanoseconds: nanoseconds) } }

    /// The test clock never steps: monotonic and wall time are one timeline.
    var monotonicNow: MonotonicInstant { MonotonicInstant(nanoseconds: now.unixNanoseconds) }

    func sleep(until deadline: MonotonicInstant) async throws {
        try await sleep(until: RuntimeInstant(unixNanoseconds: deadline.nanoseconds))
    }

    func sleep(until deadline: RuntimeInstant) async throws {
        let jumped = lock.withLock { () -> Bool in
            guard now(locked: ()).duration(to: deadline) <= Self.longestJump else { return false }
            if deadline.unixNanoseconds > nanoseconds { nanoseconds = deadline.unixNanoseconds }
            return true
        }
        if jumped {
            await Task.yield()
            try Task.checkCancellation()
            return
        }
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    private func now(locked: Void) -> RuntimeInstant { RuntimeInstant(unixNanoseconds: nanoseconds) }
}

/// SplitMix64: the generator's only source of randomness (seeded).
struct DiffRNG: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 ^ 0xD1B5_4A32_D192_ED03 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

/// A port command or a test-only admin command (FLUSHALL, DBSIZE, KEYS).
enum DiffCommand: Sendable, CustomStringConvertible {
    case port(RedisCommand)
    case admin(RedisAdminCommand)

    var description: String {
        switch self {
        case .port(let c): return DiffFormat.command(c)
        case .admin(let c): return c.arguments.map(DiffFormat.word).joined(separator: " ")
        }
    }
}

/// One step of a differential run. Every step is performed identically
/// against the model and the real server.
enum DiffOp: Sendable, CustomStringConvertible {
    /// One command on client `client`.
    case command(client: Int, RedisCommand)
    /// One admin command on client `client`.
    case admin(client: Int, RedisAdminCommand)
    /// A pipeline on one client.
    case pipeline(client: Int, [RedisCommand])
    /// `read` (an XREADGROUP … BLOCK 0) on client `reader` is sent and left
    /// to block; once the server holds it blocked (or it answered at once),
    /// `wake` runs on client `waker`. Both replies are compared.
    case blockAndWake(reader: Int, read: RedisCommand, waker: Int, wake: DiffCommand)
    /// SUBSCRIBE on client `client` (at most one subscription per client).
    case subscribe(client: Int, channels: [String])
    /// Ends the client's subscription; its outcome is every message it received.
    case unsubscribe(client: Int)

    var description: String {
        switch self {
        case .command(let c, let cmd): return "client\(c): \(DiffFormat.command(cmd))"
        case .admin(let c, let cmd): return "client\(c): \(DiffCommand.admin(cmd))"
        case .pipeline(let c, let cmds):
            let shown = cmds.prefix(3).map(DiffFormat.command).joined(separator: "; ")
            return "client\(c): PIPELINE[\(cmds.count)] \(shown)\(cmds.count > 3 ? "; …" : "")"
        case .blockAndWake(let r, let read, let w, let wake):
            return "client\(r): \(DiffFormat.command(read))  ⟂ then client\(w): \(wake)"
        case .subscribe(let c, let channels): return "client\(c): SUBSCRIBE \(channels.joined(separator: " "))"
        case .unsubscribe(let c): return "client\(c): UNSUBSCRIBE (collect messages)"
        }
    }
}

/// What one step produced, after the comparison rules were applied.
enum DiffOutcome: Sendable, Equatable, CustomStringConvertible {
    case reply(RedisReply)
    case replies([RedisReply])
    case episode(read: RedisReply, wake: RedisReply)
    case messages([String])
    /// The client threw (transport failure): never expected in this test.
    case failed(String)

    var description: String {
        switch self {
        case .reply(let r): return r.description
        case .replies(let rs): return "[" + rs.map(\.description).joined(separator: ", ") + "]"
        case .episode(let read, let wake): return "blocked read → \(read); waking command → \(wake)"
        case .messages(let m): return "messages \(m)"
        case .failed(let m): return "THREW \(m)"
        }
    }
}

/// The comparison rules (see the top of RedisDifferentialTests.swift).
enum DiffNormalize {
    static func reply(_ reply: RedisReply, for command: RedisCommand) -> RedisReply {
        switch command {
        case .pttl:
            // TTLs are long enough never to expire during the test: compare the class.
            if case .integer(let v) = reply, v > 0 { return .integer(1) }
            return reply
        case .smembers:
            // Redis's order is its hash table's; compare as sorted sets.
            if case .array(let items) = reply { return .array(items.sorted(by: byBytes)) }
            return reply
        case .xpending:
            // Idle times differ between two servers with different clocks: mask them.
            guard case .array(let rows) = reply else { return reply }
            return .array(rows.map { row in
                guard case .array(var f) = row, f.count == 4 else { return row }
                f[2] = .integer(0)
                return .array(f)
            })
        case .fenced(_, _, let inner):
            return self.reply(reply, for: inner)
        default:
            return reply
        }
    }

    static func reply(_ reply: RedisReply, for command: RedisAdminCommand) -> RedisReply {
        // KEYS answers in hash-table order: compare as a sorted set.
        if case .keys = command, case .array(let items) = reply { return .array(items.sorted(by: byBytes)) }
        return reply
    }

    static func reply(_ reply: RedisReply, for command: DiffCommand) -> RedisReply {
        switch command {
        case .port(let c): return self.reply(reply, for: c)
        case .admin(let c): return self.reply(reply, for: c)
        }
    }

    private static func byBytes(_ a: RedisReply, _ b: RedisReply) -> Bool {
        a.description < b.description
    }
}

/// Short, readable renderings for failure reports.
enum DiffFormat {
    static func command(_ c: RedisCommand) -> String {
        let argv: [[UInt8]]
        switch c {
        case .compareAndDelete, .compareAndExtend, .acquireLease, .ackAndDelete, .fenced, .appendUnlessSealed, .sealStream:
            // Replace the script body by the operation's name.
            var a = c.arguments
            if a.count > 1 { a[1] = Array("<\(c.name)>".utf8) }
            argv = a
        default:
            argv = c.arguments
        }
        return argv.map(word).joined(separator: " ")
    }

    static func word(_ b: [UInt8]) -> String {
        if b.count > 40 { return "<\(b.count) bytes>" }
        if let s = String(validating: b, as: UTF8.self), !s.isEmpty, s.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) {
            return s
        }
        return "\"" + b.map { $0 >= 32 && $0 < 127 && $0 != 34 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined() + "\""
    }
}

extension RedisAdministration {
    /// Sends a port or an admin command.
    func send(_ command: DiffCommand) async throws(RedisError) -> RedisReply {
        switch command {
        case .port(let c): return try await send(c)
        case .admin(let c): return try await send(admin: c)
        }
    }
}
