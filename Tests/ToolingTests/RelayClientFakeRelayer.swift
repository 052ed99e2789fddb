import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import HummingbirdWebSocket
import HTTPTypes
import Logging
import NIOCore
import PocketChainAPI
import PocketProtocol
import RelayClient
import RelayRuntime
import SimChain

/// What the test relayer does with the next requests.
enum FakeRelayerMode: Sendable, Equatable {
    /// Verify, answer a supplier-signed response (and a receipt when asked).
    case good
    /// Flip a bit of the supplier signature.
    case tamperSignature
    /// payload_hash of other bytes (the response is signed over it, so only the hash check can catch it).
    case wrongPayloadHash
    /// A receipt over another request's signature.
    case badReceipt
    /// No receipt even when asked.
    case omitReceipt
    /// Every n-th request (by arrival, 1-based) is refused with `status` and `{"error","reason"}`.
    case refuseEvery(Int, status: Int, reason: String)
    /// HTTP 200 with the reference's unsigned error reply (RelayMinerError).
    case errorReply
    /// A signed answer whose POKTHTTPResponse says the backend failed (HTTP 503).
    case backendFailure
    /// A delimited stream of `batches` signed batches, written `chunkSize` bytes at a time.
    case stream(batches: [String], chunkSize: Int)
}

/// A stand-in for the production relayer, written for these tests: it
/// decodes the RelayRequest, checks its ring signature against the
/// application's ring on the chain (the protocol layer's verification) and
/// its session header against the chain's session, then answers a
/// RelayResponse signed with the supplier's key from the test world —
/// or misbehaves as its mode says. HTTP on `/`, WebSocket upgrades on `/`,
/// and a gRPC RelayService on its own port.
final class FakeRelayer: Sendable {
    struct Seen: Sendable {
        var count = 0
        var signatures: [Bytes] = []
        var sessionIDs: [String] = []
        var suppliers: [String] = []
        var rpcTypes: [String] = []
        var receiptRequested: [Bool] = []
        var payloads: [Bytes] = []
    }

    let chain: FakeChain
    private let state: LockedBox<(mode: FakeRelayerMode, seen: Seen)>
    /// Called with the arrival number (1-based) of every HTTP request before it is answered.
    private let onRequest: LockedBox<(@Sendable (Int) async -> Void)?>

    init(chain: FakeChain, mode: FakeRelayerMode = .good) {
        self.chain = chain
        state = LockedBox((mode, Seen()))
        onRequest = LockedBox(nil)
    }

    var mode: FakeRelayerMode {
        get { state.get().mode }
        set { state.mutate { $0.mode = newValue } }
    }

    var seen: Seen { state.get().seen }

    func setOnRequest(_ hook: (@Sendable (Int) async -> Void)?) {
        onRequest.mutate { $0 = hook }
    }

    // MARK: Checks shared by the three transports

    enum Refusal: Error {
        case refused(status: Int, reason: String, message: String)
    }

