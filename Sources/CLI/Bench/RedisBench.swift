import ArgumentParser
import Foundation
import RelayRuntime
import RelayRuntimeLive
import RedisTooling

/// `bench redis`: the live Redis client's throughput next to
/// `redis-benchmark`'s on the same server, one at a time and pipelined.
struct RedisBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis",
        abstract: "Live Redis client SET/GET ops/s vs redis-benchmark on the same server."
    )

    @Option(help: "Benchmark this server (redis://[[user]:password@]host[:port][/db]) instead of starting a local redis-server.")
    var url: String?

    @Option(help: "Operations per one-at-a-time measurement.")
    var operations = 20_000

    @Option(help: "Operations per pipelined measurement.")
    var pipelinedOperations = 200_000

    @Option(help: "Commands per pipeline.")
    var batch = 100

    @Option(help: "Concurrent callers for the multiplexed measurement (redis-benchmark's default is 50 clients).")
    var callers = 50

    @Option(help: "Concurrent callers for the concurrent pipelined measurement.")
    var pipelineCallers = 4

    @Option(help: "Requests per redis-benchmark test.")
    var benchmarkRequests = 200_000

    @Option(help: "Runs per measurement; the best is reported (both columns), which filters out interference from other load.")
    var repeats = 3

    func run() async throws {
        #if DEBUG
        print("warning: debug build; use `swift build -c release` for meaningful numbers")
        #endif
        var server: LocalRedisServer?
        let target: RedisURL
        if let url {
            target = try RedisURL(parsing: url)
        } else {
            let started = try await LocalRedisServer.start()
            server = started
            target = RedisURL(host: "127.0.0.1", port: started.port)
            print("started redis-server on 127.0.0.1:\(started.port)")
        }
        do {
            try await measure(target)
        } catch {
            await server?.stop()
            throw error
        }
        await server?.stop()
    }

    private func measure(_ target: RedisURL) async throws {
        let client = try await LiveRedisClient.connect(configuration: LiveRedisConfiguration(url: target, maxConnections: 4, commandTimeout: .seconds(30)))
        let key = "bench:key"
        let value = Array("xxx".utf8) // redis-benchmark's default 3-byte value
        try await client.set(key, value)

        var live: [String: Double] = [:]
        live["SET one at a time"] = try await rate(operations) {
            for _ in 0..<operations { try await client.set(key, value) }
        }
        live["GET one at a time"] = try await rate(operations) {
            for _ in 0..<operations { _ = try await client.get(key) }
        }
        let perCaller = max(1, operations / callers)
        live["SET \(callers) callers"] = try await rate(perCaller * callers) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<callers { group.addTask { for _ in 0..<perCaller { try await client.set(key, value) } } }
                try await group.waitForAll()
            }
        }
        let batches = max(1, pipelinedOperations / batch)
        let setBatch = [RedisCommand](repeating: .set(key: key, value: value), count: batch)
        let getBatch = [RedisCommand](repeating: .get(key: key), count: batch)
        live["SET pipelined"] = try await rate(batches * batch) {
            for _ in 0..<batches { _ = try await client.pipeline(setBatch) }
        }
        live["GET pipelined"] = try await rate(batches * batch) {
            for _ in 0..<batches { _ = try await client.pipeline(getBatch) }
        }
        let batchesPerCaller = max(1, batches / pipelineCallers)
        live["SET pipelined \(pipelineCallers) callers"] = try await rate(batchesPerCaller * pipelineCallers * batch) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<pipelineCallers {
                    group.addTask { for _ in 0..<batchesPerCaller { _ = try await client.pipeline(setBatch) } }
                }
                try await group.waitForAll()
            }
        }
        await client.close()

        var reference: [String: Double] = [:]
        if let tool = LocalRedisServer.benchmarkPath {
            var plain: [String: Double] = [:]
            var piped: [String: Double] = [:]
            for _ in 0..<max(1, repeats) {
                plain.merge(try await Self.redisBenchmark(tool, target, requests: benchmarkRequests, pipeline: nil, clients: callers), uniquingKeysWith: max)
                piped.merge(try await Self.redisBenchmark(tool, target, requests: benchmarkRequests, pipeline: batch, clients: callers), uniquingKeysWith: max)
            }
            reference["SET one at a time"] = plain["SET"]
            reference["GET one at a time"] = plain["GET"]
            reference["SET \(callers) callers"] = plain["SET"]
            reference["SET pipelined"] = piped["SET"]
            reference["GET pipelined"] = piped["GET"]
            reference["SET pipelined \(pipelineCallers) callers"] = piped["SET"]
        } else {
            print("redis-benchmark not found: reference column left empty")
        }

        let rows = ["SET one at a time", "GET one at a time", "SET \(callers) callers", "SET pipelined", "GET pipelined",
                    "SET pipelined \(pipelineCallers) callers"]
        let refNames = ["SET one at a time": "SET -c \(callers)", "GET one at a time": "GET -c \(callers)",
                        "SET \(callers) callers": "SET -c \(callers)", "SET pipelined": "SET -c \(callers) -P \(batch)",
                        "GET pipelined": "GET -c \(callers) -P \(batch)", "SET pipelined \(pipelineCallers) callers": "SET -c \(callers) -P \(batch)"]
        let widths = [26, 12, 20, 12, 8]
        print("")
        print("live client: pool of 4 multiplexed connections, batches of \(batch); redis-benchmark: \(benchmarkRequests) requests per test, \(callers) clients, 3-byte values; best of \(repeats) runs each")
        print(Bench.row(["benchmark", "live ops/s", "redis-benchmark", "its ops/s", "live/rb"], widths: widths))
        print(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
        for name in rows {
            let mine = live[name] ?? 0
            let theirs = reference[name]
            let ratio = theirs.map { Bench.format(mine / $0 * 100, decimals: 0) + "%" } ?? "-"
            print(Bench.row([name, Bench.format(mine, decimals: 0), refNames[name] ?? "", theirs.map { Bench.format($0, decimals: 0) } ?? "-", ratio],
                            widths: widths))
        }
    }

    /// Best ops/s of `repeats` runs of `body` (which performs `count` operations).
    private func rate(_ count: Int, _ body: () async throws -> Void) async throws -> Double {
        let clock = ContinuousClock()
        var best = 0.0
        for _ in 0..<max(1, repeats) {
            let start = clock.now
            try await body()
            let d = start.duration(to: clock.now)
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            best = max(best, Double(count) / seconds)
        }
        return best
    }

    /// Runs `redis-benchmark -t set,get -q` and returns requests/s per test name.
    private static func redisBenchmark(_ tool: String, _ url: RedisURL, requests: Int, pipeline: Int?, clients: Int) async throws -> [String: Double] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("redis-benchmark-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        var arguments = ["-h", url.host, "-p", String(url.port), "-t", "set,get", "-n", String(requests), "-c", String(clients), "-q"]
        if let pipeline { arguments += ["-P", String(pipeline)] }
        if let password = url.password { arguments += ["-a", password] + (url.username.map { ["--user", $0] } ?? []) }
        if url.database != 0 { arguments += ["--dbnum", String(url.database)] }
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) } // no blocking wait on the concurrency pool
        try handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        var result: [String: Double] = [:]
        // `-q` prints "SET: 123456.79 requests per second, p50=…" (progress lines are \r-separated).
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let parts = line.split(separator: " ")
            guard parts.count >= 4, parts[0].hasSuffix(":"), parts[2] == "requests", let rps = Double(parts[1]) else { continue }
            result[String(parts[0].dropLast())] = rps
        }
        return result
    }
}
