import Foundation
import PocketProtocol

/// A parsed JSON document with typed accessors that throw a `VectorFormatError`
/// naming the missing or mistyped key, so a malformed vector file yields a
/// clear failure instead of a crash.
public enum JSONValue: Sendable, Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double, text: String)
    case bool(Bool)
    case null

    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }
}

extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var dict: [String: JSONValue] = [:]
            for key in object.allKeys { dict[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(dict)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let s = try? single.decode(String.self) { self = .string(s) }
        else if let i = try? single.decode(Int64.self) { self = .number(Double(i), text: String(i)) }
        else if let u = try? single.decode(UInt64.self) { self = .number(Double(u), text: String(u)) }
        else { let d = try single.decode(Double.self); self = .number(d, text: String(d)) }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// A vector file that does not have the shape its checker expects.
public struct VectorFormatError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}

extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        if case .object(let d) = self { return d[key] }
        return nil
    }

    public var keys: [String] {
        if case .object(let d) = self { return d.keys.sorted() }
        return []
    }

    public func has(_ key: String) -> Bool { self[key] != nil }

    public func value(_ key: String) throws -> JSONValue {
        guard let v = self[key] else { throw VectorFormatError(path: key, problem: "missing key") }
        return v
    }

    public func string(_ key: String) throws -> String {
        guard case .string(let s) = try value(key) else { throw VectorFormatError(path: key, problem: "expected a string") }
        return s
    }

    public func optionalString(_ key: String) throws -> String? {
        guard let v = self[key], v != .null else { return nil }
        guard case .string(let s) = v else { throw VectorFormatError(path: key, problem: "expected a string") }
        return s
    }

    /// Hex-decoded bytes of a string field (`""` is empty).
    public func bytes(_ key: String) throws -> Bytes {
        let s = try string(key)
        do { return try Hex.decode(s) } catch { throw VectorFormatError(path: key, problem: "\(error)") }
    }

    public func optionalBytes(_ key: String) throws -> Bytes? {
        guard let s = try optionalString(key) else { return nil }
        do { return try Hex.decode(s) } catch { throw VectorFormatError(path: key, problem: "\(error)") }
    }

    public func bool(_ key: String) throws -> Bool {
        guard case .bool(let b) = try value(key) else { throw VectorFormatError(path: key, problem: "expected a bool") }
        return b
    }

    public func optionalBool(_ key: String) throws -> Bool? {
        guard let v = self[key], v != .null else { return nil }
        guard case .bool(let b) = v else { throw VectorFormatError(path: key, problem: "expected a bool") }
        return b
    }

    /// An integer given either as a JSON number or as a decimal string
    /// (the vectors use strings for anything that may exceed 2^53).
    public func int64(_ key: String) throws -> Int64 {
        let v = try value(key)
        switch v {
        case .number(_, let text): if let i = Int64(text) { return i }
        case .string(let s): if let i = Int64(s) { return i }
        default: break
        }
        throw VectorFormatError(path: key, problem: "expected an int64, got \(v)")
    }

    public func uint64(_ key: String) throws -> UInt64 {
        let v = try value(key)
        switch v {
        case .number(_, let text): if let i = UInt64(text) { return i }
        case .string(let s): if let i = UInt64(s) { return i }
        default: break
        }
        throw VectorFormatError(path: key, problem: "expected a uint64, got \(v)")
    }

    public func int(_ key: String) throws -> Int { Int(try int64(key)) }

    public func array(_ key: String) throws -> [JSONValue] {
        guard case .array(let a) = try value(key) else { throw VectorFormatError(path: key, problem: "expected an array") }
        return a
    }

    public func optionalArray(_ key: String) throws -> [JSONValue]? {
        guard let v = self[key], v != .null else { return nil }
        guard case .array(let a) = v else { throw VectorFormatError(path: key, problem: "expected an array") }
        return a
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
