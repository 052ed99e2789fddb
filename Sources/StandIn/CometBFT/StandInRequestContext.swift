import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The stand-in's request context: WebSocket upgrades on `/websocket`, and
/// the peer's address, which the control endpoint checks (loopback only).
struct StandInRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<StandInRequestContext>
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// 127.0.0.0/8, ::1, or an IPv4-mapped loopback address.
    var peerIsLoopback: Bool {
        guard let ip = remoteAddress?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}
