import ServiceLifecycle

/// Waits `milliseconds` unless the task is cancelled or the server starts a
/// graceful shutdown; returns false when cut short. Every wait the backend
/// does for a client (injected delays, gaps between streamed events) goes
/// through here, so `SIGTERM` never waits behind a long `delay_ms`.
func demoPause(milliseconds: Int) async -> Bool {
    guard milliseconds > 0 else { return !Task.isCancelled }
    do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(milliseconds)) }
        return true
    } catch {
        return false
    }
}

/// Whether work for a client should stop early: the task is cancelled or the server is shutting down.
var demoStopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
