/// Why a worker must stop at once.
enum WorkerStop: Error {
    /// A fenced write was refused: another owner holds the lease now.
    case fenced(String)
    /// The worker was asked to stop.
    case requested
}

/// How a worker ended.
enum WorkerEnd: Sendable, Hashable {
    case stopped
    /// The node was cancelled (a crash, in the simulator).
    case cancelled
    case fenced(String)

    /// The `reason` field of `worker.stopped`.
    var reason: String {
        switch self {
        case .stopped: return "stopped"
        case .cancelled: return "cancelled"
        case .fenced: return "fenced"
        }
    }
}

/// A one-way flag readable from any isolation domain: set by whoever asks a
/// worker to stop, checked by every stage before a durable write or a broadcast.
final class StopFlag: Sendable {
    private let flag = Flag()

    var isSet: Bool { flag.isSet }
    func set() { flag.set() }

    /// Throws if the worker was asked to stop or its task was cancelled.
    func checkRunning() throws {
        if isSet { throw WorkerStop.requested }
        try Task.checkCancellation()
    }

    /// Errors that mean "stop now" (lease lost, stop requested, task
    /// cancelled — a cancelled Redis call surfaces as a connection error) are
    /// rethrown; anything else is for the caller to report and retry.
    func rethrowIfEnding(_ error: any Error) throws {
        if error is WorkerStop || error is CancellationError { throw error }
        if Task.isCancelled { throw CancellationError() }
        if isSet { throw WorkerStop.requested }
    }
}
