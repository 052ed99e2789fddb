import Foundation
import PocketProtocol
@testable import RelayRuntime
import SimChain
import SimKernel
import SimRedis
import Testing

/// The relayer process's graceful stop: nothing admitted is dropped, nothing new is admitted.
@Suite struct RelayerProcessTests {
    /// A process over the test world's ports, following the world's chain.
    static func process(_ world: RelayerWorld) -> RelayerProcess {
        let ports = RuntimePorts(redis: world.redis, keys: StaticKeys([world.supplier]), clock: world.kernel.clock,
                                 entropy: world.kernel.entropy, telemetry: world.telemetry)
        return RelayerProcess(config: world.config, ports: ports, chain: world.chain, backend: world.backend)
    }

    @Test func stopFinishesTheInFlightRelayAndItsPublishThenRefusesNewOnes() throws {
        let world = RelayerWorld()
        let process = Self.process(world)
        try world.run {
            await world.advance(to: 2)
            await process.blocks.observe(try await world.fakeChain.latestBlock())
            let header = try await world.header()
            let first = try world.signedRequest(header: header).bytes
            let second = try world.signedRequest(header: header).bytes
            world.backend.behave(.slow(.seconds(2)))
            let started = world.kernel.clock.now
            async let inFlight = process.handle(IncomingRelay(body: first, rpcType: .jsonRPC))
            try await world.kernel.clock.sleep(for: .milliseconds(500))
            #expect(process.inFlight == 1)
            async let stopping: Void = process.stop()
            try await world.kernel.clock.sleep(for: .milliseconds(100))
            let refused = await process.handle(IncomingRelay(body: second, rpcType: .jsonRPC))
            let answer = await inFlight
            await stopping
            let stoppedAfter = started.duration(to: world.kernel.clock.now)

            let rejection = expectRejected(refused)
            #expect(rejection?.name == "shutting_down")
            #expect(rejection?.httpStatus == 503)
            let served = expectServed(answer)
            guard case .published(let id)? = served?.mining else {
                Issue.record("the in-flight relay was not published: \(String(describing: served?.mining))")
                return
            }
            // The publish happened before stop() returned: the entry is in the stream.
            #expect(try await world.published().map(\.id) == [id])
            #expect(stoppedAfter >= .seconds(2))
            #expect(process.inFlight == 0)
            #expect(world.backend.requests.count == 1)
            #expect(world.telemetry.total(RelayerMetrics.relaysDrained.name) == 1)
        }
    }

    @Test func stopClosesOpenWebSocketBridgesAndRefusesNewOnes() throws {
        let world = RelayerWorld()
        let process = Self.process(world)
        try world.run {
            await world.advance(to: 2)
            await process.blocks.observe(try await world.fakeChain.latestBlock())
            guard case .opened(let bridge) = await process.openDuplex(serviceID: RelayerWorld.service, path: "/ws") else {
                Issue.record("the bridge did not open")
                return
            }
            #expect(!bridge.isClosed)
            await process.stop()
            #expect(bridge.isClosed)
            #expect(world.backend.openedDuplexes.first?.isClosed == true)
            guard case .rejected(let rejection) = await process.openDuplex(serviceID: RelayerWorld.service) else {
                Issue.record("a bridge opened during shutdown")
                return
            }
            #expect(rejection.name == "shutting_down")
        }
    }

    @Test func runReturnsOnceStopHasDrained() throws {
        let world = RelayerWorld()
        let process = Self.process(world)
        let returned = try world.run { () -> Bool in
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { await process.run(); return true }
                group.addTask {
                    try? await world.kernel.clock.sleep(for: .seconds(3))
                    await process.stop()
                    return false
                }
                var ranToEnd = false
                for await finished in group where finished { ranToEnd = true }
                return ranToEnd
            }
        }
        #expect(returned)
    }
}

/// The gate that lets shutdown wait for accepted work.
@Suite struct InFlightGateTests {
    @Test func closedGateAdmitsNothingAndDrainsWhenTheLastLeaves() throws {
        let kernel = SimKernel(seed: 1)
        let order = try kernel.run { () -> [String] in
            let gate = InFlightGate()
            #expect(gate.enter())
            #expect(gate.enter())
            gate.close()
            #expect(!gate.enter())
            #expect(gate.inFlight == 2)
            let log = Log()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await gate.drained()
                    log.append("drained")
                }
                group.addTask {
                    try? await kernel.clock.sleep(for: .seconds(1))
                    log.append("leave 1")
                    gate.leave()
                    try? await kernel.clock.sleep(for: .seconds(1))
                    log.append("leave 2")
                    gate.leave()
                }
            }
            return log.entries
        }
        #expect(order == ["leave 1", "leave 2", "drained"])
    }

    @Test func aCancelledWaiterReturnsWithoutTheGateDraining() throws {
        let kernel = SimKernel(seed: 1)
        let inFlight = try kernel.run { () -> Int in
            let gate = InFlightGate()
            _ = gate.enter()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await gate.drained() }
                try? await kernel.clock.sleep(for: .seconds(1))
                group.cancelAll()
            }
            return gate.inFlight
        }
        #expect(inFlight == 1)
    }

    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ s: String) { lock.withLock { items.append(s) } }
        var entries: [String] { lock.withLock { items } }
    }
}
