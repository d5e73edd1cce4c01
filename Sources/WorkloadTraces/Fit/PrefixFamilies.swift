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
    }

    var family: Level
    var variant: Level?
    /// Per session index: the tokens the family prefixes take before its first input.
    var prefixTokens: [Double]
    /// The share of sessions that carry a variant (their own profile).
    var variantShare = 0.0
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

        var families: [UInt64: Int] = [:]
        var variants: [UInt64: Int] = [:]
        var carriers: [UInt64: Int] = [:]
        for (chain, depth) in zip(chains, depths) where depth.d > 0 {
            families[chain[depth.e - 1], default: 0] += 1
            if depth.d > depth.e {
                variants[chain[depth.d - 1], default: 0] += 1
                carriers[chain[depth.e - 1], default: 0] += 1
            }
        }
        let familyTokens = depths.filter { $0.d > 0 }.map { (Double($0.e) + 0.5) * block }
        let (items, exponent) = ZipfOccupancy.fit(draws: [firsts.count], sharing: sharing, shared: families.count)
        let familyMean = familyTokens.reduce(0, +) / Double(Swift.max(1, familyTokens.count))
        // A family's length is drawn once per item and the most popular
        // items carry most sessions: every family is written at the mean,
        // and first inputs take the spread.
        family = Level(items: items, exponent: exponent, tokens: FamilyFit.fit(familyTokens, integer: true, closedFormQuantile: true),
                       constant: familyMean.rounded(), sharing: sharing, shared: families.count)
        // Variants are drawn within each family: the families' session counts.
        let variantSharing = depths.filter { $0.d > $0.e }.count
        let variantTokens = depths.filter { $0.d > $0.e }.map { Double($0.d - $0.e) * block }
        if variantSharing > 0 {
            // Only sessions that share one are read as carriers (a session alone
            // with its variant cannot be told from one without): per family, its sharing sessions draw.
            let (items, exponent) = ZipfOccupancy.fit(draws: Array(carriers.values), sharing: variantSharing, shared: variants.count)
            variantShare = Double(variantSharing) / Double(firsts.count)
            variant = Level(items: items, exponent: exponent, tokens: FamilyFit.fit(variantTokens, integer: true, closedFormQuantile: true),
                            constant: nil, sharing: variantSharing, shared: variants.count)
        }
        // What precedes a first input: the family (its mean), then the shared variant blocks.
        prefixTokens = [Double](repeating: 0, count: (sample.session.max() ?? -1) + 1)
        sharesVariant = [Bool](repeating: false, count: prefixTokens.count)
        for (index, depth) in zip(firsts, depths) {
            sharesVariant[sample.session[index]] = depth.d > depth.e
            prefixTokens[sample.session[index]] = familyMean.rounded() + (depth.d > depth.e ? Double(depth.d - depth.e) * block : 0)
        }
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
        func level(_ name: String, _ l: Level, _ of: String) -> String {
            "\(name): \(l.sharing) \(of) share one of \(l.shared) items; Zipf over \(l.items) items, exponent \(YAMLNumber.short(l.exponent)), gives as many in expectation; tokens (the shared blocks and half a block) \(l.tokens.summary)"
                + (l.constant.map { ", written at their mean \(YAMLNumber.short($0)) (one length per item, and a few items carry most sessions)" } ?? "")
        }
        var text = "Prefix families: \(family.sharing) of \(firstTurns) first turns share leading blocks beyond the system prefix with another session (mostly shared, so not a documents profile). Each first turn's path in the tree of first turns' chains: its family up to the first node where sessions through it part, its variant the rest it shares. " + level("Families", family, "first turns")
        if let variant {
            text += ". " + level("Variants (hashed under their family, so counted within families)", variant, "first turns")
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
