import Foundation
import PocketProtocol
import RelayClient
import Testing

/// Answers checked end to end: the client signs against the live chain
/// reader, posts to the test relayer over a loopback socket, and verifies
/// what comes back. Each misbehaviour is caught with its specific reason.
@Suite(.timeLimit(.minutes(2)))
struct RelayClientVerificationTests {
    /// One relay through `HTTPRelayTarget` against a relayer in `mode`.
    static func relayOnce(_ mode: FakeRelayerMode, transport: RelayTransport = .jsonrpc, receipt: Bool = false)
        async throws -> (outcome: RelayOutcome, seen: FakeRelayer.Seen) {
        try await RelayClientChain.run { world in
            let relayer = FakeRelayer(chain: world.chain, mode: mode)
            return try await relayer.withHTTPServer { port in
                let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: transport, requestReceipt: receipt,
                                             timeout: .seconds(20))
                let preparer = try world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: transport)
                let prepared = try await preparer.prepare(index: 0)
                let outcome = await HTTPRelayTarget(sender: sender).relay(prepared)
                await sender.shutdown()
                return (outcome, relayer.seen)
            }
        }
    }

    @Test func aGoodAnswerIsAcceptedWithItsBackendBody() async throws {
        let (outcome, seen) = try await Self.relayOnce(.good)
        let verified = try outcome.result.get()
        #expect(verified.http?.statusCode == 200)
        #expect(String(decoding: verified.body, as: UTF8.self) == #"{"jsonrpc":"2.0","id":1,"result":"POST /"}"#)
        #expect(verified.receiptVerified == false)
        #expect(seen.count == 1)
        #expect(seen.rpcTypes == ["3"])
        #expect(seen.receiptRequested == [false])
    }

    @Test func restAndCometBFTCarryTheirRpcTypes() async throws {
        let (rest, restSeen) = try await Self.relayOnce(.good, transport: .rest)
        #expect(String(decoding: try rest.result.get().body, as: UTF8.self).contains("GET /"))
        #expect(restSeen.rpcTypes == ["4"])
        let (comet, cometSeen) = try await Self.relayOnce(.good, transport: .cometbft)
        #expect(try comet.result.get().http?.statusCode == 200)
        #expect(cometSeen.rpcTypes == ["5"])
        let inner = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: try #require(cometSeen.payloads.first))
        #expect(String(decoding: inner.bodyBz, as: UTF8.self).contains(#""method":"status""#))
    }

    @Test func aTamperedSupplierSignatureIsRefused() async throws {
        let (outcome, _) = try await Self.relayOnce(.tamperSignature)
        #expect(outcome.failure?.reason == "bad_supplier_signature")
        #expect(outcome.failure?.httpStatus == nil)
    }

    @Test func aPayloadHashThatIsNotTheHashOfThePayloadIsRefused() async throws {
        let (outcome, _) = try await Self.relayOnce(.wrongPayloadHash)
        #expect(outcome.failure?.reason == "payload_hash_mismatch")
    }

    @Test func aRequestedReceiptIsVerified() async throws {
        let (outcome, seen) = try await Self.relayOnce(.good, receipt: true)
        #expect(try outcome.result.get().receiptVerified)
        #expect(seen.receiptRequested == [true])
    }

    @Test func aMissingReceiptFailsWhenOneWasRequested() async throws {
        let (outcome, _) = try await Self.relayOnce(.omitReceipt, receipt: true)
        #expect(outcome.failure?.reason == "missing_receipt")
    }

    @Test func aReceiptOverAnotherRequestIsRefused() async throws {
        let (outcome, _) = try await Self.relayOnce(.badReceipt, receipt: true)
        #expect(outcome.failure?.reason == "bad_receipt")
        #expect(outcome.failure?.detail.contains("does not match") == true)
    }

    @Test func aRefusalKeepsTheRelayersStatusAndReason() async throws {
        let (outcome, _) = try await Self.relayOnce(.refuseEvery(1, status: 429, reason: "relay_limit_reached"))
        let failure = try #require(outcome.failure)
        #expect(failure.reason == "relay_limit_reached")
        #expect(failure.httpStatus == 429)
        #expect(failure.breakdownKey == "http_429:relay_limit_reached")
        #expect(failure.detail == "refused by the test relayer")
    }

    @Test func theUnsignedErrorReplyIsAFailureNamingTheRelayMinerError() async throws {
        let (outcome, _) = try await Self.relayOnce(.errorReply)
        #expect(outcome.failure?.reason == "relay_miner_error")
        #expect(outcome.failure?.detail.contains("supplier is not staked for the service") == true)
    }

    @Test func aSignedBackendFailureIsReportedAsTheBackendsStatus() async throws {
        let (outcome, _) = try await Self.relayOnce(.backendFailure)
        #expect(outcome.failure?.reason == "backend_http_503")
    }

    @Test func aRelayerThatIsNotListeningIsAConnectionFailure() async throws {
        try await RelayClientChain.run { world in
            // A port that was free a moment ago: nothing listens there now.
            let port = try await FakeRelayer(chain: world.chain).withHTTPServer { $0 }
            let sender = RelayHTTPSender(relayerURL: "http://127.0.0.1:\(port)/", transport: .jsonrpc, timeout: .seconds(10))
            let prepared = try await world.preparer(for: RelaySigningKeys(application: RelayClientKeys.app), transport: .jsonrpc).prepare(index: 0)
            let outcome = await HTTPRelayTarget(sender: sender).relay(prepared)
            await sender.shutdown()
            #expect(outcome.failure?.reason == "connection_failed")
        }
    }

    /// The verifier on its own, on responses built here: each check in its order.
    @Test func theVerifierNamesEachDefect() throws {
        let keys = RelaySigningKeys(application: RelayClientKeys.app)
        var header = Pocket_Session_SessionHeader()
        header.applicationAddress = keys.applicationAddress
        header.serviceID = "anvil"
        header.sessionID = String(repeating: "ab", count: 32)
        header.sessionStartBlockHeight = 1
        header.sessionEndBlockHeight = 4
        let session = ResolvedSession(header: header, supplierAddresses: [], ring: [RelayClientKeys.app.publicKey, RelayClientKeys.app.publicKey],
                                      resolvedAtHeight: 2)
        let supplier = RelayClientKeys.supplier
        let request = try RelayRequestFactory(keys: keys).build(session: session, supplier: supplier.publicKey.address(), payload: [1, 2, 3])
        let verifier = ResponseVerifier(supplierKey: supplier.publicKey)
        let payload = try RelayResponseBuilder.httpPayload(status: 200, headers: [], body: Array("ok".utf8))
        let good = try RelayResponseBuilder.signed(sessionHeader: header, payload: payload, key: supplier)

        func reason(_ response: Pocket_Service_RelayResponse, _ v: ResponseVerifier? = nil, receipt: String? = nil) throws -> String? {
            let bytes = try CanonicalCodec.encode(response)
            do throws(RelayFailure) {
                _ = try (v ?? verifier).verifyAnswer(bytes: bytes, request: request, transport: .jsonrpc, receiptHeader: receipt)
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(try reason(good) == nil)
        #expect(throws: RelayFailure.self) {
            try verifier.verifyAnswer(bytes: [0xFF, 0xFF], request: request, transport: .jsonrpc)
        }
        var noHash = good
        noHash.payloadHash = Data()
        #expect(try reason(noHash) == "missing_payload_hash")
        var unsigned = good
        unsigned.meta.supplierOperatorSignature = Data()
        #expect(try reason(unsigned) == "missing_supplier_signature")
        #expect(try reason(good, ResponseVerifier(supplierKey: RelayClientKeys.supplier2.publicKey)) == "bad_supplier_signature")
        var otherHeader = header
        otherHeader.sessionID = String(repeating: "cd", count: 32)
        #expect(try reason(try RelayResponseBuilder.signed(sessionHeader: otherHeader, payload: payload, key: supplier)) == "session_header_mismatch")
        let withReceipt = ResponseVerifier(supplierKey: supplier.publicKey, requireReceipt: true)
        #expect(try reason(good, withReceipt) == "missing_receipt")
        #expect(try reason(good, withReceipt, receipt: "v2.00") == "bad_receipt")
        let receipt = RelayReceipt.sign(requestSignature: Bytes(request.request.meta.signature), responsePayloadHash: Bytes(good.payloadHash), key: supplier)
        #expect(try reason(good, withReceipt, receipt: receipt) == nil)
        let errorBody = Array(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no such method"}}"#.utf8)
        let jsonError = try RelayResponseBuilder.signed(
            sessionHeader: header, payload: try RelayResponseBuilder.httpPayload(status: 200, headers: [], body: errorBody), key: supplier)
        #expect(try reason(jsonError) == "jsonrpc_error")
        let notHTTP = try RelayResponseBuilder.signed(sessionHeader: header, payload: [0xFF, 0x01], key: supplier)
        #expect(try reason(notHTTP) == "malformed_http_payload")
    }
}