    /// Decodes and checks a request like a relayer: ring signature over the
    /// app's ring, session header equal to the chain's, within one block of grace.
    func admit(_ bytes: Bytes) async throws(Refusal) -> Pocket_Service_RelayRequest {
        let request: Pocket_Service_RelayRequest
        do {
            request = try CanonicalCodec.decode(Pocket_Service_RelayRequest.self, from: bytes)
        } catch {
            throw .refused(status: 400, reason: "malformed_request", message: "not a RelayRequest: \(error)")
        }
        let header = request.meta.sessionHeader
        let expected: Set<PublicKey>
        do {
            let app = try await chain.application(address: header.applicationAddress)
            let addresses = RingMembership.expectedAddresses(application: app.address, delegatedGateways: app.delegateeGatewayAddresses,
                                                             pendingUndelegations: [:], sessionEndHeight: header.sessionEndBlockHeight)
            var keys: Set<PublicKey> = []
            for address in addresses {
                if address == RingMembership.placeholderAddress {
                    keys.insert(RingMembership.placeholderPublicKey)
                } else if let key = try await chain.account(address: address).publicKey {
                    keys.insert(key)
                }
            }
            expected = keys
        } catch {
            throw .refused(status: 403, reason: "unknown_application", message: "\(error)")
        }
        let message: Bytes
        do { message = try request.signableHash() } catch {
            throw .refused(status: 400, reason: "malformed_request", message: "\(error)")
        }
        if case .failure(let why) = RingMembership.accepts(signature: Bytes(request.meta.signature), message: message, expected: expected) {
            throw .refused(status: 403, reason: "ring_signature_invalid", message: "relay validation failed: \(why)")
        }
        let onChain: Pocket_Session_Session
        do {
            onChain = try await chain.session(application: header.applicationAddress, serviceID: header.serviceID,
                                              height: header.sessionStartBlockHeight)
        } catch {
            throw .refused(status: 400, reason: "session_mismatch", message: "\(error)")
        }
        guard onChain.header == header else {
            throw .refused(status: 400, reason: "session_mismatch", message: "the request's session header is not the chain's")
        }
        let height = await chain.height
        guard height <= header.sessionEndBlockHeight + 1 else {
            throw .refused(status: 400, reason: "session_expired", message: "session ended at \(header.sessionEndBlockHeight), now \(height)")
        }
        guard onChain.suppliers.contains(where: { $0.operatorAddress == request.meta.supplierOperatorAddress }),
              RelayClientKeys.supplierKey(request.meta.supplierOperatorAddress) != nil else {
            throw .refused(status: 400, reason: "supplier_not_in_session", message: request.meta.supplierOperatorAddress)
        }
        return request
    }

    private func record(_ request: Pocket_Service_RelayRequest, rpcType: String, receipt: Bool) -> Int {
        state.mutate { s in
            s.seen.count += 1
            s.seen.signatures.append(Bytes(request.meta.signature))
            s.seen.sessionIDs.append(request.meta.sessionHeader.sessionID)
            s.seen.suppliers.append(request.meta.supplierOperatorAddress)
            s.seen.rpcTypes.append(rpcType)
            s.seen.receiptRequested.append(receipt)
            s.seen.payloads.append(Bytes(request.payload))
            return s.seen.count
        }
    }

    /// A signed response carrying `payload`, altered as `mode` says.
    func answer(_ request: Pocket_Service_RelayRequest, payload: Bytes, mode: FakeRelayerMode) throws -> Pocket_Service_RelayResponse {
        let key = RelayClientKeys.supplierKey(request.meta.supplierOperatorAddress)!
        var response = try RelayResponseBuilder.signed(sessionHeader: request.meta.sessionHeader, payload: payload, key: key)
        switch mode {
        case .tamperSignature:
            var signature = Bytes(response.meta.supplierOperatorSignature)
            signature[10] ^= 0x01
            response.meta.supplierOperatorSignature = Data(signature)
        case .wrongPayloadHash:
            response.payloadHash = Data(Hash.sha256(payload + [0x00]))
            response.meta.supplierOperatorSignature = Data(SupplierSignature.sign(try response.signableHash(), with: key))
        default:
            break
        }
        return response
    }

    /// The backend's answer to the POKTHTTPRequest inside `request`.
    static func backendAnswer(_ request: Pocket_Service_RelayRequest, status: Int = 200) throws -> Bytes {
        let inner = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: Bytes(request.payload))
        let body = #"{"jsonrpc":"2.0","id":1,"result":"\#(inner.method) \#(inner.url)"}"#
        return try RelayResponseBuilder.httpPayload(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }

