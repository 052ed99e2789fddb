import Foundation
import PocketProtocol

/// relay_mining.json: canonical relay encodings, request/response signable
/// bytes and hashes, payload hashes, relay bytes and hashes (SMST key/path),
/// the applicability rule, the chain's difficulty update, and the exact
/// difficulty multiplier/probability rationals.
public struct RelayMiningChecker: VectorFileChecker {
    public init() {}
    public var format: String { "relay_mining" }

    public func matches(_ document: JSONValue) -> Bool {
        document.has("relays") && document.has("difficulty_updates") && document.has("applicability")
    }

    public func check(_ document: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        do {
            let target = try document.bytes("default_target_hash")
            out.append(.expectHex("default_target_hash", RelayDifficulty.baseTargetHash, target))
        } catch { out.append(.fail("default_target_hash", "\(error)")) }
        for (i, relay) in ((try? document.array("relays")) ?? []).enumerated() {
            out += relayCase("relays[\(i)]", relay)
        }
        for (i, item) in ((try? document.array("applicability")) ?? []).enumerated() {
            let name = "applicability[\(i)]"
            do {
                let got = RelayDifficulty.isRelayVolumeApplicable(relayHash: try item.bytes("relay_hash"), targetHash: try item.bytes("target_hash"))
                out.append(.expect(name, got, try item.bool("applicable")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        for (i, item) in ((try? document.array("difficulty_updates")) ?? []).enumerated() {
            let name = "difficulty_updates[\(i)]"
            do {
                let got = try RelayDifficulty.newTargetHash(
                    previous: try item.bytes("prev_target_hash"),
                    targetNumRelays: try item.uint64("target_num_relays"),
                    newRelaysEma: try item.uint64("new_relays_ema"))
                out.append(.expectHex(name, got, try item.bytes("new_target_hash")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        for (i, item) in ((try? document.array("difficulty_multipliers")) ?? []).enumerated() {
            let name = "difficulty_multipliers[\(i)]"
            do {
                let target = try item.bytes("target_hash")
                out.append(.expect(name + ".multiplier", try RelayDifficulty.multiplier(targetHash: target).description, try item.string("multiplier")))
                out.append(.expect(name + ".probability", RelayDifficulty.probability(targetHash: target).description, try item.string("probability")))
            } catch { out.append(.fail(name, "\(error)")) }
        }
        if out.count <= 1 { out.append(.fail("relay_mining", "no cases found")) }
        return out
    }

    private func relayCase(_ name: String, _ relay: JSONValue) -> [CaseOutcome] {
        var out: [CaseOutcome] = []
        do {
            let requestBytes = try relay.bytes("request_bytes")
            let request = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: requestBytes)
            out.append(.expectHex(name + ".request_reencode", try CanonicalCodec.encode(request), requestBytes))
            out.append(.expectHex(name + ".request_payload", Bytes(request.payload), try relay.bytes("request_payload")))
            out.append(.expect(name + ".supplier_operator_address", request.meta.supplierOperatorAddress, try relay.string("supplier_operator_address")))
            out.append(.expectHex(name + ".request_ring_signature", Bytes(request.meta.signature), try relay.bytes("request_ring_signature")))
            out.append(.expectHex(name + ".request_signable_bytes", try request.signableBytes(), try relay.bytes("request_signable_bytes")))
            out.append(.expectHex(name + ".request_signable_hash", try request.signableHash(), try relay.bytes("request_signable_hash")))

            let header = try relay.value("session_header")
            out.append(.expectHex(name + ".session_header", try CanonicalCodec.encode(request.meta.sessionHeader), try header.bytes("protobuf_bytes")))
            out.append(.expect(name + ".session_header.session_id", request.meta.sessionHeader.sessionID, try header.string("session_id")))
            out.append(.expect(name + ".session_header.start", request.meta.sessionHeader.sessionStartBlockHeight, try header.int64("session_start_block_height")))
            out.append(.expect(name + ".session_header.end", request.meta.sessionHeader.sessionEndBlockHeight, try header.int64("session_end_block_height")))

            let responseBytes = try relay.bytes("response_bytes_with_payload")
            let received = try ReceivedRelayResponse(bytes: responseBytes)
            let response = received.message
            out.append(.expectHex(name + ".response_reencode", try CanonicalCodec.encode(response), responseBytes))
            let payload = try relay.bytes("response_payload")
            out.append(.expectHex(name + ".response_payload", Bytes(response.payload), payload))
            var rehashed = response
            try rehashed.updatePayloadHash()
            out.append(.expectHex(name + ".response_payload_hash", Bytes(rehashed.payloadHash), try relay.bytes("response_payload_hash")))
            out.append(.expectHex(name + ".response_payload_hash_on_wire", Bytes(response.payloadHash), try relay.bytes("response_payload_hash")))
            out.append(.expect(name + ".response_payload_hash_present", received.payloadHashPresent, true))
            out.append(.expectHex(name + ".response_signable_bytes", try received.signableBytes(), try relay.bytes("response_signable_bytes")))
            out.append(.expectHex(name + ".response_signable_hash", try received.signableHash(), try relay.bytes("response_signable_hash")))
            out.append(.expectHex(name + ".response_signature", Bytes(response.meta.supplierOperatorSignature), try relay.bytes("response_signature")))

            let dehydrated = try DehydratedRelay(request: request, response: response)
            out.append(.expectHex(name + ".relay_bytes", dehydrated.bytes, try relay.bytes("relay_bytes")))
            out.append(.expectHex(name + ".relay_hash", dehydrated.hash, try relay.bytes("relay_hash")))
            out.append(.expectHex(name + ".smst_key", dehydrated.hash, try relay.bytes("smst_key")))
            out.append(.expectHex(name + ".smst_path", dehydrated.smstPath, try relay.bytes("smst_path")))
            out.append(.expect(name + ".applicable_with_default_target",
                               dehydrated.isVolumeApplicable(targetHash: RelayDifficulty.baseTargetHash),
                               try relay.bool("applicable_with_default_target")))

            // The relay as stored in the tree decodes back to the same leaf.
            let stored = try ReceivedRelay(bytes: dehydrated.bytes)
            out.append(.expectHex(name + ".relay_reencode", try CanonicalCodec.encode(stored.message), dehydrated.bytes))
            out.append(.expectHex(name + ".relay_response_signable_hash", try stored.responseSignableHash(), try relay.bytes("response_signable_hash")))

            // crypto checks added at merge:
            //   ring signature: verify `request_ring_signature` over `request_signable_hash`
            //   against the ring of `relay["ring"]` pubkeys (deserialize, membership, verify);
            //   supplier signature: verify `response_signature` over `response_signable_hash`
            //   with `supplier_pubkey`, and re-sign with `supplier_private_key` byte-exactly.
        } catch {
            out.append(.fail(name, "\(error)"))
        }
        return out
    }
}
