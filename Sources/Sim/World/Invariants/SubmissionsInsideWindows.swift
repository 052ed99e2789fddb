/// `submissions_inside_windows`: the chain never refused a claim or proof
/// because it arrived before or after its window. The miner schedules every
/// submission from the session grid, so a window refusal means its timing
/// is wrong (and the session's reward is at risk). Checked on every
/// `claim.rejected` / `proof.rejected`, by the chain's typed `rule`.
struct SubmissionsInsideWindows: InvariantCheck {
    let name = "submissions_inside_windows"
    let checkedAtEnd = false

    mutating func observe(_ event: WorldEvent, at _: Int64) -> String? {
        guard case .submissionRejected(let kind, let supplier, let session, let height, let rule, let reason) = event,
              rule.isWindowViolation else { return nil }
        return "\(kind) of \(supplier.suffix(8)) session \(session.prefix(8)) at \(height): \(reason)"
    }
}
