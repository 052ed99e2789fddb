/// Shrinks a failing fault schedule to a minimal one that still fails: drop
/// one fault at a time (greedy delta debugging) and keep every removal after
/// which the run still fails. The result is a list where removing any single
/// fault makes the failure disappear.
public enum Shrinker {
    /// - Parameter fails: runs a schedule and says whether it still fails.
    public static func shrink(_ faults: [FaultSpec], fails: (_ candidate: [FaultSpec]) -> Bool) -> [FaultSpec] {
        var current = faults
        var changed = true
        while changed, current.count > 1 {
            changed = false
            var index = 0
            while index < current.count {
                var candidate = current
                candidate.remove(at: index)
                if fails(candidate) {
                    current = candidate
                    changed = true
                } else {
                    index += 1
                }
            }
        }
        if current.count == 1, fails([]) { return [] }
        return current
    }
}
