import Foundation
import PocketProtocol

/// The minting stage: signs the answer with the supplier's signer, hashes the
/// relay against the session's difficulty target and appends minable relays
/// to the supplier's stream. A relay is acknowledged minable only once the
/// append returned an id, which happens before the client gets its answer.
/// Owns the refunds of relays that end up not served or not paid, so the
/// streaming and WebSocket paths need nothing else from the relayer.
struct RelayMinter: Sendable {
    let redis: any RedisClient
    let keys: RedisKeys
    let clock: any ClockPort
    let meter: RelayMeter
    let recorder: RelayTelemetry

    /// Largest body kept from a streamed 5xx answer.
    static let maxStreamedErrorBodyBytes = 1 << 20

    func httpPayload(status: Int, headers: [Header], body: [UInt8]) throws(RelayRejection) -> [UInt8] {
        do {
            return try RelayResponseBuilder.httpPayload(status: status, headers: headers.map { ($0.name, $0.value) }, body: body)
        } catch {
            throw RelayRejection(.internalError("cannot encode the backend answer: \(error)"))
        }
    }

    func sign(_ admitted: AdmittedRelay, payload: [UInt8]) throws(RelayRejection) -> (Pocket_Service_RelayResponse, [UInt8]) {
        do {
            var (response, hash) = try RelayResponseBuilder.unsigned(sessionHeader: admitted.header, payload: payload)
            response.meta.supplierOperatorSignature = Data(try admitted.decoded.signer.sign(hash))
            return (response, try CanonicalCodec.encode(response))
        } catch {
            throw RelayRejection(.internalError("failed to sign response: \(error)"))
        }
    }

    /// Signs a complete answer and mines it; on an internal failure refunds and
    /// returns the rejection with the request's context.
    func complete(_ admitted: AdmittedRelay, status: Int, headers: [Header], body: [UInt8]) async -> RelayAnswer {
        do throws(RelayRejection) {
            let payload = try httpPayload(status: status, headers: headers, body: body)
            return .served(try await signAndMine(admitted, payload: payload, backendStatus: status))
        } catch {
            await meter.refund(admitted.charge, reason: error.name, service: admitted.service.id)
            return .rejected(error.with(header: admitted.header, supplier: admitted.supplier))
        }
    }

    /// Signs the answer; for 2xx–4xx mines it (5xx are refunded and not mined).
    /// Throws only for internal failures (the caller refunds).
    func signAndMine(_ admitted: AdmittedRelay, payload: [UInt8], backendStatus: Int) async throws(RelayRejection) -> ServedRelay {
        let (response, bytes) = try sign(admitted, payload: payload)
        if backendStatus >= 500 {
            await meter.refund(admitted.charge, reason: "backend_5xx", service: admitted.service.id)
            return ServedRelay(responseBytes: bytes, response: response, supplier: admitted.supplier, requestSignature: Bytes(admitted.request.meta.signature), backendStatus: backendStatus, relayHash: nil, mining: .backendError(status: backendStatus))
        }
        let (outcome, hash) = try await mine(admitted, response: response)
        return ServedRelay(responseBytes: bytes, response: response, supplier: admitted.supplier, requestSignature: Bytes(admitted.request.meta.signature), backendStatus: backendStatus, relayHash: hash, mining: outcome)
    }

    /// Hash, difficulty, and the append that makes the relay acknowledged minable.
    func mine(_ admitted: AdmittedRelay, response: Pocket_Service_RelayResponse) async throws(RelayRejection) -> (MiningOutcome, [UInt8]) {
        let relay: DehydratedRelay
        do { relay = try DehydratedRelay(request: admitted.request, response: response) } catch {
            throw RelayRejection(.internalError("cannot encode the relay: \(error)"))
        }
        guard relay.isVolumeApplicable(targetHash: admitted.difficultyTarget) else { return (.notApplicable, relay.hash) }
        let data: [UInt8]
        do { data = try CanonicalCodec.encode(minedRelayMessage(admitted, relay: relay)) } catch {
            throw RelayRejection(.internalError("cannot encode the mined relay: \(error)"))
        }
        do {
            let id = try await redis.appendUnlessSealed(
                keys.relayStream(supplier: admitted.supplier),
                sealKey: keys.seal(supplier: admitted.supplier, sessionID: admitted.header.sessionID),
                fields: [FieldValue(RedisKeys.relayField, data)]
            )
            return (id.map(MiningOutcome.published) ?? .late, relay.hash)
        } catch {
            return (.unpublished(error), relay.hash)
        }
    }

    /// The stream entry's message: the relay and everything a miner needs to
    /// place it in its session without asking the chain again.
    func minedRelayMessage(_ admitted: AdmittedRelay, relay: DehydratedRelay) -> Pocket_Relayminer_MinedRelayMessage {
        var message = Pocket_Relayminer_MinedRelayMessage()
        message.relayHash = Data(relay.hash)
        message.relayBytes = Data(relay.bytes)
        message.computeUnitsPerRelay = admitted.computeUnitsPerRelay
        message.sessionID = admitted.header.sessionID
        message.sessionEndHeight = admitted.header.sessionEndBlockHeight
        message.supplierOperatorAddress = admitted.supplier
        message.serviceID = admitted.header.serviceID
        message.applicationAddress = admitted.header.applicationAddress
        message.arrivalBlockHeight = admitted.arrivalHeight
        message.publishedAtUnixNano = clock.now.unixNanoseconds
        message.sessionStartHeight = admitted.header.sessionStartBlockHeight
        return message
    }
}
