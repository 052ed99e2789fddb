import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import RelayRuntime

/// WebSocket upgrades on the relayer's HTTP/1.1 port. The service comes from
/// `Target-Service-Id`, `Pocket-Service-Id`, the first label of
/// `X-Forwarded-Host`, or the first path segment. The backend is dialled
/// before the upgrade completes; every client frame must be a valid
/// `RelayRequest` (the runtime's `DuplexSession` checks and charges it) and
/// every backend frame goes back as its own signed `RelayResponse`.
///
/// A refused bridge (unknown service, backend down) is still upgraded and
/// then closed at once with the rejection's unsigned error response and its
/// close code (4001 invalid, 1013 try later, …): the WebSocket upgrade
/// channel can only refuse with an empty 400, which would hide the reason.
struct WebSocketRelayBridge: Sendable {
    let process: RelayerProcess
    /// Largest message accepted in either direction.
    let maxMessageBytes: Int

    typealias Handler = WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>

    func shouldUpgrade(_ head: HTTPRequest) async -> ShouldUpgradeResult<Handler> {
        let headers = head.headerFields.map { Header($0.name.canonicalName, $0.value) }
        let path = head.path ?? "/"
        guard let serviceID = Self.serviceID(headers: head.headerFields, path: path) else {
            let rejection = RelayRejection(.malformedRequest(
                "no service id: set header Target-Service-Id (or Pocket-Service-Id) or use the service id as the first path segment"))
            return .upgrade([:], refuse(rejection))
        }
        switch await process.openDuplex(serviceID: serviceID, path: path, headers: headers) {
        case .opened(let session):
            return .upgrade([:], bridge(session))
        case .rejected(let rejection):
            return .upgrade([:], refuse(rejection))
        }
    }

    static func serviceID(headers: HTTPFields, path: String) -> String? {
        for name in ["Target-Service-Id", "Pocket-Service-Id"] {
            if let value = headers[HTTPField.Name(name)!], !value.isEmpty { return value }
        }
        if let host = headers[HTTPField.Name("X-Forwarded-Host")!], let label = host.split(separator: ".").first, !label.isEmpty {
            return String(label)
        }
        let segment = path.split(separator: "?").first.flatMap { $0.split(separator: "/").first }
        return segment.map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    private func refuse(_ rejection: RelayRejection) -> Handler {
        { _, outbound, _ in
            try await outbound.write(.binary(ByteBuffer(bytes: rejection.errorResponseBytes)))
            try await outbound.close(WebSocketErrorCode(codeNumber: rejection.webSocketCloseCode), reason: Self.closeReason(rejection))
        }
    }

    private func bridge(_ session: DuplexSession) -> Handler {
        let maxMessageBytes = self.maxMessageBytes
        return { inbound, outbound, _ in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Backend → client: signed relays, or the reason the bridge ends.
                    do {
                        for await frame in session.backendFrames {
                            switch frame {
                            case .relay(let served):
                                try await outbound.write(.binary(ByteBuffer(bytes: served.responseBytes)))
                            case .close(let rejection):
                                try await outbound.write(.binary(ByteBuffer(bytes: rejection.errorResponseBytes)))
                                try await outbound.close(WebSocketErrorCode(codeNumber: rejection.webSocketCloseCode), reason: Self.closeReason(rejection))
                                return
                            }
                        }
                        try await outbound.close(.normalClosure, reason: "backend closed the connection")
                    } catch {
                        // The client is gone; the other loop ends with the connection.
                    }
                }
                group.addTask {
                    // Client → backend: each frame validated and charged before it is forwarded.
                    do {
                        for try await message in inbound.messages(maxSize: maxMessageBytes) {
                            let frame: DuplexMessage
                            switch message {
                            case .text(let text): frame = .text(text)
                            case .binary(var buffer): frame = .binary(buffer.readBytes(length: buffer.readableBytes) ?? [])
                            }
                            switch await session.clientFrame(frame) {
                            case .forwarded:
                                continue
                            case .rejected(let rejection, let closes):
                                try await outbound.write(.binary(ByteBuffer(bytes: rejection.errorResponseBytes)))
                                if closes {
                                    try await outbound.close(WebSocketErrorCode(codeNumber: rejection.webSocketCloseCode), reason: Self.closeReason(rejection))
                                    return
                                }
                            }
                        }
                    } catch {
                        // Oversized message or a broken connection: the bridge ends below.
                        try? await outbound.close(.messageTooLarge, reason: "message larger than \(maxMessageBytes) bytes or connection failed")
                    }
                }
                _ = await group.next()
                await session.close()
                group.cancelAll()
            }
        }
    }

    /// Close reasons are limited to 123 bytes by RFC 6455.
    static func closeReason(_ rejection: RelayRejection) -> String {
        let reason = rejection.name
        return reason.utf8.count <= 123 ? reason : String(reason.utf8.prefix(123))!
    }
}
