import ArgumentParser
import Foundation
import RelayRuntime
import SimKernel
import SimRedis

/// `bench redis-model`: throughput of the simulator's Redis model on the
/// miner's hot loop (XADD → XREADGROUP COUNT 1 → XACK), on the synchronous
/// core and through the async `RedisModelClient` under the SimKernel.
struct RedisModelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-model",
        abstract: "XADD+XREADGROUP+XACK cycles/s of the in-process Redis model (sync core and async client under the SimKernel)."
    )

    @Option(help: "Cycles per measurement.")
    var cycles = 1_000_000

    @Option(help: "Bytes of the relay payload in each entry.")
    var valueBytes = 700

    @Option(help: "Run only one measurement: sync, client or blocking.")
    var only: String?

    func run() throws {
        #if DEBUG
        print("warning: debug build; use `swift build -c release` for meaningful numbers")
        #endif
        var rng = BenchRNG(state: 7)
        let payload = rng.bytes(valueBytes)
        print(Bench.row(["benchmark", "cycles", "seconds", "cycles/s", "commands/s"], widths: [58, 10, 9, 12, 12]))
        print(String(repeating: "-", count: 109))
        func report(_ name: String, _ n: Int, _ seconds: Double, commandsPerCycle: Int = 3) {
            print(Bench.row([name, String(n), Bench.format(seconds, decimals: 3), Bench.format(Double(n) / seconds, decimals: 0),
                             Bench.format(Double(n * commandsPerCycle) / seconds, decimals: 0)], widths: [58, 10, 9, 12, 12]))
        }

        // 1. Synchronous core, on a fixed clock.
        if only == nil || only == "sync" {
            let model = RedisModel(clock: FixedClock())
            let (xadd, read) = try Self.prepare(model.execute, payload)
            _ = try Self.syncCycles(model, xadd, read, 10_000) // warm-up
            let seconds = try Bench.seconds { _ = try Self.syncCycles(model, xadd, read, cycles) }
            report("sync core: XADD * + XREADGROUP COUNT 1 + XACK", cycles, seconds)
        }

        // 2. The async client under the SimKernel (virtual clock, simulator executor).
        if only == nil || only == "client" {
            let kernel = SimKernel(seed: 1)
            let n = cycles
            let seconds = try Bench.seconds {
                try kernel.run {
                    let model = RedisModel(clock: kernel.clock)
                    let client = RedisModelClient(model: model, name: "bench")
                    let (xadd, read) = try Self.prepare(model.execute, payload)
                    for _ in 0..<n {
                        _ = try await client.send(xadd)
                        let reply = try await client.send(read)
                        _ = try await client.send(.xack(key: "ha:relays:{bench}", group: "ha-miners", ids: [try Self.firstID(reply)]))
                    }
                }
            }
            report("RedisModelClient under SimKernel.run (same cycle)", n, seconds)
        }

        // 3. Blocking hand-off under the SimKernel: a miner blocked in
        //    XREADGROUP BLOCK is woken by each relayer XADD (task group wait).
        if only == nil || only == "blocking" {
            let kernel = SimKernel(seed: 1)
            let n = max(1, cycles / 10)
            let seconds = try Bench.seconds {
                try kernel.run {
                    let model = RedisModel(clock: kernel.clock)
                    let relayer = RedisModelClient(model: model, name: "relayer")
                    let miner = RedisModelClient(model: model, name: "miner")
                    let (xadd, _) = try Self.prepare(model.execute, payload)
                    let blockingRead = RedisCommand.xreadgroup(group: "ha-miners", consumer: "miner",
                                                               streams: [StreamCursor(key: "ha:relays:{bench}", position: .undelivered)],
                                                               count: 1, blockMilliseconds: 0)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for _ in 0..<n {
                                let reply = try await miner.send(blockingRead)
                                _ = try await miner.send(.xack(key: "ha:relays:{bench}", group: "ha-miners", ids: [try Self.firstID(reply)]))
                            }
                        }
                        group.addTask {
                            for _ in 0..<n {
                                try await kernel.clock.sleep(for: .microseconds(10))
                                _ = try await relayer.send(xadd)
                            }
                        }
                        try await group.waitForAll()
                    }
                }
            }
            report("blocked XREADGROUP woken by XADD, under SimKernel", n, seconds)
        }
    }

    /// Creates the stream and group; returns the reusable XADD and XREADGROUP commands.
    static func prepare(_ execute: (RedisCommand) -> RedisReply, _ payload: [UInt8]) throws -> (RedisCommand, RedisCommand) {
        let key = "ha:relays:{bench}"
        guard execute(.xgroupCreate(key: key, group: "ha-miners", start: .latest, makeStream: true)) == .ok else {
            throw ValidationError("could not create the consumer group")
        }
        let xadd = RedisCommand.xadd(key: key, id: .auto, fields: [FieldValue("data", payload)])
        let read = RedisCommand.xreadgroup(group: "ha-miners", consumer: "miner-1", streams: [StreamCursor(key: key, position: .undelivered)], count: 1)
        return (xadd, read)
    }

    static func syncCycles(_ model: RedisModel, _ xadd: RedisCommand, _ read: RedisCommand, _ n: Int) throws -> Int {
        var acked = 0
        for _ in 0..<n {
            _ = model.execute(xadd)
            let reply = model.execute(read)
            if case .integer(let a) = model.execute(.xack(key: "ha:relays:{bench}", group: "ha-miners", ids: [try firstID(reply)])) { acked += Int(a) }
        }
        guard acked == n else { throw ValidationError("acked \(acked) of \(n)") }
        return acked
    }

    /// The id of the first entry of an XREADGROUP reply (what a miner acks).
    static func firstID(_ reply: RedisReply) throws -> StreamID {
        guard case .array(let streams) = reply, case .array(let pair)? = streams.first, pair.count == 2,
              case .array(let entries) = pair[1], case .array(let e)? = entries.first, case .bulk(let id)? = e.first
        else { throw ValidationError("unexpected XREADGROUP reply \(reply)") }
        var ms: UInt64 = 0
        var seq: UInt64 = 0
        var i = 0
        while i < id.count, id[i] != UInt8(ascii: "-") { ms = ms &* 10 &+ UInt64(id[i] &- 48); i += 1 }
        i += 1
        while i < id.count { seq = seq &* 10 &+ UInt64(id[i] &- 48); i += 1 }
        return StreamID(milliseconds: ms, sequence: seq)
    }
}

/// A clock that never moves (the sync benchmark measures the model, not time).
private struct FixedClock: ClockPort {
    var now: RuntimeInstant { RuntimeInstant(unixNanoseconds: 1_767_225_600_000_000_000) }
    var monotonicNow: MonotonicInstant { MonotonicInstant(nanoseconds: 0) }
    func sleep(until deadline: MonotonicInstant) async throws {}
}
