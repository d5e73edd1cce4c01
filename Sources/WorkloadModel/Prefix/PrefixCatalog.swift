/// The workload's prefix pools prepared for the hot path: each
/// item's length drawn once from the stable identity (pool name, item index),
/// the popularity laws, and the KV-block size. Immutable and shared by the
/// engine (which picks items) and the encoder (which writes `prefix_ids` and
/// `hash_ids`).
package final class PrefixCatalog: Sendable {
    /// Tokens of item i of pool p: `itemTokens[p][i]` (at least 1).
    package let itemTokens: [[Int64]]
    let popularity: [ZipfLaw?]
    /// Per pool with `item_weights`, their cumulative shares (nil: `popularity`).
    let weighted: [WeightedChoice?]
    let itemCounts: [UInt64]
    let poolNames: [String]
    /// `"<pool>:` per pool, JSON-escaped once (a `prefix_ids` entry without its number).
    let idFragments: [[UInt8]]
    /// `kv_blocks.block_tokens`; nil: no `hash_ids`.
    package let blockTokens: Int64?
    /// The root of every block ID's hash chain (derived from the seed).
    let root: UInt64
    let seed: UInt64
    /// `SplitMix64.mix(k B)` for the ends of the first complete blocks
    /// (k = 1, 2, ...): a block's ID then costs one mix.
    let blockEndMixes: [UInt64]
    /// Per pool and item, the `hash_ids` of the complete blocks inside the
    /// item when it is a prompt's first: the same in every such prompt, so
    /// written once. Empty when the pools hold too many blocks to keep.
    let firstItemIDs: [[FirstItemIDs]]

    package init(spec: WorkloadSpec) {
        seed = spec.seed
        blockTokens = spec.kvBlockTokens
        root = StreamIdentity("kv-blocks").combined(with: spec.seed)
        poolNames = spec.prefixPools.map(\.name)
        idFragments = spec.prefixPools.map { pool in
            var writer = ByteWriter(capacity: 64)
            writer.append(jsonString: pool.name)
            writer.removeLast()
            writer.append(byte: UInt8(ascii: ":"))
            return writer.withUnsafeBytes { Array($0) }
        }
        itemCounts = spec.prefixPools.map { UInt64($0.items) }
        popularity = spec.prefixPools.map { pool in
            if pool.weights == nil, case .zipf(let s) = pool.popularity { return ZipfLaw(exponent: s, count: Double(pool.items)) }
            return nil
        }
        weighted = spec.prefixPools.map { pool in pool.weights.map(WeightedChoice.init) }
        let itemTokens = spec.prefixPools.map { pool -> [Int64] in
            switch pool.tokens {
            case .listed(let lengths):
                return lengths
            case .drawn(let law):
                let identity = StreamIdentity("prefix-item", pool.name)
                return (0..<pool.items).map { item in
                    var rng = Xoshiro256(seed: identity.appending(UInt64(item)).combined(with: spec.seed))
                    return Swift.max(1, Int64(Swift.min(law.sample(using: &rng).rounded(), 1e9)))
                }
            }
        }
        self.itemTokens = itemTokens
        let block = spec.kvBlockTokens ?? 0
        blockEndMixes = block > 0 ? (1...Self.mixedBlockEnds).map { SplitMix64.mix(UInt64($0) &* UInt64(block)) } : []
        firstItemIDs = Self.firstItemIDs(itemTokens: itemTokens, blockTokens: block, root: StreamIdentity("kv-blocks").combined(with: spec.seed))
    }

    /// Blocks whose end is mixed in advance (a prompt of 4M tokens at 512 a block).
    static let mixedBlockEnds = 8192
    /// The most first-item blocks kept (about 17 bytes each).
    static let keptFirstItemBlocks = 1 << 16

    static func firstItemIDs(itemTokens: [[Int64]], blockTokens: Int64, root: UInt64) -> [[FirstItemIDs]] {
        guard blockTokens > 0 else { return [] }
        let blocks = itemTokens.reduce(0) { $0 + $1.reduce(0) { $0 + Int($1 / blockTokens) } }
        guard blocks <= keptFirstItemBlocks else { return [] }
        return itemTokens.enumerated().map { pool, items in
            items.enumerated().map { item, tokens in
                let chain = BlockHashes.chain(root, item: UInt64(pool) << 32 | UInt64(item))
                var writer = ByteWriter(capacity: 64)
                var ends: [Int] = [0]
                for index in 0..<Int(tokens / blockTokens) {
                    writer.append(unsigned: BlockHashes.id(chain, end: Int64(index + 1) * blockTokens))
                    writer.append(byte: UInt8(ascii: ","))
                    ends.append(writer.count)
                }
                return FirstItemIDs(text: writer.bytes, ends: ends)
            }
        }
    }

    /// Whether a workload needs a catalog at all (without one, events are today's).
    package static func isNeeded(by spec: WorkloadSpec) -> Bool {
        !spec.prefixPools.isEmpty || spec.kvBlockTokens != nil
    }

    /// One item of pool `pool`, drawn from its popularity law.
    @inline(__always)
    func drawItem(pool: Int, using rng: inout Xoshiro256) -> Int {
        if let law = popularity[pool] { return Int(law.draw(using: &rng)) - 1 }
        if let choice = weighted[pool] { return choice.draw(using: &rng) }
        return Int(rng.nextBelow(itemCounts[pool]))
    }

    /// The items of a new session of a profile and their total length. A
    /// `per: client` item comes from the identity (pool, profile, client), a
    /// `per: session` item from (pool, session identity): new streams, so no
    /// other draw moves. A use with `probability` below 1 first draws
    /// whether the session (or client) carries the pool at all, on that
    /// same stream (with 1 nothing is drawn, so the item is today's).
    func items(
        for uses: ContiguousArray<PrefixUse>, profile: StreamIdentity, client: Int32, session: StreamIdentity
    ) -> (items: PrefixItems, tokens: Int64) {
        var items = PrefixItems()
        var tokens: Int64 = 0
        for use in uses {
            let name = poolNames[use.pool]
            let identity: StreamIdentity
            switch use.per {
            case .client: identity = StreamIdentity("prefix-client", name).appending(profile.hash).appending(UInt64(UInt32(bitPattern: client)))
            case .session: identity = StreamIdentity("prefix-session", name).appending(session.hash)
            }
            var rng = Xoshiro256(seed: identity.combined(with: seed))
            if use.probability < 1 && !(rng.nextUnit() < use.probability) { continue }
            let item = drawItem(pool: use.pool, using: &rng)
            items.append(pool: use.pool, item: item)
            tokens += itemTokens[use.pool][item]
        }
        return (items, tokens)
    }
}

/// The `hash_ids` of the complete blocks inside one prefix item when it comes
/// first: each ID followed by a comma; `ends[k]`: the bytes of the first k.
struct FirstItemIDs: Sendable {
    let text: [UInt8]
    let ends: [Int]
}
