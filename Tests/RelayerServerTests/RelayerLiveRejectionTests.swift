import Foundation
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import Testing

/// Every refusal of the live relayer, each with its status and reason, and
/// nothing published for any of them: non-protobuf 400, too large 413,
/// unknown service 404, bad ring signature 403, supplier not in session
/// 403, backend down 502 then 503 once its circuit opens, Redis down 503
/// with fail_behavior closed; and a SIGTERM that exits 0.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct RelayerLiveRejectionTests {
    @Test(.enabled(if: ChildProcess.binary != nil && LocalRedisServerAvailable.value, "needs the built binary and redis-server"))
    func badInputAndFaultsGetTheirStatusAndPublishNothing() async throws {
        let stack = try await LiveStack.start()
        do {
            try await run(stack)
        } catch {
            Issue.record("\(error)\n--- relayer log ---\n\(stack.relayer.output.suffix(4000))")
        }
        await stack.stop()
    }

    private func run(_ stack: LiveStack) async throws {
        try await LiveChainQueries.withQueries(configuration: LiveChainQueriesConfiguration(endpoint: "127.0.0.1:\(stack.grpcPort)"), clock: SystemClock()) { queries in
            try await CometBFTClient.withClient(configuration: CometBFTConfiguration(rpcURL: "http://127.0.0.1:\(stack.rpcPort)")) { blocks in
                let factory = RelayFactory(queries: queries, blocks: blocks)
                let app = try stack.keys.key(stack.keys.applications["app-1"])
                let gateway = try stack.keys.key(stack.keys.gateways["gw-alpha"])
                let stranger = try PrivateKey(hex: String(repeating: "4", count: 64))
                let supplier = try stack.keys.key(stack.keys.suppliers["supplier-1"]).publicKey.address()
                let stream = "ha:relays:{\(supplier)}"
                let payload = RelayFactory.httpPayload(body: #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)

                func expectRefusal(_ body: [UInt8], status: Int, reason: String, _ note: Comment) async throws {
                    let answer = try await HTTP.post(stack.relayerURL, body: body, headers: [("Rpc-Type", "jsonrpc")])
                    #expect(answer.status == status, note)
                    #expect(answer.json["reason"] as? String == reason, "\(note): \(answer.text)")
                    #expect((answer.json["error"] as? String)?.isEmpty == false)
                }

                try await expectRefusal(Array("{\"not\":\"protobuf\"}".utf8), status: 400, reason: "malformed", "non-protobuf body")
                try await expectRefusal([UInt8](repeating: 7, count: 70_000), status: 413, reason: "too_large", "body over default_max_body_size_bytes")

                let good = try await factory.relay(application: app, signer: gateway, service: "anvil", supplier: supplier, payload: payload)
                var unknownService = good.request
                unknownService.meta.sessionHeader.serviceID = "no-such-service"
                try await expectRefusal(Array(try unknownService.serializedData()), status: 404, reason: "unknown_service", "unknown service")

                var forged = good.request
                var signature = Array(forged.meta.signature)
                signature[40] ^= 0x01
                forged.meta.signature = Data(signature)
                try await expectRefusal(Array(try forged.serializedData()), status: 403, reason: "invalid_ring_signature", "mutated ring signature")

                let outsider = try await factory.relay(application: app, signer: gateway, service: "anvil", supplier: stranger.publicKey.address(), payload: payload, session: good.session)
                try await expectRefusal(outsider.bytes, status: 403, reason: "supplier_not_served", "a supplier this relayer holds no key for")

                #expect(try await RedisStream.entries(url: stack.redis.url, key: stream).isEmpty, "no refused relay is published")

                // Backend down: 502 (not mined), and once the circuit opens, 503 at once.
                let app4 = try stack.keys.key(stack.keys.applications["app-4"])
                var statuses: [Int] = []
                var firstBody = ""
                for _ in 0..<7 {
                    let relay = try await factory.relay(application: app4, signer: app4, service: "ethereum", supplier: supplier, payload: payload)
                    let answer = try await HTTP.post(stack.relayerURL, body: relay.bytes, headers: [("Rpc-Type", "3")])
                    if firstBody.isEmpty { firstBody = answer.text }
                    statuses.append(answer.status)
                }
                #expect(statuses.prefix(5).allSatisfy { $0 == 502 }, "\(statuses) \(firstBody)")
                #expect(statuses.last == 503, "all endpoints of the pool are open: \(statuses)")
                #expect(try await RedisStream.entries(url: stack.redis.url, key: stream).isEmpty, "a backend failure is not mined")

                // Redis down with fail_behavior closed: metering refuses (503), nothing is served unmetered.
                await stack.redis.kill()
                let whileDown = try await factory.relay(application: app, signer: gateway, service: "anvil", supplier: supplier, payload: payload)
                let answer = try await HTTP.post(stack.relayerURL, body: whileDown.bytes, headers: [("Rpc-Type", "3")])
                #expect(answer.status == 503, "\(answer.text)")
                #expect(answer.json["reason"] as? String == "meter_unavailable")
                let ready = try await HTTP.get(stack.relayerURL + "/ready")
                #expect(ready.status == 503)
                #expect(ready.text.contains("redis unreachable"))
            }
        }
        // SIGTERM: drains and exits 0.
        let status = await stack.relayer.stop(signal: SIGTERM)
        #expect(status == 0, "\(stack.relayer.output.suffix(2000))")
        #expect(stack.relayer.output.contains("relayer stopped"))
    }
}
