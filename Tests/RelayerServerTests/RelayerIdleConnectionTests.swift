import Foundation
import NIOCore
import NIOPosix
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import Testing

/// 1 000 connections that never send a byte do not stop the relayer from
/// serving: each costs a socket, not a thread, and none holds up a relay.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayerIdleConnectionTests {
    /// Raises this process's descriptor limit to what 1 000 sockets plus the rest need, if the hard limit allows.
    static let enoughDescriptors: Bool = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return false }
        if limit.rlim_cur < 4_096, limit.rlim_max >= 4_096 {
            limit.rlim_cur = 4_096
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return limit.rlim_cur >= 4_096
    }()

    @Test(.enabled(if: ChildProcess.binary != nil && LocalRedisServerAvailable.value, "needs the built binary and redis-server"),
          .enabled(if: enoughDescriptors, "needs a descriptor limit of at least 4096"))
    func thousandIdleConnectionsDoNotStopService() async throws {
        let stack = try await LiveStack.start()
        var channels: [any Channel] = []
        do {
            let port = stack.relayerPorts["http"]!
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            for _ in 0..<1_000 { channels.append(try await bootstrap.connect(host: "127.0.0.1", port: port).get()) }
            let rss = Self.rssMB(stack.relayer.process.processIdentifier)
            print("relayer RSS with 1000 idle connections: \(rss) MB")

            try await LiveChainQueries.withQueries(configuration: LiveChainQueriesConfiguration(endpoint: "127.0.0.1:\(stack.grpcPort)"), clock: SystemClock()) { queries in
                try await CometBFTClient.withClient(configuration: CometBFTConfiguration(rpcURL: "http://127.0.0.1:\(stack.rpcPort)")) { blocks in
                    let factory = RelayFactory(queries: queries, blocks: blocks)
                    let app = try stack.keys.key(stack.keys.applications["app-1"])
                    let gateway = try stack.keys.key(stack.keys.gateways["gw-alpha"])
                    let supplier = try stack.keys.key(stack.keys.suppliers["supplier-1"])
                    let relay = try await factory.relay(
                        application: app, signer: gateway, service: "anvil", supplier: supplier.publicKey.address(),
                        payload: RelayFactory.httpPayload(body: #"{"jsonrpc":"2.0","id":3,"method":"eth_blockNumber"}"#))
                    let answer = try await HTTP.post(stack.relayerURL, body: relay.bytes, headers: [("Rpc-Type", "3")])
                    #expect(answer.status == 200, "\(answer.text)")
                    _ = try RelayFactory.verify(answer.body, supplier: supplier.publicKey)
                }
            }
            #expect(channels.allSatisfy { $0.isActive }, "idle connections are still open (well inside the idle timeout)")
        } catch {
            Issue.record("\(error)\n--- relayer log ---\n\(stack.relayer.output.suffix(3000))")
        }
        for channel in channels { try? await channel.close() }
        await stack.stop()
    }

    static func rssMB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = line.split(separator: " ").compactMap({ Double($0) }).first else { return 0 }
        return kb / 1024
    }
}
