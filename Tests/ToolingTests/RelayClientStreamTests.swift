import Foundation
import PocketProtocol
import RelayClient
import Testing

/// Streamed answers: the delimiter splitting on its own, then a whole stream
/// from the test relayer written in chunks smaller than the delimiter.
@Suite(.timeLimit(.minutes(2)))
struct RelayClientStreamTests {
    static let d = RelayStreamSplitter.delimiter

    /// Feeds `wire` cut at `cuts` and returns every batch plus the tail.
    static func split(_ wire: Bytes, at cuts: [Int]) -> (batches: [Bytes], tail: Bytes?) {
        var splitter = RelayStreamSplitter()
        var batches: [Bytes] = []
        var start = 0
        for cut in cuts + [wire.count] where cut >= start {
            batches += splitter.append(wire[start..<cut])
            start = cut
        }
        return (batches, splitter.finish())
    }

    @Test func everyCutOfTheStreamGivesTheSameBatches() {
        let a = Array("first batch".utf8), b = Array("second, with |POKT_STREAM| lookalike and ||POKT".utf8), c = Array("3".utf8)
        let wire = a + Self.d + b + Self.d + c + Self.d
        // One cut anywhere, including inside each delimiter.
        for cut in 0...wire.count {
            let (batches, tail) = Self.split(wire, at: [cut])
            #expect(batches == [a, b, c], "cut at \(cut)")
            #expect(tail == nil, "cut at \(cut)")
        }
        // Byte by byte.
        let (batches, tail) = Self.split(wire, at: Array(1..<wire.count))
        #expect(batches == [a, b, c])
        #expect(tail == nil)
    }

    @Test func twoCutsInsideOneDelimiterStillFindIt() {
        let a = Array("aaaa".utf8), b = Array("bbbb".utf8)
        let wire = a + Self.d + b + Self.d
        for first in a.count..<(a.count + Self.d.count) {
            for second in (first + 1)...(a.count + Self.d.count) {
                #expect(Self.split(wire, at: [first, second]).batches == [a, b], "cuts \(first), \(second)")
            }
        }
    }

    @Test func emptySegmentsAreSkippedAndATailWithoutDelimiterIsKept() {
        let a = Array("x".utf8), tail = Array("unterminated".utf8)
        let (batches, rest) = Self.split(Self.d + a + Self.d + Self.d + tail, at: [3, 20])
        #expect(batches == [a])
        #expect(rest == tail)
        var splitter = RelayStreamSplitter()
        #expect(splitter.append(Array("||POKT_STR".utf8)).isEmpty)
        #expect(splitter.pendingByteCount == 10)
        #expect(splitter.append(Array("EAM||".utf8)).isEmpty)
        #expect(splitter.finish() == nil)
    }

    @Test func aStreamFromTheRelayerIsSplitAndEveryBatchVerified() async throws {
        let texts = ["data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n", "data: {\"n\":3}\n\n"]
        try await RelayClientChain.run { world in
            // 7-byte chunks: every delimiter (15 bytes) straddles two or three chunks.
            let relayer = FakeRelayer(chain: world.chain, mode: .stream(batches: texts, chunkSize: 7))
            try await relayer.withHTTPServer { port in
                let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: .stream, timeout: .seconds(20))
                let prepared = try await world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .stream).prepare(index: 0)
                let reader = RelayStreamReader(verifier: ResponseVerifier(supplierKey: prepared.supplierKey))
                let seen = LockedBox<[Int]>([])
                let batches = try await reader.read(prepared.signed, with: sender) { batch in seen.mutate { $0.append(batch.index) } }
                await sender.shutdown()
                #expect(batches.map { String(decoding: $0.verified.body, as: UTF8.self) } == texts)
                #expect(seen.get() == [0, 1, 2])
                #expect(relayer.seen.rpcTypes == ["4"])
                let inner = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try #require(relayer.seen.payloads.first))
                #expect(inner.url == "/stream/sse")
            }
        }
    }

    @Test func aStreamStopsAfterTheRequestedBatches() async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain, mode: .stream(batches: ["a", "b", "c", "d"], chunkSize: 64))
            try await relayer.withHTTPServer { port in
                let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: .stream, timeout: .seconds(20))
                let prepared = try await world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .stream).prepare(index: 0)
                let batches = try await RelayStreamReader(verifier: ResponseVerifier(supplierKey: prepared.supplierKey), maxBatches: 2)
                    .read(prepared.signed, with: sender)
                await sender.shutdown()
                #expect(batches.map { String(decoding: $0.verified.body, as: UTF8.self) } == ["a", "b"])
            }
        }
    }

    @Test func aBatchSignedByAnotherKeyFailsTheStream() async throws {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain, mode: .stream(batches: ["a", "b"], chunkSize: 16))
            try await relayer.withHTTPServer { port in
                let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: .stream, timeout: .seconds(20))
                let prepared = try await world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .stream).prepare(index: 0)
                let reader = RelayStreamReader(verifier: ResponseVerifier(supplierKey: RelayClientKeys.supplier2.publicKey.address() == prepared.supplier
                                                                             ? RelayClientKeys.supplier.publicKey : RelayClientKeys.supplier2.publicKey))
                let failure = await #expect(throws: RelayFailure.self) { try await reader.read(prepared.signed, with: sender) }
                await sender.shutdown()
                #expect(failure?.reason == "bad_supplier_signature")
                #expect(failure?.detail.hasPrefix("batch 1:") == true)
            }
        }
    }
}
