import Foundation
import NIOConcurrencyHelpers
import RelayRuntimeLive
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway `redis-server` child process on a free 127.0.0.1 port, for
/// the live tests, `bench redis` and local setups. It lives in its own
/// target (`RedisTooling`), not among the production adapters: spawning and
/// killing a server is never something the relayer or miner does.
///
/// Started with `--save '' --appendonly no` (nothing touches disk), killed
/// when stopped or deinitialised. Readiness is "answers PING", checked with
/// the live client itself.
public final class LocalRedisServer: Sendable {
    /// `redis-server` on PATH, else in /usr/bin or /usr/local/bin; nil when not installed.
    public static let binaryPath: String? = findExecutable("redis-server")
    /// `redis-benchmark`, found the same way.
    public static let benchmarkPath: String? = findExecutable("redis-benchmark")

    public let port: Int
    public let arguments: [String]
    private let process: NIOLockedValueBox<ProcessHandle?>

    public var url: String { "redis://127.0.0.1:\(port)" }

    private init(port: Int, arguments: [String], process: ProcessHandle) {
        self.port = port
        self.arguments = arguments
        self.process = NIOLockedValueBox(process)
    }

    deinit {
        process.withLockedValue { $0?.kill(signal: SIGKILL) }
    }

    /// Starts a server with extra `arguments` (e.g. `["--requirepass", "s3cret"]`)
    /// and waits until it answers.
    public static func start(arguments: [String] = []) async throws -> LocalRedisServer {
        var lastError: any Error = LocalRedisServerError.notInstalled
        for _ in 0..<5 {
            let port = try freePort()
            do {
                let handle = try await launch(port: port, arguments: arguments)
                return LocalRedisServer(port: port, arguments: arguments, process: handle)
            } catch {
                lastError = error // most likely the port was taken meanwhile: try another
            }
        }
        throw lastError
    }

    /// SIGKILL: the server dies without closing connections gracefully (a crash).
    public func kill() async {
        let handle = process.withLockedValue { p -> ProcessHandle? in
            let h = p
            p = nil
            return h
        }
        guard let handle else { return }
        handle.kill(signal: SIGKILL)
        await handle.waitForExit()
    }

    /// SIGTERM and wait for the exit.
    public func stop() async {
        let handle = process.withLockedValue { p -> ProcessHandle? in
            let h = p
            p = nil
            return h
        }
        guard let handle else { return }
        handle.kill(signal: SIGTERM)
        await handle.waitForExit()
    }

    /// Starts the server again on the same port with the same arguments.
    public func restart() async throws {
        await kill()
        let handle = try await Self.launch(port: port, arguments: arguments)
        process.withLockedValue { $0 = handle }
    }

    private static func launch(port: Int, arguments: [String]) async throws -> ProcessHandle {
        guard let binary = binaryPath else { throw LocalRedisServerError.notInstalled }
        let argv = [binary, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--dir", NSTemporaryDirectory()] + arguments
        let handle = try ProcessHandle.spawn(argv)
        let probe = LiveRedisConfiguration(url: RedisURL(host: "127.0.0.1", port: port), maxConnections: 1,
                                           commandTimeout: .seconds(1), connectTimeout: .milliseconds(500))
        for _ in 0..<500 {
            guard handle.isRunning else { throw LocalRedisServerError.exited(port: port) }
            do {
                let client = try await LiveRedisClient.connect(configuration: probe)
                await client.close()
                return handle
            } catch .authenticationFailed {
                return handle // up, and protected by a password
            } catch {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        handle.kill(signal: SIGKILL)
        await handle.waitForExit()
        throw LocalRedisServerError.notReady(port: port)
    }

    /// A port the kernel just handed out for 127.0.0.1 (bound to 0, then released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalRedisServerError.noFreePort }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LocalRedisServerError.noFreePort }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw LocalRedisServerError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)", "/usr/local/bin/\(name)"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

public enum LocalRedisServerError: Error, Sendable, CustomStringConvertible {
    case notInstalled
    case noFreePort
    case exited(port: Int)
    case notReady(port: Int)
    case spawnFailed(errno: Int32)

    public var description: String {
        switch self {
        case .notInstalled: return "redis-server not found on PATH, in /usr/bin or /usr/local/bin"
        case .noFreePort: return "could not find a free 127.0.0.1 port"
        case .exited(let port): return "redis-server exited right after start on port \(port)"
        case .notReady(let port): return "redis-server on port \(port) did not answer PING"
        case .spawnFailed(let e): return "could not start redis-server: \(String(cString: strerror(e)))"
        }
    }
}

/// A child process started with `posix_spawn`.
///
/// Not Foundation's `Process`: that passes on the spawning thread's signal
/// mask, and threads of a NIO/Swift-concurrency process block most signals,
/// so the child would ignore SIGTERM. Here the mask is reset and default
/// signal handlers restored, and stdio goes to /dev/null.
private final class ProcessHandle: Sendable {
    let pid: pid_t
    private let exited: NIOLockedValueBox<Bool>

    private init(pid: pid_t) {
        self.pid = pid
        exited = NIOLockedValueBox(false)
    }

    static func spawn(_ argv: [String]) throws -> ProcessHandle {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, environ)
        guard status == 0 else { throw LocalRedisServerError.spawnFailed(errno: status) }
        return ProcessHandle(pid: pid)
    }

    /// Reaps the child if it has exited (non-blocking).
    var isRunning: Bool {
        exited.withLockedValue { done in
            if done { return false }
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || r < 0 { done = true }
            return !done
        }
    }

    func kill(signal: Int32) {
        if isRunning { _ = Glibc.kill(pid, signal) }
    }

    /// Polls (no blocking `waitpid` on the concurrency pool).
    func waitForExit() async {
        while isRunning { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
