import Testing
@testable import WorkloadModel

/// The engine copies events and session states several times per event;
/// above 128 bytes each copy becomes a `memmove` call (about 40% more CPU
/// per event, measured with `bench`), so the hot values must stay within it.
@Suite struct EventLayoutTests {
    @Test func hotValuesFitTheInlineCopySize() {
        #expect(MemoryLayout<PrefixItems>.size == 16)
        #expect(MemoryLayout<RequestEvent>.size <= 127, "\(MemoryLayout<RequestEvent>.size)")
        #expect(MemoryLayout<Event>.size <= 128, "\(MemoryLayout<Event>.size)")
        #expect(MemoryLayout<Event?>.size <= 128, "\(MemoryLayout<Event?>.size)")
        #expect(MemoryLayout<RequestEvent?>.size <= 128, "\(MemoryLayout<RequestEvent?>.size)")
        #expect(MemoryLayout<SessionState?>.size <= 128, "\(MemoryLayout<SessionState?>.size)")
    }

    @Test func prefixItemsKeepEveryPoolAndItemWithinTheLimits() {
        let entries = [(0, 0), (PrefixPool.maximumPools - 1, PrefixPool.maximumItems - 1), (17, 5), (1, 0)]
        var items = PrefixItems()
        #expect(items.count == 0 && items == .none)
        for (index, (pool, item)) in entries.enumerated() {
            items.append(pool: pool, item: item)
            #expect(items.count == Int32(index + 1))
        }
        for (index, (pool, item)) in entries.enumerated() {
            #expect(items[index] == (pool, item))
            #expect(items.packed(index) == UInt64(pool) << 32 | UInt64(item))
        }
        var other = PrefixItems()
        other.append(pool: 0, item: 1)
        #expect(other != .none && other[0] == (0, 1))
    }

    @Test func lineageIsTheSessionsHashOfItsTurn() {
        var request = RequestEvent(
            seq: 0, time: 0, sentAt: 0, sessionID: 0xABCD, profile: 0, client: 0, turn: 3, streaming: false,
            newInputTokens: 1, prefixTokens: 0, maxOutputTokens: 1, outputTokens: 1,
            priority: 0, payloadBytes: 1, sharedPrefixTokens: 4_000_000_000)
        #expect(request.lineage == 0)
        #expect(request.sharedPrefixTokens == 4_000_000_000)
        request.lineageTurn = 2
        #expect(request.lineage == BlockHashes.lineage(session: 0xABCD, turn: 2))
        #expect(request.lineage != BlockHashes.lineage(session: 0xABCD, turn: 3))
    }
}
