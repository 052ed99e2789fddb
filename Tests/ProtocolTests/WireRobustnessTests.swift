import Foundation
import Testing
import PocketProtocol

/// SplitMix64: a tiny seeded generator so fuzz inputs are the same on every run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> Bytes { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// Untrusted bytes must produce a `WireError` or a message, never a crash, and
/// whatever decodes must already be in canonical form after one re-encode.
@Suite struct WireRobustnessTests {
    /// Decodes, and if that succeeds checks that canonical encoding is a fixed point.
    static func decodeAll(_ bytes: Bytes) -> (ok: Int, failed: Int, unstable: Int) {
        var ok = 0, failed = 0, unstable = 0
        func probe<M: GogoprotoMessage>(_ type: M.Type) {
            do {
                let once = try CanonicalCodec.canonicalize(type, bytes: bytes)
                let twice = try CanonicalCodec.canonicalize(type, bytes: once)
                if once == twice { ok += 1 } else { unstable += 1 }
            } catch { failed += 1 }
        }
        probe(Pocket_Service_Relay.self)
        probe(Pocket_Service_RelayRequest.self)
        probe(Pocket_Service_RelayResponse.self)
        probe(Pocket_Service_RelayRequestMetadata.self)
        probe(Pocket_Service_RelayResponseMetadata.self)
        probe(Pocket_Service_RelayMinerError.self)
        probe(Pocket_Session_SessionHeader.self)
        do {
            let r = try ReceivedRelayResponse(bytes: bytes)
            _ = try r.signableHash()
            ok += 1
        } catch { failed += 1 }
        do {
            let r = try ReceivedRelay(bytes: bytes)
            _ = try r.responseSignableHash()
            ok += 1
        } catch { failed += 1 }
        return (ok, failed, unstable)
    }

    @Test func randomBytesNeverCrash() {
        var rng = SeededRandom(seed: 0x5eed_0001)
        var failed = 0, ok = 0, unstable = 0
        for _ in 0..<3000 {
            let r = Self.decodeAll(rng.bytes(Int.random(in: 0...96, using: &rng)))
            failed += r.failed; ok += r.ok; unstable += r.unstable
        }
        #expect(unstable == 0)
        // Random bytes are mostly not protobuf; a decoder accepting them all would be broken.
        #expect(failed > ok)
        #expect(failed + ok == 3000 * 9)
    }

    @Test func mutatedRelaysNeverCrash() {
        var rng = SeededRandom(seed: 0x5eed_0002)
        let seeds = [AppendixA.relayBytes, AppendixA.signedRequestBytes, AppendixA.responseBytes, AppendixA.sessionHeaderBytes]
        var unstable = 0, failed = 0
        for i in 0..<2000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: at)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                }
                if bytes.isEmpty { break }
            }
            let r = Self.decodeAll(bytes)
            unstable += r.unstable
            failed += r.failed
        }
        #expect(unstable == 0)
        #expect(failed > 0)
    }

    @Test func everyTruncationInsideTheFirstFieldThrowsTruncated() {
        let cases: [(String, Bytes, (Bytes) throws(WireError) -> Void)] = [
            ("relay", AppendixA.relayBytes, { b throws(WireError) in _ = try CanonicalCodec.decode(Pocket_Service_Relay.self, from: b) }),
            ("request", AppendixA.signedRequestBytes, { b throws(WireError) in _ = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: b) }),
            ("response", AppendixA.responseBytes, { b throws(WireError) in _ = try ReceivedRelayResponse(bytes: b) }),
            ("header", AppendixA.sessionHeaderBytes, { b throws(WireError) in _ = try CanonicalCodec.decode(Pocket_Session_SessionHeader.self, from: b) }),
        ]
        for (name, bytes, decode) in cases {
            // The first field's end: every shorter, non-empty prefix cuts it.
            let firstEnd = (try? WireScanner.fields(bytes).first?.value.upperBound) ?? nil
            #expect(firstEnd != nil, "\(name)")
            for length in 1..<(firstEnd ?? 1) {
                do {
                    try decode(Array(bytes[..<length]))
                    Issue.record("\(name): prefix of \(length) bytes decoded")
                } catch {
                    if case .truncated = error {} else { Issue.record("\(name): prefix \(length): \(error)") }
                }
            }
        }
    }
}
