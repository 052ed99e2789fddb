/// Why the stand-in cannot resume from (or keep writing) its state directory.
/// Each message says what to do: the journal is never silently discarded.
public enum StandInStateError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// The journal was written for another world or chain id.
    case otherChain(path: String, recorded: String, expected: String)
    /// Replaying the journal did not rebuild the same chain.
    case diverged(path: String, height: Int64, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read the chain journal \(path): \(reason); move it away to start from genesis"
        case .otherChain(let path, let recorded, let expected):
            return "the chain journal \(path) belongs to \(recorded), not \(expected): use another --state-dir or move the journal away"
        case .diverged(let path, let height, let reason):
            return "replaying \(path) diverged at height \(height): \(reason); the journal does not match this build's chain model, move it away to start from genesis"
        case .writeFailed(let path, let reason):
            return "cannot write the chain journal \(path): \(reason)"
        }
    }
}
