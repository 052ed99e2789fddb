import Foundation
import GRPCCore
import PocketProtocol
import RelayRuntime
@testable import StandInServer
import Testing

/// The pure parts of the stand-in's answers: Cosmos pagination over
/// store-ordered lists, and block times in TxResponse's RFC 3339 form.
struct PagingAndFormattingTests {
    static let entries: [(key: Bytes, item: Int)] = (1...5).map { ([UInt8($0)], $0) }

    static func request(key: Bytes = [], offset: UInt64 = 0, limit: UInt64 = 0, countTotal: Bool = false, reverse: Bool = false)
        -> Cosmos_Base_Query_V1beta1_PageRequest {
        .with {
            $0.key = Data(key)
            $0.offset = offset
            $0.limit = limit
            $0.countTotal = countTotal
            $0.reverse = reverse
        }
    }

    @Test func keysResumeWhereThePreviousPageStopped() throws {
        let first = try Pagination.page(Self.entries, Self.request(limit: 2))
        #expect(first.items == [1, 2] && Bytes(first.response.nextKey) == [3] && first.response.total == 0)
        let second = try Pagination.page(Self.entries, Self.request(key: Bytes(first.response.nextKey), limit: 2))
        #expect(second.items == [3, 4] && Bytes(second.response.nextKey) == [5])
        let last = try Pagination.page(Self.entries, Self.request(key: Bytes(second.response.nextKey), limit: 2))
        #expect(last.items == [5] && last.response.nextKey.isEmpty)
        #expect(try Pagination.page(Self.entries, nil).items == [1, 2, 3, 4, 5])
    }

    @Test func offsetsCountAndReverseOrder() throws {
        let page = try Pagination.page(Self.entries, Self.request(offset: 3, limit: 10, countTotal: true))
        #expect(page.items == [4, 5] && page.response.total == 5 && page.response.nextKey.isEmpty)
        let reversed = try Pagination.page(Self.entries, Self.request(limit: 2, reverse: true))
        #expect(reversed.items == [5, 4] && Bytes(reversed.response.nextKey) == [3])
        let resumed = try Pagination.page(Self.entries, Self.request(key: [3], limit: 2, reverse: true))
        #expect(resumed.items == [3, 2])
        #expect(try Pagination.page(Self.entries, Self.request(offset: 9)).items.isEmpty)
        #expect(try Pagination.page(Self.entries, Self.request(limit: .max)).items.count == 5)
        #expect(throws: RPCError.self) { try Pagination.page(Self.entries, Self.request(key: [1], offset: 1)) }
    }

    @Test func blockTimesAreRFC3339InUTC() {
        func format(_ seconds: Int64, nanos: Int64 = 0) -> String {
            RFC3339.format(RuntimeInstant(unixNanoseconds: seconds * 1_000_000_000 + nanos))
        }
        #expect(format(0) == "1970-01-01T00:00:00Z")
        #expect(format(1_700_000_000, nanos: 999_999_999) == "2023-11-14T22:13:20Z")
        #expect(format(1_709_164_800) == "2024-02-29T00:00:00Z")
        #expect(format(-1) == "1969-12-31T23:59:59Z")
        #expect(format(4_102_444_800) == "2100-01-01T00:00:00Z")
    }
}
