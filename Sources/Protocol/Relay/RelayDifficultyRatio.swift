import BigInt
import Foundation

extension RelayDifficulty {
    /// An exact non-negative rational in lowest terms. The difficulty
    /// multiplier feeds reward settlement, where Go uses `big.Rat`; a float
    /// here would round differently from the chain.
    public struct Ratio: Sendable, Hashable, CustomStringConvertible {
        public let numerator: BigUInt
        /// Never zero.
        public let denominator: BigUInt

        /// Reduces to lowest terms; nil for a zero denominator.
        public init?(_ numerator: BigUInt, _ denominator: BigUInt) {
            guard !denominator.isZero else { return nil }
            let g = numerator.greatestCommonDivisor(with: denominator)
            self.numerator = numerator / g
            self.denominator = denominator / g
        }

        /// The inverse; nil for zero.
        public var inverse: Ratio? { Ratio(denominator, numerator) }

        /// Go's `big.Rat.RatString()`: "n" when the denominator is 1, else "n/d".
        public var description: String {
            denominator == 1 ? String(numerator) : "\(numerator)/\(denominator)"
        }
    }

    /// A big-endian byte string as an unsigned integer (Go `new(big.Int).SetBytes`).
    static func integer(_ bytes: Bytes) -> BigUInt {
        bytes.isEmpty ? 0 : BigUInt(Data(bytes))
    }

    /// Minimal big-endian bytes (Go `big.Int.Bytes()`: empty for zero).
    static func minimalBytes(_ value: BigUInt) -> Bytes {
        value.isZero ? [] : Bytes(value.serialize())
    }
}
