/// The `hash_ids` rule (Mooncake convention), in one place.
///
/// A prompt is its shared prefix items, in order, then its session content
/// (history and new input). Block i covers tokens [i B, min((i + 1) B, P)).
/// Its ID hashes what the prompt holds over [0, end of block i): the chain of
/// items up to the one the block ends in, or the whole chain and the
/// session's content `lineage` when it ends past the shared part, and the
/// block's end offset. So two prompts share the ID at position i exactly
/// when they hold the same content up to the end of block i: the same items
/// in the same order (and, past them, the same session lineage, which a
/// later turn with `full` or `prompts` history continues). IDs are 53-bit
/// (exact in every JSON parser); a collision between different contents has
/// probability about n^2 / 2^54 for n distinct blocks.
package struct BlockHashes {
    package static let idMask: UInt64 = (1 << 53) - 1

    /// The chain value after item `packed` (pool << 32 | item).
    @inline(__always)
    static func chain(_ previous: UInt64, item packed: UInt64) -> UInt64 {
        SplitMix64.mix(previous ^ SplitMix64.mix(packed &+ 0x9E37_79B9_7F4A_7C15))
    }

    @inline(__always)
    static func id(_ chain: UInt64, end: Int64) -> UInt64 {
        id(chain, endMix: SplitMix64.mix(UInt64(end)))
    }

    /// The ID with the block end already mixed (`PrefixCatalog.blockEndMixes`).
    @inline(__always)
    static func id(_ chain: UInt64, endMix: UInt64) -> UInt64 {
        SplitMix64.mix(chain &+ endMix) & idMask
    }

    /// Calls `body` with each block ID of `request` in order, allocating
    /// nothing; from block `firstBlock` on, which must end inside the first
    /// shared item (`PrefixCatalog.firstItemIDs` holds the ones before it).
    @inline(__always)
    package static func forEachID(of request: RequestEvent, catalog: PrefixCatalog, blockTokens: Int64, from firstBlock: Int = 0,
                                  _ body: (UInt64) -> Void) {
        let items = request.prefixItems
        let count = Int(items.count)
        let prompt = request.promptTokens
        var chain = catalog.root
        var itemIndex = 0
        var itemEnd: Int64 = 0
        if count > 0 {
            let first = items[0]
            chain = Self.chain(chain, item: items.packed(0))
            itemEnd = catalog.itemTokens[first.pool][first.item]
        }
        let shared = request.sharedPrefixTokens
        let session = SplitMix64.mix(Self.allItemsChain(items, catalog: catalog) ^ request.lineage)
        var block = firstBlock
        var start = Int64(block) * blockTokens
        let mixes = catalog.blockEndMixes
        while start < prompt {
            let end = Swift.min(start + blockTokens, prompt)
            let endMix = end - start == blockTokens && block < mixes.count ? mixes[block] : SplitMix64.mix(UInt64(end))
            if end <= shared {
                while end > itemEnd && itemIndex + 1 < count {
                    itemIndex += 1
                    let next = items[itemIndex]
                    chain = Self.chain(chain, item: items.packed(itemIndex))
                    itemEnd += catalog.itemTokens[next.pool][next.item]
                }
                body(id(chain, endMix: endMix))
            } else {
                body(id(session, endMix: endMix))
            }
            start = end
            block += 1
        }
    }

    static func allItemsChain(_ items: PrefixItems, catalog: PrefixCatalog) -> UInt64 {
        var chain = catalog.root
        for index in 0..<Int(items.count) { chain = Self.chain(chain, item: items.packed(index)) }
        return chain
    }

    /// The lineage of a session's content: a fresh one at its first turn,
    /// at every turn without history, and after a truncation (the kept
    /// history then no longer starts where the earlier prompts did).
    @inline(__always)
    static func lineage(session: UInt64, turn: Int32) -> UInt64 {
        SplitMix64.mix(session ^ SplitMix64.mix(UInt64(UInt32(bitPattern: turn)) | 1 << 40))
    }
}