    static func refusalBody(_ message: String, reason: String) -> ByteBuffer {
        let object = ["error": message, "reason": reason]
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    // MARK: HTTP + WebSocket

    func handleHTTP(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 4 << 20)
        let rpcType = request.headers[HTTPField.Name("Rpc-Type")!] ?? ""
        let receipt = RelayReceipt.isRequested(headerValue: request.headers[HTTPField.Name(RelayReceipt.requestHeader)!])
        let relay: Pocket_Service_RelayRequest
        do {
            relay = try await admit(Bytes(body.readableBytesView))
        } catch .refused(let status, let reason, let message) {
            return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: Self.refusalBody(message, reason: reason)))
        }
        let n = record(relay, rpcType: rpcType, receipt: receipt)
        if let hook = onRequest.get() { await hook(n) }
        let mode = self.mode
        switch mode {
        case .refuseEvery(let every, status: let status, reason: let reason) where n % every == 0:
            return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: Self.refusalBody("refused by the test relayer", reason: reason)))
        case .errorReply:
            let reply = RelayResponseBuilder.error(sessionHeader: relay.meta.sessionHeader, code: 7, description: "supplier not staked",
                                                   message: "supplier is not staked for the service")
            return Self.protobuf(try CanonicalCodec.encode(reply))
        case .stream(let batches, let chunkSize):
            var wire: Bytes = []
            for batch in batches {
                let payload = try RelayResponseBuilder.httpPayload(status: 200, headers: [], body: Array(batch.utf8))
                wire += try CanonicalCodec.encode(try answer(relay, payload: payload, mode: .good)) + RelayStreamSplitter.delimiter
            }
            let chunks = stride(from: 0, to: wire.count, by: chunkSize).map { ByteBuffer(bytes: wire[$0..<min($0 + chunkSize, wire.count)]) }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody { writer in
                for chunk in chunks {
                    try await writer.write(chunk)
                    try await Task.sleep(for: .milliseconds(2))
                }
                try await writer.finish(nil)
            })
        default:
            break
        }
        let payload = try Self.backendAnswer(relay, status: mode == .backendFailure ? 503 : 200)
        let response = try answer(relay, payload: payload, mode: mode)
        var headers: HTTPFields = [.contentType: "application/x-protobuf"]
        if receipt && mode != .omitReceipt {
            var requestSignature = Bytes(relay.meta.signature)
            if mode == .badReceipt { requestSignature[0] ^= 0x01 }
            let key = RelayClientKeys.supplierKey(relay.meta.supplierOperatorAddress)!
            headers[HTTPField.Name(RelayReceipt.responseHeader)!] = RelayReceipt.sign(
                requestSignature: requestSignature, responsePayloadHash: Bytes(response.payloadHash), key: key)
        }
        return Self.protobuf(try CanonicalCodec.encode(response), headers: headers)
    }

    static func protobuf(_ bytes: Bytes, headers: HTTPFields = [.contentType: "application/x-protobuf"]) -> Response {
        Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A WebSocket bridge: every binary frame is a RelayRequest whose payload is
    /// the backend message; the answer's payload is the backend's raw reply. A
    /// refused frame gets the unsigned error reply, then a close with 4001.
    func handleWebSocket(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, supplier: String) async throws {
        for try await message in inbound.messages(maxSize: 4 << 20) {
            guard case .binary(let buffer) = message else { continue }
            let relay: Pocket_Service_RelayRequest
            do throws(Refusal) {
                relay = try await admit(Bytes(buffer.readableBytesView))
                guard relay.meta.supplierOperatorAddress == supplier else {
                    throw Refusal.refused(status: 400, reason: "supplier_mismatch", message: "frame for another supplier")
                }
            } catch .refused(_, _, let message) {
                let reply = RelayResponseBuilder.error(sessionHeader: nil, code: 4001, description: "relay validation failed", message: message)
                try await outbound.write(.binary(ByteBuffer(bytes: try CanonicalCodec.encode(reply))))
                try await outbound.close(.unknown(4001), reason: "relay validation failed")
                return
            }
            _ = record(relay, rpcType: "2", receipt: false)
            let echo = String(decoding: relay.payload, as: UTF8.self)
            let payload = Array(#"{"jsonrpc":"2.0","id":1,"result":"ws:\#(echo.count)"}"#.utf8)
            let response = try answer(relay, payload: payload, mode: mode)
            try await outbound.write(.binary(ByteBuffer(bytes: try CanonicalCodec.encode(response))))
        }
    }

    /// Serves HTTP and WebSocket on a free loopback port for the duration of `body`.
    func withHTTPServer<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.post("/") { [self] request, _ in try await handleHTTP(request) }
        router.ws("/", shouldUpgrade: { request, _ in
            guard request.headers[HTTPField.Name("Target-Service-Id")!] == RelayClientChain.service,
                  request.headers[HTTPField.Name("Pocket-Supplier-Address")!] != nil else { return .dontUpgrade }
            return .upgrade([:])
        }) { [self] inbound, outbound, context in
            let supplier = context.request.headers[HTTPField.Name("Pocket-Supplier-Address")!] ?? ""
            try await handleWebSocket(inbound: inbound, outbound: outbound, supplier: supplier)
        }
        let bound = LockedBox<CheckedContinuation<Int, Never>?>(nil)
        let port = LockedBox<Int?>(nil)
        var logger = Logger(label: "relay-client-tests.fake-relayer")
        logger.logLevel = .critical
        let app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                let p = channel.localAddress?.port ?? 0
                port.mutate { $0 = p }
                bound.mutate { c in c?.resume(returning: p); c = nil }
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            let p = await withCheckedContinuation { continuation in
                let ready = port.mutate { p -> Int? in
                    if let p { return p }
                    bound.mutate { $0 = continuation }
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
            return try await body(p)
        }
    }

    /// Serves the gRPC RelayService on a free loopback port for the duration of `body`.
    func withGRPCServer<T: Sendable>(_ body: (Int) async throws -> T) async throws -> T {
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [FakeRelayService(relayer: self)])
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            defer {
                server.beginGracefulShutdown()
                group.cancelAll()
            }
            guard let port = try await transport.listeningAddress.ipv4?.port else { throw RelayClientTestFailure("gRPC server did not bind") }
            return try await body(port)
        }
    }

    fileprivate func recordGRPC(_ request: Pocket_Service_RelayRequest) {
        _ = record(request, rpcType: "1", receipt: false)
    }
}

