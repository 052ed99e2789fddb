import Foundation
import PocketProtocol
import RelayRuntime
import RelayRuntimeLive
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects values from any thread.
final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Value] = []

    func append(_ value: Value) { lock.withLock { stored.append(value) } }
    var values: [Value] { lock.withLock { stored } }
}

/// Telemetry events as (name, level, fields), to check what operators would see.
struct RecordingTelemetry: TelemetryPort {
    let events = Recorder<(String, EventLevel, [String: String])>()

    func count(_ metric: MetricDescriptor, _ labels: TelemetryLabels, by amount: Int64) {}
    func observe(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    func gauge(_ metric: MetricDescriptor, _ labels: TelemetryLabels, value: Double) {}
    func event(_ component: String, _ name: String, level: EventLevel, _ fields: TelemetryLabels) {
        events.append((name, level, Dictionary(fields, uniquingKeysWith: { a, _ in a })))
    }
}

/// The watcher swaps key sets on reload, keeps the old set when the files
/// are broken, and reloads on its interval and on SIGHUP.
@Suite(.serialized) struct KeysFileWatcherTests {
    let k1 = randomKey(), k2 = randomKey(), k3 = randomKey()
    var a1: String { k1.publicKey.address() }
    var a2: String { k2.publicKey.address() }
    var a3: String { k3.publicKey.address() }

    @Test func reloadPicksUpAddedAndRemovedKeys() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("supplier-keys.yaml", keysFileYAML([k1, k2]))
        let outcomes = Recorder<(KeysReloadTrigger, KeysReloadOutcome)>()
        let telemetry = RecordingTelemetry()
        let watcher = try KeysFileWatcher(source: SupplierKeysSource(keysFile: file), interval: .zero, telemetry: telemetry) { outcomes.append(($0, $1)) }
        #expect(watcher.keys.operatorAddresses == [a1, a2].sorted())

        try dir.write("supplier-keys.yaml", keysFileYAML([k2, k3]))
        #expect(watcher.reload() == .changed(added: [a3], removed: [a1]))
        #expect(watcher.keys.operatorAddresses == [a2, a3].sorted())
        #expect(watcher.keys.signer(forOperator: a3)?.publicKey == k3.publicKey)
        #expect(watcher.keys.signer(forOperator: a1) == nil)
        #expect(watcher.reload() == .unchanged)

        #expect(outcomes.values.map(\.0) == [.manual, .manual])
        #expect(outcomes.values.map(\.1) == [.changed(added: [a3], removed: [a1]), .unchanged])
        let reloaded = try #require(telemetry.events.values.first { $0.0 == "keys.reloaded" })
        #expect(reloaded.1 == .info)
        #expect(reloaded.2["added"] == a3)
        #expect(reloaded.2["removed"] == a1)
    }

    @Test func failedReloadKeepsThePreviousKeys() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("supplier-keys.yaml", keysFileYAML([k1, k2]))
        let telemetry = RecordingTelemetry()
        let watcher = try KeysFileWatcher(source: SupplierKeysSource(keysFile: file), interval: .zero, telemetry: telemetry)

        // One mistyped entry among good ones: nothing changes, not even the good additions.
        try dir.write("supplier-keys.yaml", keysFileYAML([k1, k3]) + "  - \"12345\"\n")
        guard case .failed(let error) = watcher.reload() else {
            Issue.record("expected the reload to fail")
            return
        }
        #expect(error.problems.map(\.entry) == ["keys[2]"])
        #expect(watcher.keys.operatorAddresses == [a1, a2].sorted())

        // The file vanishing (a bad deploy) keeps the keys too.
        try dir.remove("supplier-keys.yaml")
        guard case .failed = watcher.reload() else {
            Issue.record("expected the reload to fail")
            return
        }
        #expect(watcher.keys.signer(forOperator: a2) != nil)
        let failures = telemetry.events.values.filter { $0.0 == "keys.reload_failed" }
        #expect(failures.count == 2)
        #expect(failures.allSatisfy { $0.1 == .error && $0.2["kept"] == "2" })

        // Fixed: the next reload applies.
        try dir.write("supplier-keys.yaml", keysFileYAML([k3]))
        #expect(watcher.reload() == .changed(added: [a3], removed: [a1, a2].sorted()))
    }

    @Test func initialLoadFailureIsThrown() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("supplier-keys.yaml", "keys:\n  - \"0x00\"\n")
        #expect(throws: SupplierKeysError.self) {
            _ = try KeysFileWatcher(source: SupplierKeysSource(keysFile: file))
        }
    }

    /// SIGHUP is sent to this test process. That is safe: creating the
    /// watcher sets SIGHUP to ignored before any signal is sent, and while
    /// `run()` listens the signal becomes a reload instead.
    @Test func sighupTriggersAReload() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("supplier-keys.yaml", keysFileYAML([k1]))
        let outcomes = Recorder<(KeysReloadTrigger, KeysReloadOutcome)>()
        let watcher = try KeysFileWatcher(source: SupplierKeysSource(keysFile: file), interval: .zero) { outcomes.append(($0, $1)) }
        try dir.write("supplier-keys.yaml", keysFileYAML([k1, k2]))
        let expected = a2
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run() }
            for _ in 0..<400 where outcomes.values.isEmpty {
                kill(getpid(), SIGHUP)
                try? await Task.sleep(for: .milliseconds(25))
            }
            group.cancelAll()
        }
        let first = try #require(outcomes.values.first)
        #expect(first.0 == .signal)
        #expect(first.1 == .changed(added: [expected], removed: []))
        #expect(watcher.keys.operatorAddresses == [a1, a2].sorted())
    }

    @Test func intervalTriggersAReload() async throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("supplier-keys.yaml", keysFileYAML([k1, k2]))
        let outcomes = Recorder<(KeysReloadTrigger, KeysReloadOutcome)>()
        let watcher = try KeysFileWatcher(source: SupplierKeysSource(keysFile: file), interval: .milliseconds(20)) { outcomes.append(($0, $1)) }
        try dir.write("supplier-keys.yaml", keysFileYAML([k2]))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run() }
            for _ in 0..<400 where !outcomes.values.contains(where: { $0.1 != .unchanged }) {
                try? await Task.sleep(for: .milliseconds(25))
            }
            group.cancelAll()
        }
        let change = try #require(outcomes.values.first { $0.1 != .unchanged })
        #expect(change.0 == .interval)
        #expect(change.1 == .changed(added: [], removed: [a1]))
    }
}
