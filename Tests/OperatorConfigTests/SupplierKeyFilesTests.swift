import Foundation
import PocketProtocol
import RelayRuntimeLive
import Testing

/// Supplier keys load from the reference's formats, addresses are derived
/// from the keys, and a bad entry names its file and index but never the key.
@Suite struct SupplierKeyFilesTests {
    @Test func keysFileLoadsAndDerivesAddresses() throws {
        let dir = try TemporaryDirectory()
        let keys = [randomKey(), randomKey(), randomKey()]
        let file = try dir.write("supplier-keys.yaml", "# comment\n" + keysFileYAML(Array(keys[0..<2])) + "  - \"0x\(Hex.encode(keys[2].bytes).uppercased())\"\n")
        let loaded = try SupplierKeyFiles.load(SupplierKeysSource(keysFile: file))
        #expect(loaded.map(\.operatorAddress) == keys.map { $0.publicKey.address() }.sorted())
        #expect(Set(loaded.map(\.key)) == Set(keys))
        let first = try #require(loaded.first { $0.key == keys[0] })
        #expect(first.origin == "\(file) keys[0]")
    }

    @Test func keysDirectoryReadsYAMLAndJSONFiles() throws {
        let dir = try TemporaryDirectory()
        let keys = (0..<4).map { _ in randomKey() }
        try dir.write("a.yaml", "private_key_hex: \(Hex.encode(keys[0].bytes))\n")
        try dir.write("b.json", #"{"operator_address": "\#(keys[1].publicKey.address())", "private_key_hex": "0x\#(Hex.encode(keys[1].bytes))"}"#)
        try dir.write("c.yml", keysFileYAML([keys[2]]))
        try dir.write("README.md", "not a key file")
        try dir.write(".hidden.yaml", "private_key_hex: nonsense")
        try FileManager.default.createDirectory(atPath: dir.path + "/sub.yaml", withIntermediateDirectories: false)
        let file = try dir.write("../keys-\(UUID().uuidString).yaml", keysFileYAML([keys[3], keys[0]]))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let loaded = try SupplierKeyFiles.load(SupplierKeysSource(keysFile: file, keysDirectory: dir.path))
        #expect(loaded.map(\.operatorAddress) == keys.map { $0.publicKey.address() }.sorted())
    }

    @Test func badEntriesNameFileAndIndexWithoutTheKey() throws {
        let dir = try TemporaryDirectory()
        let good = randomKey()
        let goodHex = Hex.encode(good.bytes)
        let short = String(goodHex.dropLast())
        let notHex = "zz" + goodHex.dropFirst(2)
        let zero = String(repeating: "0", count: 64)
        let order = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
        let file = try dir.write("supplier-keys.yaml", """
        keys:
          - "\(goodHex)"
          - "\(short)"
          - "\(notHex)"
          - "\(zero)"
          - "\(order)"
          - [nested]
        """)
        do {
            _ = try SupplierKeyFiles.load(SupplierKeysSource(keysFile: file))
            Issue.record("expected the keys file to be refused")
        } catch {
            #expect(error.problems.map(\.entry) == ["keys[1]", "keys[2]", "keys[3]", "keys[4]", "keys[5]"])
            #expect(error.problems.allSatisfy { $0.file == file })
            #expect(error.problems[0].message == "expected 64 hex digits (a 32-byte secp256k1 private key), found 63")
            #expect(error.problems[1].message == "not hex: character 1 is not a hex digit (expected 64 hex digits, optional 0x)")
            #expect(error.problems[2].message == "not a valid secp256k1 private key (zero, or not below the curve order)")
            #expect(error.problems[3].message == "not a valid secp256k1 private key (zero, or not below the curve order)")
            #expect(error.problems[4].message == "expected a hex string (64 hex digits, optional 0x)")
            let text = error.description
            #expect(text.contains("\(file): keys[1]: expected 64 hex digits"))
            for secret in [goodHex, short, String(notHex)] { #expect(!text.lowercased().contains(secret.lowercased())) }
        }
    }

    @Test func operatorAddressMustMatchTheKey() throws {
        let dir = try TemporaryDirectory()
        let key = randomKey()
        let other = randomKey().publicKey.address()
        try dir.write("k.yaml", "operator_address: \(other)\nprivate_key_hex: \(Hex.encode(key.bytes))\n")
        do {
            _ = try SupplierKeyFiles.load(SupplierKeysSource(keysDirectory: dir.path))
            Issue.record("expected the key file to be refused")
        } catch {
            #expect(error.problems == [.init(
                file: dir.path + "/k.yaml", entry: "operator_address",
                message: "\(other) is not the address of private_key_hex (\(key.publicKey.address())); fix or remove operator_address"
            )])
        }
    }

    @Test func missingAndEmptySourcesAreErrors() throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.write("empty.yaml", "keys: []\n")
        #expect(throws: SupplierKeysError(file: empty, entry: "keys", message: "the list is empty; add at least one hex private key")) {
            try SupplierKeyFiles.load(SupplierKeysSource(keysFile: empty))
        }
        let missing = dir.path + "/nope.yaml"
        #expect(throws: SupplierKeysError(file: missing, message: "file not found; create it or fix the configured path")) {
            try SupplierKeyFiles.load(SupplierKeysSource(keysFile: missing))
        }
        let emptyDir = try TemporaryDirectory()
        #expect(throws: SupplierKeysError(file: "keys directory \(emptyDir.path)", message: "no supplier keys found; add at least one key")) {
            try SupplierKeyFiles.load(SupplierKeysSource(keysDirectory: emptyDir.path))
        }
        let broken = try dir.write("broken.yaml", "keys:\n  - \"abc\n")
        do {
            _ = try SupplierKeyFiles.load(SupplierKeysSource(keysFile: broken))
            Issue.record("expected the broken file to be refused")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.message.hasPrefix("invalid YAML or JSON at line") == true)
            #expect(error.description.contains("abc") == false)
        }
    }
}