/// The gRPC face: `SendRelay` answers a signed POKTHTTPResponse carrying the
/// inner call's gRPC frame and `grpc-status: 0`; `refuseEvery` becomes
/// RESOURCE_EXHAUSTED.
struct FakeRelayService: Pocket_Service_RelayService.SimpleServiceProtocol {
    let relayer: FakeRelayer

    func sendRelay(request: Pocket_Service_RelayRequest, context: ServerContext) async throws -> Pocket_Service_RelayResponse {
        let bytes = try CanonicalCodec.encode(request)
        let admitted: Pocket_Service_RelayRequest
        do {
            admitted = try await relayer.admit(bytes)
        } catch .refused(_, _, let message) {
            throw RPCError(code: .permissionDenied, message: message)
        }
        relayer.recordGRPC(admitted)
        if case .refuseEvery(let every, status: _, reason: _) = relayer.mode, relayer.seen.count % every == 0 {
            throw RPCError(code: .resourceExhausted, message: "session relay limit reached")
        }
        let inner = try CanonicalCodec.decode(Sdk_Types_POKTHTTPRequest.self, from: Bytes(admitted.payload))
        let status = inner.url == RelayPayloads.defaultGRPCMethod ? "0" : "12"
        let payload = try RelayResponseBuilder.httpPayload(
            status: 200, headers: [("Content-Type", "application/grpc"), ("Grpc-Status", status)],
            body: RelayPayloads.grpcFrame([0x08, 0x2A]))
        return try relayer.answer(admitted, payload: payload, mode: relayer.mode)
    }
}

/// A value behind a lock.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }

    @discardableResult
    func mutate<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
}
