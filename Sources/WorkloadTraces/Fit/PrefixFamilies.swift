import Foundation
import WorkloadModel

/// Prefix families, for traces where most sessions begin with blocks other
/// sessions begin with too (templated and agent-like traffic): a first turn's
/// complete blocks after the system prefix are read along the tree of all
/// first turns' chains. Its *family* is its path up to the first node where
/// some of the sessions through it part (a system prompt or template of one
/// client group), its *variant* the rest of what it shares with another
/// session (a document or sub-template under that family). Each level is a
/// pool every session draws from, with Zipf popularity: (items, exponent)
/// such that the expected number of sessions that share their item, and of
/// items shared, are the trace's (occupancy of Zipf draws; a variant's blocks
/// hash under its family, so variants are counted within each family).
struct PrefixFamilies {
    struct Level {
        var items: Int
        /// Zipf exponent (0: uniform).
        var exponent: Double
        var tokens: FittedLaw
        /// Written as a constant (the sessions' mean): a few popular items would each draw one length from `tokens`.
        var constant: Double?
        /// Sessions sharing their item and distinct items shared, in the trace.
        var sharing: Int
        var shared: Int
        /// The items seen, most sessions first, written one by one (`item_tokens`, `item_weights`)
        /// instead of Zipf and a law when few items carry many sessions each; nil: a law.
        var seen: [Item]?
        /// Under a law, each item's length at its share of the sessions' lengths (`item_tokens` with
        /// the law's popularity), rather than one draw per item; nil: listed or too many items.
        var atQuantiles: [Int64]?
    }

    /// One item seen in the trace: its length and the sessions that drew it.
    struct Item: Equatable {
        var tokens: Int64
        var sessions: Int
    }

    /// Items are listed when they carry at least this many sessions each on
    /// average: then a few items carry most sessions, and one length per item
    /// drawn from a law misses the trace's prompts by the luck of that draw.
    static let listedSessionsPerItem = 4.0
    /// At most this many items are listed (beyond, the pool is a law).
    static let maximumListed = 10_000

    var family: Level
    var variant: Level?
    /// Per session index: the tokens the family prefixes take before its first input.
    var prefixTokens: [Double]
    /// The share of sessions that carry a variant (their own profile).
    var variantShare = 0.0
    /// With listed families, the families of the sessions that share a variant, weighted by those
    /// sessions (a pool of their own: `family.seen` is weighted by the other sessions). Long
    /// families (a short system prompt and a whole document) are seldom under a variant.
    var variantFamilies: [Item]?
    /// Per session index: whether it shares a variant.
    var sharesVariant: [Bool]
    var firstTurns: Int

    /// At least this share of first turns must share a block beyond the system prefix.
    static let mostlyShared = 0.5

    /// nil unless most first turns share leading blocks beyond the system prefix.
    init?(_ sample: RequestSample, systemBlocks: Int, blockTokens: Int64) {
        let firsts = (0..<sample.count).filter { sample.turn[$0] == 1 }
        let (chains, depths) = Self.paths(sample, firsts: firsts, systemBlocks: systemBlocks, blockTokens: blockTokens)
        let sharing = depths.filter { $0.d > 0 }.count
        guard !firsts.isEmpty, Double(sharing) >= Self.mostlyShared * Double(firsts.count) else { return nil }
        firstTurns = firsts.count
        let block = Double(blockTokens)

        let counts = Self.items(sample, firsts: firsts, chains: chains, depths: depths, blockTokens: blockTokens)
        let familyTokens = depths.filter { $0.d > 0 }.map { (Double($0.e) + 0.5) * block }
        let (items, exponent) = ZipfOccupancy.fit(draws: [firsts.count], sharing: sharing, shared: counts.families.count)
        let familyMean = familyTokens.reduce(0, +) / Double(Swift.max(1, familyTokens.count))
        // A family's length is drawn once per item and the most popular
        // items carry most sessions: every family is written at the mean,
        // and first inputs take the spread, unless the items are few enough to list.
        family = Level(items: items, exponent: exponent, tokens: FamilyFit.fit(familyTokens, integer: true, closedFormQuantile: true),
                       constant: familyMean.rounded(), sharing: sharing, shared: counts.families.count)
        if let (own, underVariants) = Self.listed(counts) {
            (family.seen, variantFamilies) = (own, underVariants.isEmpty ? nil : underVariants)
        }
        // What precedes a first input: the family (its item's length when listed, else the mean), then the variant.
        let (own, variantTokens) = Self.sessionPrefixes(sample, firsts: firsts, chains: chains, depths: depths, counts: counts,
                                                         familyTokens: family.seen == nil ? familyMean.rounded() : nil, blockTokens: blockTokens)
        prefixTokens = [Double](repeating: 0, count: (sample.session.max() ?? -1) + 1)
        sharesVariant = [Bool](repeating: false, count: prefixTokens.count)
        for (index, (depth, tokens)) in zip(firsts, zip(depths, own)) {
            sharesVariant[sample.session[index]] = depth.d > depth.e
            prefixTokens[sample.session[index]] = tokens
        }
        // Variants are drawn within each family: the families' session counts.
        let variantSharing = variantTokens.count
        if variantSharing > 0 {
            // Only sessions that share one are read as carriers (a session alone
            // with its variant cannot be told from one without): per family, its sharing sessions draw.
            let (items, exponent) = ZipfOccupancy.fit(draws: Array(counts.carriers.values), sharing: variantSharing, shared: counts.variants.count)
            variantShare = Double(variantSharing) / Double(firsts.count)
            // Variants hash under their family and are drawn apart from it, so their items cannot be
            // listed as seen (an item seen under one family would be drawn under every other).
            variant = Level(items: items, exponent: exponent, tokens: FamilyFit.fit(variantTokens, integer: true, closedFormQuantile: true),
                            constant: nil, sharing: variantSharing, shared: counts.variants.count,
                            atQuantiles: family.seen == nil ? nil : Self.quantileLengths(variantTokens, items: items, exponent: exponent))
        }
    }

