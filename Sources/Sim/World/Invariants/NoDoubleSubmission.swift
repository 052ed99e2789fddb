import SimChain

/// `no_double_submission`: the chain accepted at most one claim and at most
/// one proof per (supplier, session). A second acceptance means two owners
/// (or one owner twice) built different transactions for one session — the
/// intent-before-broadcast rule exists to make that impossible. Checked on
/// every `claim.accepted` / `proof.accepted`.
struct NoDoubleSubmission: InvariantCheck {
    let name = "no_double_submission"
    let checkedAtEnd = false

    private struct Key: Hashable {
        let kind: TxKind
        let supplier: String
        let session: String
    }

    /// Height of the first accepted claim / proof per (supplier, session).
    private var accepted: [Key: Int64] = [:]

    mutating func observe(_ event: WorldEvent, at _: Int64) -> String? {
        let key: Key
        let height: Int64
        switch event {
        case .claimAccepted(let supplier, let session, let h, _): (key, height) = (Key(kind: .claim, supplier: supplier, session: session), h)
        case .proofAccepted(let supplier, let session, let h): (key, height) = (Key(kind: .proof, supplier: supplier, session: session), h)
        default: return nil
        }
        guard let first = accepted[key] else {
            accepted[key] = height
            return nil
        }
        return "\(key.kind) of \(key.supplier) session \(key.session.prefix(8)) accepted twice (heights \(first) and \(height))"
    }
}
