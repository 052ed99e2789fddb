import Foundation
import GRPCCore
import PocketProtocol

/// Cosmos SDK pagination (`cosmos.base.query.v1beta1.PageRequest`) over a
/// list already in store-key order: resume from `key` or skip `offset`
/// (not both), at most `limit` items (100 when 0), optionally reversed, with
/// `next_key` set while items remain and `total` when asked for with offsets.
enum Pagination {
    static let defaultLimit: UInt64 = 100

    struct Page<Item> {
        var items: [Item]
        var response: Cosmos_Base_Query_V1beta1_PageResponse
    }

    static func page<Item>(_ entries: [(key: Bytes, item: Item)], _ request: Cosmos_Base_Query_V1beta1_PageRequest?) throws(RPCError) -> Page<Item> {
        let request = request ?? Cosmos_Base_Query_V1beta1_PageRequest()
        guard request.key.isEmpty || request.offset == 0 else {
            throw .invalidArgument("invalid request, either offset or key is expected, got both")
        }
        let ordered = request.reverse ? Array(entries.reversed()) : entries
        let limit = Int(clamping: request.limit == 0 ? defaultLimit : request.limit)
        let start: Int
        if !request.key.isEmpty {
            let key = Bytes(request.key)
            // Resume at the first entry at or past the key in iteration order.
            start = ordered.firstIndex { entry in
                request.reverse ? !key.lexicographicallyPrecedes(entry.key) : !entry.key.lexicographicallyPrecedes(key)
            } ?? ordered.count
        } else {
            start = min(Int(clamping: request.offset), ordered.count)
        }
        let end = start + min(limit, ordered.count - start)
        var response = Cosmos_Base_Query_V1beta1_PageResponse()
        if end < ordered.count { response.nextKey = Data(ordered[end].key) }
        if request.key.isEmpty && request.countTotal { response.total = UInt64(ordered.count) }
        return Page(items: ordered[start..<end].map(\.item), response: response)
    }
}