    /// Each first turn's shared tokens (family and variant), and the variant tokens of those that
    /// share one. `familyTokens`: every family at that length (nil: families are listed, each at
    /// its item's). With listed families a variant ends where the shared content is read to end:
    /// the middle of the block where its sessions part, at most the first prompt less one token;
    /// without, it is its whole blocks past the family.
    static func sessionPrefixes(_ sample: RequestSample, firsts: [Int], chains: [[UInt64]], depths: [(d: Int, e: Int)], counts: Counts,
                                familyTokens: Double?, blockTokens: Int64) -> (shared: [Double], variants: [Double]) {
        let block = Double(blockTokens)
        let meanFamily = counts.meanFamily
        var shared: [Double] = [], variants: [Double] = []
        for (index, (chain, depth)) in zip(firsts, zip(chains, depths)) {
            let family = familyTokens ?? (depth.d > 0 ? Double(counts.families[chain[depth.e - 1]]!.tokens) : Swift.min(meanFamily, sample.prompt[index] - 1))
            var variant = 0.0
            if depth.d > depth.e {
                let end = Swift.min((Double(depth.d) + 0.5) * block, sample.prompt[index] - 1)
                variant = familyTokens == nil ? Swift.max(1, end - family) : Double(depth.d - depth.e) * block
                variants.append(variant)
            }
            shared.append(family + variant)
        }
        return (shared, variants)
    }

    /// The items of each level as the trace shows them: per family node, its sessions and
    /// length; per variant node, its sessions; per family, the sessions sharing a variant.
    struct Counts {
        var families: [UInt64: Item] = [:]
        var variants: [UInt64: Int] = [:]
        var carriers: [UInt64: Int] = [:]
        /// The families' mean length over the sessions that share one and no variant.
        var meanFamily: Double {
            let own = families.map { (tokens: Double($0.value.tokens), sessions: Double($0.value.sessions - carriers[$0.key, default: 0])) }
            return (own.reduce(0.0) { $0 + $1.tokens * $1.sessions } / Swift.max(1, own.reduce(0.0) { $0 + $1.sessions })).rounded()
        }
    }

    /// A family of e blocks ends inside block e + 1 (its sessions part there): its length is read as
    /// the middle of that block, and no more than its shortest first prompt less one token (each
    /// first turn has some input of its own after it).
    static func items(_ sample: RequestSample, firsts: [Int], chains: [[UInt64]], depths: [(d: Int, e: Int)], blockTokens: Int64) -> Counts {
        var counts = Counts()
        for (index, (chain, depth)) in zip(firsts, zip(chains, depths)) where depth.d > 0 {
            let node = chain[depth.e - 1]
            let middle = Int64(depth.e) * blockTokens + blockTokens / 2
            let bound = Swift.max(Int64(depth.e) * blockTokens, Int64(sample.prompt[index]) - 1)
            var item = counts.families[node] ?? Item(tokens: middle, sessions: 0)
            item.sessions += 1
            item.tokens = Swift.min(item.tokens, bound)
            counts.families[node] = item
            if depth.d > depth.e {
                counts.variants[chain[depth.d - 1], default: 0] += 1
                counts.carriers[node, default: 0] += 1
            }
        }
        return counts
    }

