import Foundation
import PocketProtocol
@testable import RelayRuntime
import Testing

/// The small value types of the reshaped ports.
@Suite struct PortValueTests {
    static let a = PrivateKey.fromSecret("ports-test-a")
    static let b = PrivateKey.fromSecret("ports-test-b")

    @Test func anInMemorySignerSignsWhatTheSupplierSignatureVerifies() throws {
        let signer = InMemorySigner(Self.a)
        #expect(signer.operatorAddress == Self.a.publicKey.address())
        let message = Array("relay response signable hash".utf8)
        let signature = try signer.sign(message)
        #expect(signature == SupplierSignature.sign(message, with: Self.a))
        #expect(SupplierSignature.verify(signature, message: message, publicKey: Self.a.publicKey))
        #expect(!SupplierSignature.verify(signature, message: message, publicKey: Self.b.publicKey))
    }

    @Test func reloadableKeysSwapTheWholeSetAndReportTheDifference() {
        let keys = ReloadableKeys(StaticKeys([Self.a]))
        let addressA = Self.a.publicKey.address()
        let addressB = Self.b.publicKey.address()
        #expect(keys.operatorAddresses == [addressA])
        #expect(keys.signer(forOperator: addressB) == nil)
        let change = keys.replace(with: StaticKeys([Self.b]))
        #expect(change.added == [addressB])
        #expect(change.removed == [addressA])
        #expect(keys.operatorAddresses == [addressB])
        #expect(keys.signer(forOperator: addressA) == nil)
        #expect(keys.signer(forOperator: addressB)?.publicKey == Self.b.publicKey)
    }

    @Test func aBackendStreamFailsOnlyWithBackendErrors() async {
        let (typed, feed) = BackendStream<[UInt8]>.makeStream(serviceID: "anvil")
        feed.yield([1])
        feed.finish(throwing: .timeout(service: "anvil", afterMilliseconds: 5))
        var iterator = typed.makeAsyncIterator()
        #expect(try! await iterator.next() == [1])
        do {
            _ = try await iterator.next()
            Issue.record("the stream did not fail")
        } catch {
            #expect(error == .timeout(service: "anvil", afterMilliseconds: 5))
        }

    }

    @Test func everyMetricIsDeclaredOnceWithAHelpText() {
        let all = RelayerMetrics.all + MinerMetrics.all
        #expect(Set(all.map(\.name)).count == all.count)
        #expect(all.allSatisfy { !$0.help.isEmpty })
        #expect(RelayerMetrics.all.allSatisfy { $0.name.hasPrefix("ha_relayer_") })
        #expect(MinerMetrics.all.allSatisfy { $0.name.hasPrefix("ha_miner_") })
        #expect(all.filter { $0.kind == .counter }.allSatisfy { $0.name.hasSuffix("_total") })
        #expect(RelayerMetrics.relayDuration.buckets == MetricDescriptor.latencyBuckets)
        #expect(RelayerMetrics.relaysServed.buckets.isEmpty)
    }
}
