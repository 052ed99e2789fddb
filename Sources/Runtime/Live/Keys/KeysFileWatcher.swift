import Dispatch
import NIOConcurrencyHelpers
import PocketProtocol
import RelayRuntime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one reload of the key files did.
public enum KeysReloadOutcome: Sendable, Hashable {
    /// The key set changed; operator addresses added and removed, sorted.
    case changed(added: [String], removed: [String])
    /// The files hold the same keys as before.
    case unchanged
    /// The files could not be used; the previous keys stay in service.
    case failed(SupplierKeysError)
}

/// What made the watcher re-read the files.
public enum KeysReloadTrigger: String, Sendable, Hashable {
    case interval
    case signal = "sighup"
    case manual
}

/// Keeps a `ReloadableKeys` in step with the operator's key files, so a
/// supplier can be added or retired without restarting the process.
///
/// The files are re-read every `interval` and whenever the process gets
/// SIGHUP. A reload is all-or-nothing: if any file or entry is unusable the
/// previous key set stays in service and the error is reported, so a typo
/// in one entry never stops signing for every supplier.
///
/// Creating a watcher sets SIGHUP to ignored for the whole process (its
/// default action would terminate the process), then `run()` listens for it.
public final class KeysFileWatcher: Sendable {
    public let source: SupplierKeysSource
    /// The live key set: hand it to the runtime as its `KeysPort`.
    public let keys: ReloadableKeys
    /// Time between periodic reloads; `.zero` reloads only on SIGHUP or `reload()`.
    public let interval: Duration
    private let telemetry: any TelemetryPort
    private let component: String
    private let onReload: @Sendable (KeysReloadTrigger, KeysReloadOutcome) -> Void
    private let reloadLock = NIOLock()

    /// Loads the keys once; fails (and nothing starts) if they are unusable.
    /// - Parameter onReload: called after every reload, in order, with what it
    ///   did; it runs while reloads are serialized, so it must not call `reload()`.
    public init(
        source: SupplierKeysSource, interval: Duration = .seconds(30), telemetry: any TelemetryPort = NullTelemetry(),
        component: String = "keys", onReload: @escaping @Sendable (KeysReloadTrigger, KeysReloadOutcome) -> Void = { _, _ in }
    ) throws(SupplierKeysError) {
        let loaded = try SupplierKeyFiles.load(source)
        self.source = source
        self.interval = interval
        self.telemetry = telemetry
        self.component = component
        self.onReload = onReload
        keys = ReloadableKeys(StaticKeys(loaded.map(\.key)))
        Self.ignoreHangupSignal()
        telemetry.event(component, "keys.loaded", [
            ("source", source.description), ("count", String(loaded.count)),
            ("operators", loaded.map(\.operatorAddress).joined(separator: ",")),
        ])
    }

    /// Re-reads the files now and swaps in the new key set if it is usable.
    @discardableResult
    public func reload() -> KeysReloadOutcome { reload(trigger: .manual) }

    @discardableResult
    func reload(trigger: KeysReloadTrigger) -> KeysReloadOutcome {
        reloadLock.withLock {
            let outcome: KeysReloadOutcome
            do throws(SupplierKeysError) {
                let loaded = try SupplierKeyFiles.load(source)
                let (added, removed) = keys.replace(with: StaticKeys(loaded.map(\.key)))
                outcome = added.isEmpty && removed.isEmpty ? .unchanged : .changed(added: added, removed: removed)
            } catch {
                outcome = .failed(error)
            }
            report(outcome, trigger: trigger)
            onReload(trigger, outcome)
            return outcome
        }
    }

    /// Reloads on the interval and on SIGHUP until the task is cancelled.
    public func run() async {
        let (triggers, continuation) = AsyncStream.makeStream(of: KeysReloadTrigger.self, bufferingPolicy: .bufferingNewest(4))
        let hangups = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "pocket-relay-miner.keys.sighup"))
        hangups.setEventHandler { continuation.yield(.signal) }
        hangups.resume()
        defer {
            hangups.cancel()
            continuation.finish()
            // Whatever disposition the dispatch source leaves behind, a SIGHUP
            // after `run()` must not terminate the process.
            Self.ignoreHangupSignal()
        }
        let interval = interval
        await withDiscardingTaskGroup { group in
            if interval > .zero {
                group.addTask {
                    while true {
                        do { try await Task.sleep(for: interval) } catch { return }
                        continuation.yield(.interval)
                    }
                }
            }
            for await trigger in triggers { reload(trigger: trigger) }
            group.cancelAll()
        }
    }

    private func report(_ outcome: KeysReloadOutcome, trigger: KeysReloadTrigger) {
        switch outcome {
        case .changed(let added, let removed):
            telemetry.event(component, "keys.reloaded", [
                ("trigger", trigger.rawValue), ("added", added.joined(separator: ",")), ("removed", removed.joined(separator: ",")),
                ("count", String(keys.operatorAddresses.count)),
            ])
        case .unchanged:
            telemetry.event(component, "keys.unchanged", level: .debug, [("trigger", trigger.rawValue)])
        case .failed(let error):
            telemetry.event(component, "keys.reload_failed", level: .error, [
                ("trigger", trigger.rawValue), ("error", error.description),
                ("kept", String(keys.operatorAddresses.count)),
            ])
        }
    }

    /// SIGHUP would terminate the process by default; a watcher turns it into a reload.
    private static func ignoreHangupSignal() {
        _ = signal(SIGHUP, SIG_IGN)
    }
}