    /// Each of `items` Zipf items (exponent 0: uniform) a length such that the lengths, weighted
    /// by popularity, are the quantiles of `values`: items are visited in an order unrelated to
    /// their rank (bit-reversed), and each takes the value at the middle of its share. Nil above
    /// `maximumListed` items.
    static func quantileLengths(_ values: [Double], items: Int, exponent: Double) -> [Int64]? {
        guard !values.isEmpty, items <= maximumListed else { return nil }
        let sorted = values.sorted()
        let law = exponent < 1e-3 ? nil : ZipfLaw(exponent: exponent, count: Double(items))
        let p = (1...items).map { law?.probability(of: Double($0)) ?? 1 / Double(items) }
        var bits = 0
        while 1 << bits < items { bits += 1 }
        func reversed(_ k: Int) -> Int { (0..<bits).reduce(0) { $0 | ((k >> $1) & 1) << (bits - 1 - $1) } }
        let order = (0..<items).sorted { reversed($0) < reversed($1) }
        var lengths = [Int64](repeating: 1, count: items)
        var below = 0.0
        for item in order {
            let u = below + p[item] / 2
            below += p[item]
            let value = sorted[Swift.min(sorted.count - 1, Int(u * Double(sorted.count)))]
            lengths[item] = Swift.max(1, Int64(value.rounded()))
        }
        return lengths
    }

    /// The families to list, most sessions first (ties by length), weighted by the sessions without
    /// a variant and by those with one; nil when they are too many or carry too few sessions each
    /// for one length per item to matter.
    static func listed(_ counts: Counts) -> (own: [Item], underVariants: [Item])? {
        let items = counts.families
        let sessions = items.values.reduce(0) { $0 + $1.sessions }
        guard !items.isEmpty, items.count <= maximumListed, Double(sessions) >= listedSessionsPerItem * Double(items.count) else { return nil }
        func ranked(_ weight: (UInt64, Item) -> Int) -> [Item] {
            items.map { Item(tokens: $0.value.tokens, sessions: weight($0.key, $0.value)) }.filter { $0.sessions > 0 }
                .sorted { $0.sessions != $1.sessions ? $0.sessions > $1.sessions : $0.tokens > $1.tokens }
        }
        return (ranked { $1.sessions - counts.carriers[$0, default: 0] }, ranked { key, _ in counts.carriers[key, default: 0] })
    }

    /// Each first turn's chain digests after the system blocks (one per depth), its shared
    /// depth d (nodes another first turn passes through too) and family end e <= d (the
    /// first node where some of the sessions through it part).
    static func paths(_ sample: RequestSample, firsts: [Int], systemBlocks: Int, blockTokens: Int64) -> ([[UInt64]], [(d: Int, e: Int)]) {
        func complete(_ index: Int) -> Int { Swift.min(sample.blocks(of: index).count, Int(sample.prompt[index] / Double(blockTokens))) }
        // Digest of each first turn's chain after the system blocks, per depth.
        let chains = firsts.map { index -> [UInt64] in
            var digest = StreamIdentity("family")
            let ids = sample.blocks(of: index)
            return (systemBlocks..<Swift.max(systemBlocks, complete(index))).map { k in
                digest.append(ids[ids.startIndex + k])
                return digest.hash
            }
        }
        var through: [UInt64: Int] = [:]
        for chain in chains { for node in chain { through[node, default: 0] += 1 } }
        // Shared depth d and family end e <= d of each first turn.
        let depths = chains.map { chain -> (d: Int, e: Int) in
            let d = chain.prefix { through[$0]! >= 2 }.count
            var e = Swift.min(1, d)
            while e < d && through[chain[e]]! == through[chain[e - 1]]! { e += 1 }
            return (d, e)
        }
        return (chains, depths)
    }

