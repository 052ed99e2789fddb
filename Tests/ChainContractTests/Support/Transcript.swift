import RelayRuntime
import Testing

/// Every answer a contract check got, in order, as text: a value's full
/// description, or only the kind of a `ChainError` (the live client's
/// messages also name the method and endpoint, which the in-process chain
/// cannot). Two implementations agree when their transcripts are equal.
struct Transcript: Sendable, Equatable {
    private(set) var lines: [String] = []

    mutating func note(_ label: String, _ value: some Any) {
        lines.append("\(label) = \(String(describing: value))")
    }

    /// Runs a port call, records its answer or its error kind, and returns the answer.
    @discardableResult
    mutating func call<T>(_ label: String, _ body: () async throws(ChainError) -> T) async -> Result<T, ChainError> {
        do throws(ChainError) {
            let value = try await body()
            note(label, value)
            return .success(value)
        } catch {
            lines.append("\(label) ! \(error.kind)")
            return .failure(error)
        }
    }
}

extension ChainError {
    /// The case without its message.
    var kind: String {
        switch self {
        case .unavailable: return "unavailable"
        case .timeout: return "timeout"
        case .notFound: return "notFound"
        case .invalidResponse: return "invalidResponse"
        }
    }
}

enum Contract {
    /// Runs `check` against the FakeChain in process and against the live
    /// client over gRPC, and requires both transcripts to be identical.
    static func holds(sourceLocation: SourceLocation = #_sourceLocation,
                      _ check: (ContractChain) async throws -> Transcript) async throws {
        let inProcess = try await ContractChain.run(.fakeChain, check)
        let live = try await ContractChain.run(.liveClient, check)
        #expect(!inProcess.lines.isEmpty, sourceLocation: sourceLocation)
        for (index, (a, b)) in zip(inProcess.lines, live.lines).enumerated() where a != b {
            Issue.record("answer \(index) differs:\n  in process: \(a)\n  live:       \(b)", sourceLocation: sourceLocation)
            return
        }
        #expect(inProcess.lines.count == live.lines.count, "in process \(inProcess.lines.count) answers, live \(live.lines.count)",
                sourceLocation: sourceLocation)
    }
}

/// Requires `result` to be the `ChainError` case `kind`.
func expectFailure<T>(_ result: Result<T, ChainError>, _ kind: String, sourceLocation: SourceLocation = #_sourceLocation) {
    switch result {
    case .success(let value): Issue.record("expected \(kind), got \(value)", sourceLocation: sourceLocation)
    case .failure(let error): #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    }
}
