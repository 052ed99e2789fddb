import GRPCNIOTransportHTTP2

/// How the connection to the node's gRPC port is secured.
///
/// Full nodes usually serve gRPC in plaintext (h2c) on a private network;
/// public RPC providers put it behind TLS. Both speak the same services, so
/// this is the only switch.
///
/// TLS (not exercised by the tests, which run plaintext over loopback):
/// `.tls` verifies the server's certificate chain against the system trust
/// roots and its hostname against the endpoint's host (also sent as SNI).
/// For a private CA or client certificates (mTLS) build the NIO transport's
/// own configuration and pass it as `.customTLS`, e.g.
/// `.customTLS(.defaults { $0.trustRoots = .certificates([.file(path: "ca.pem", format: .pem)]) })`.
public enum GRPCChainSecurity: Sendable {
    /// h2c: HTTP/2 without TLS.
    case plaintext
    /// TLS with the system trust roots and full verification.
    case tls
    /// TLS configured by hand: trust roots, client certificate, verification mode.
    case customTLS(HTTP2ClientTransport.Posix.TransportSecurity.TLS)

    var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        switch self {
        case .plaintext: return .plaintext
        case .tls: return .tls
        case .customTLS(let tls): return .tls(tls)
        }
    }

    var isPlaintext: Bool {
        if case .plaintext = self { return true }
        return false
    }
}