    /// The comment of the written pools.
    var note: String {
        func level(_ name: String, _ l: Level, _ of: String, _ length: String) -> String {
            let found = "\(name): \(l.sharing) \(of) share one of \(l.shared) items"
            if let seen = l.seen {
                let top = seen.prefix(3).map { "\($0.sessions) x \($0.tokens) tokens" }.joined(separator: ", ")
                return found + String(format: " (%.1f sessions each, at least %g): written one by one, each with its length (%@) and its sessions as its weight (largest %@), since one length per item drawn from a law would decide the prompts of the few popular items by that one draw", Double(l.sharing) / Double(Swift.max(1, l.shared)), Self.listedSessionsPerItem, length, top)
            }
            return found + "; Zipf over \(l.items) items, exponent \(YAMLNumber.short(l.exponent)), gives as many in expectation; tokens (\(length)) \(l.tokens.summary)"
                + (l.atQuantiles == nil ? "" : ", each item written at its share of these lengths (item_tokens: items in an order unrelated to popularity, each at the middle of its probability), not one draw per item, whose luck would decide the prompts of the popular items")
                + (l.constant.map { ", written at their mean \(YAMLNumber.short($0)) (one length per item, and a few items carry most sessions)" } ?? "")
        }
        var text = "Prefix families: \(family.sharing) of \(firstTurns) first turns share leading blocks beyond the system prefix with another session (mostly shared, so not a documents profile). Each first turn's path in the tree of first turns' chains: its family up to the first node where sessions through it part, its variant the rest it shares. "
            + level("Families", family, "first turns", family.seen == nil ? "the shared blocks and half a block" : "its shared blocks and half of the block where its sessions part, at most its shortest first prompt less one token")
        if let seen = family.seen, let under = variantFamilies {
            text += ". Pool `families` (profile `fitted`) weights each by its \(seen.reduce(0) { $0 + $1.sessions }) sessions without a variant, `variant_families` (profile `variants`, \(under.count) of the same items at the same lengths) by its \(under.reduce(0) { $0 + $1.sessions }) with one: a long family (a short system prompt and a whole document) seldom has a variant under it"
        }
        if family.seen != nil, family.sharing < firstTurns {
            text += ". The \(firstTurns - family.sharing) first turns that share nothing still draw a family (their own is shorter than a block, or drawn once): their first prompts are read after the listed families' mean"
        }
        if let variant {
            text += ". " + level("Variants (hashed under their family, so counted within families)", variant, "first turns", "the whole blocks they share past the family")
                + String(format: "; profile `variants` (%.3g of sessions: those sharing one) carries one, with the first prompts and turns of the sessions that share one", variantShare)
        }
        return text + ". First prompts are written after the family and the shared variant blocks."
    }
}

/// The occupancy of Zipf draws: with N items of popularity k^-s / H, the
/// expected items drawn at least twice and draws that land on them, summed
/// over groups of `draws` draws each. `fit` finds (N, s) giving the trace's
/// counts: for each s, N from the draws that share (decreasing in N), then s
/// from the number of items shared.
enum ZipfOccupancy {
    /// (items shared, draws sharing), expected.
    /// `draws`: (draws in a group, groups of that size).
    static func moments(items: Int, exponent s: Double, draws: [(Int, Double)]) -> (shared: Double, sharing: Double) {
        // Ranks one by one up to 1,000, then in buckets of 1% (the terms change slowly there).
        var buckets: [(rank: Double, count: Double)] = []
        var k = 1
        while k <= items {
            let end = k < 1000 ? k : Swift.min(items, Int(Double(k) * 1.01))
            buckets.append(((Double(k) + Double(end)) / 2, Double(end - k + 1)))
            k = end + 1
        }
        let h = buckets.reduce(0) { $0 + $1.count * pow($1.rank, -s) }
        var shared = 0.0, sharing = 0.0
        for (rank, count) in buckets {
            let p = pow(rank, -s) / h
            for (m, groups) in draws {
                let none = pow(1 - p, Double(m - 1))
                shared += groups * count * (1 - (1 - p) * none - Double(m) * p * none)
                sharing += groups * count * Double(m) * p * (1 - none)
            }
        }
        return (shared, sharing)
    }

    static func fit(draws groups: [Int], sharing: Int, shared: Int) -> (items: Int, exponent: Double) {
        var sizes: [Int: Double] = [:]
        for m in groups { sizes[m, default: 0] += 1 }
        let draws = sizes.map { ($0.key, $0.value) }
        // Where (nearly) every draw shares, allow Zipf its 1% of draws left alone.
        let total = draws.reduce(0.0) { $0 + Double($1.0) * $1.1 }
        let target = Swift.min(Double(sharing) - 0.5, 0.99 * total)
        func items(for s: Double) -> Int {
            var low = log(2.0), high = log(Double(PrefixPool.maximumItems))
            if moments(items: PrefixPool.maximumItems, exponent: s, draws: draws).sharing >= target { return PrefixPool.maximumItems }
            for _ in 0..<20 {
                let mid = (low + high) / 2
                if moments(items: Int(exp(mid)), exponent: s, draws: draws).sharing > target { low = mid } else { high = mid }
            }
            return Swift.max(1, Int(exp((low + high) / 2).rounded()))
        }
        var low = 0.0, high = 3.0
        var best = (items(for: 0), 0.0)
        for _ in 0..<16 {
            let s = (low + high) / 2
            let n = items(for: s)
            best = (n, s)
            if moments(items: n, exponent: s, draws: draws).shared > Double(shared) { low = s } else { high = s }
        }
        return best
    }
}
