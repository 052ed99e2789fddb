/// A boolean that is set once and read from anywhere (a closed bridge, a stop request).
final class Flag: @unchecked Sendable {
    private let lock = Locked()
    private var value = false

    func set() { lock.withLock { value = true } }

    var isSet: Bool { lock.withLock { value } }
}
