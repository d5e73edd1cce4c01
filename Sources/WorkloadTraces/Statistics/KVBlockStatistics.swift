import Foundation

/// `stats` for streams with `hash_ids`: block reuse (overall,
/// within a session, only across sessions), the share of requests whose
/// first block was seen before, and optionally the hit ratio of an LRU cache
/// of `cacheBlocks` blocks fed the requests in stream (time) order.
package struct KVBlockStatistics: Sendable {
    package var requests = 0
    package var blocks = 0
    package var reusedWithin = 0
    package var reusedAcross = 0
    package var firstBlockSeen = 0
    package var cache: LRUBlockCache?
    var seen = Set<UInt64>()
    var sessionBlocks: [String: Set<UInt64>] = [:]

    /// Blocks and reused blocks at each of the first `positions` block positions (`fit`'s report).
    var positionBlocks: [Int]
    var positionReused: [Int]

    package init(cacheBlocks: Int? = nil, positions: Int = 0) {
        cache = cacheBlocks.map { LRUBlockCache(capacity: $0) }
        positionBlocks = [Int](repeating: 0, count: positions)
        positionReused = positionBlocks
    }

    mutating func add(request event: StreamLine) {
        guard let ids = event.hashIDs else { return }
        add(session: event.sessionName ?? "", ids: ids)
    }

    /// One request's block IDs, in order.
    mutating func add<IDs: Collection<UInt64>>(session: String, ids: IDs) {
        requests += 1
        var own = sessionBlocks[session] ?? []
        for (index, id) in ids.enumerated() {
            blocks += 1
            let reused = own.contains(id) || seen.contains(id)
            if own.contains(id) {
                reusedWithin += 1
            } else if seen.contains(id) {
                reusedAcross += 1
            }
            if index < positionBlocks.count {
                positionBlocks[index] += 1
                if reused { positionReused[index] += 1 }
            }
            if index == 0, seen.contains(id) { firstBlockSeen += 1 }
            cache?.access(id)
        }
        for id in ids {
            seen.insert(id)
            own.insert(id)
        }
        sessionBlocks[session] = own
    }

    /// The share of blocks seen before, by block position (positions with blocks).
    var reuseByPosition: [Double] {
        zip(positionReused, positionBlocks).prefix { $0.1 > 0 }.map { Double($0.0) / Double($0.1) }
    }

    mutating func end(session event: StreamLine) {
        // Most streams have no blocks: no session name to decode.
        if !sessionBlocks.isEmpty, let session = event.sessionName { sessionBlocks[session] = nil }
    }

    /// The hit ratio as `stats` prints it (6 decimals).
    package static func format(hitRatio: Double) -> String { String(format: "%.6f", hitRatio) }

    func reportLines() -> [String] {
        guard requests > 0 else { return [] }
        func share(_ n: Int, _ of: Int) -> String { String(format: "%.4f%%", of > 0 ? 100 * Double(n) / Double(of) : 0) }
        var lines = [
            "kv blocks     \(blocks) in \(requests) requests; reused \(share(reusedWithin + reusedAcross, blocks)) (within sessions \(share(reusedWithin, blocks)), only across sessions \(share(reusedAcross, blocks))); first block seen before in \(share(firstBlockSeen, requests)) of requests",
        ]
        if let cache {
            lines.append("kv cache      LRU of \(cache.capacity) blocks: hit ratio \(Self.format(hitRatio: cache.hitRatio)) (\(cache.hits) of \(cache.accesses) block lookups)")
        }
        return lines
    }
}

/// An LRU cache of block IDs: a dictionary into a doubly linked list kept in
/// arrays (slot 0 is the list's sentinel).
package struct LRUBlockCache: Sendable {
    package let capacity: Int
    package private(set) var hits = 0
    package private(set) var accesses = 0
    var slots: [UInt64: Int] = [:]
    var ids: [UInt64] = [0]
    var previous: [Int] = [0]
    var next: [Int] = [0]

    package init(capacity: Int) { self.capacity = capacity }

    package var hitRatio: Double { accesses > 0 ? Double(hits) / Double(accesses) : 0 }

    /// Looks `id` up (a hit or a miss) and makes it the most recently used.
    package mutating func access(_ id: UInt64) {
        accesses += 1
        if let slot = slots[id] {
            hits += 1
            unlink(slot)
            pushFront(slot)
            return
        }
        guard capacity > 0 else { return }
        let slot: Int
        if slots.count >= capacity {
            slot = previous[0]  // the least recently used
            unlink(slot)
            slots[ids[slot]] = nil
            ids[slot] = id
        } else {
            slot = ids.count
            ids.append(id)
            previous.append(0)
            next.append(0)
        }
        slots[id] = slot
        pushFront(slot)
    }

    mutating func unlink(_ slot: Int) {
        next[previous[slot]] = next[slot]
        previous[next[slot]] = previous[slot]
    }

    mutating func pushFront(_ slot: Int) {
        next[slot] = next[0]
        previous[slot] = 0
        previous[next[0]] = slot
        next[0] = slot
    }
}
