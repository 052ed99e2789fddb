import Foundation

/// Markup helpers shared by the HTML and JUnit reports: escaping that keeps
/// the output well-formed XML whatever a scenario's names contain.
enum Markup {
    /// Text or attribute value, escaped for XML/XHTML: `& < > " '`, and
    /// characters XML 1.0 forbids (controls other than tab/newline/CR,
    /// surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if isXMLChar(scalar.value) { out.unicodeScalars.append(scalar) } else { out += "\u{FFFD}" }
            }
        }
        return out
    }

    static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
    }

    /// A number for SVG coordinates: at most one decimal, no exponent.
    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int64(r)) : String(format: "%.1f", r)
    }

    /// Virtual nanoseconds as seconds, e.g. `101.25 s`.
    static func seconds(_ ns: Int64, digits: Int = 2) -> String {
        String(format: "%.\(digits)f s", Double(ns) / 1e9)
    }

    /// A metric value: integers without decimals.
    static func metric(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
    }
}
