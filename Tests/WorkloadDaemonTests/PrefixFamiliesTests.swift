import Foundation
import Testing
import WorkloadModel
@testable import WorkloadTraces

/// `fit`'s prefix families: where most first turns share leading blocks,
/// each first turn's path in the tree of first turns' chains gives its
/// family (to where sessions part) and variant (the rest it shares), and each
/// level is a Zipf pool fitted to how often its chains recur.
@Suite struct PrefixFamiliesTests {
    /// First turns as block IDs (512-token blocks, prompts of whole blocks plus 100 tokens), one session each.
    static func sample(_ firstTurns: [[UInt64]]) -> RequestSample {
        var sample = RequestSample()
        sample.hasBlocks = true
        for (index, ids) in firstTurns.enumerated() {
            sample.blockIDs += ids
            sample.closeBlocks()
            sample.append(time: Double(index), prompt: Int64(ids.count) * 512 + 100, output: 10, session: index, turn: 1)
        }
        sample.span = Double(firstTurns.count)
        return sample
    }

    /// Two families (templates of 2 and 1 blocks); under the first, a
    /// variant of 3 blocks two sessions share; one session shares nothing.
    @Test func pathsSplitIntoFamilyAndVariant() throws {
        let sample = Self.sample([
            [1, 2, 10, 11, 12, 100],    // family A, variant V
            [1, 2, 10, 11, 12, 101],    // family A, variant V
            [1, 2, 20, 102],            // family A only
            [5, 103],                   // family B
            [5, 104, 105],              // family B
            [9, 106],                   // alone
        ])
        let (_, depths) = PrefixFamilies.paths(sample, firsts: Array(0..<6), systemBlocks: 0, blockTokens: 512)
        #expect(depths.map(\.d) == [5, 5, 2, 1, 1, 0])
        #expect(depths.map(\.e) == [2, 2, 2, 1, 1, 0])
        let families = try #require(PrefixFamilies(sample, systemBlocks: 0, blockTokens: 512))
        #expect(families.family.sharing == 5 && families.family.shared == 2)
        #expect(families.variant?.sharing == 2 && families.variant?.shared == 1)
        #expect(families.sharesVariant == [true, true, false, false, false, false])
        #expect(abs(families.variantShare - 2.0 / 6) < 1e-12)
        // Families at their sessions' mean, (2.5 x 3 + 1.5 x 2) x 512 / 5, then the shared variant blocks.
        let mean = ((2.5 * 3 + 1.5 * 2) * 512 / 5).rounded()
        #expect(families.prefixTokens == [mean + 3 * 512, mean + 3 * 512, mean, mean, mean, mean])
    }

    /// Few families carrying many sessions each are listed with their lengths: family A (2 blocks,
    /// 6 sessions, 3 of them under a shared 2-block variant) and B (1 block, 4 sessions). A family
    /// is its blocks and half the block where its sessions part; `families` is weighted by the
    /// sessions without a variant, `variant_families` by those with one; a variant ends in the
    /// middle of the block after its shared ones.
    @Test func fewFamiliesWithManySessionsAreListed() throws {
        let a = (0..<3).map { [1, 2, 10, 11, 100 + UInt64($0)] } + (0..<3).map { [1, 2, 200 + UInt64($0)] }
        let b = (0..<4).map { [5, 300 + UInt64($0)] }
        let families = try #require(PrefixFamilies(Self.sample(a + b), systemBlocks: 0, blockTokens: 512))
        #expect(families.family.seen == [.init(tokens: 768, sessions: 4), .init(tokens: 1280, sessions: 3)])
        #expect(families.variantFamilies == [.init(tokens: 1280, sessions: 3)])
        // 4.5 blocks end the shared content of a variant session: 1280 for the family, 1024 for the variant.
        #expect(families.prefixTokens == [2304, 2304, 2304, 1280, 1280, 1280, 768, 768, 768, 768])
        #expect(families.variant?.atQuantiles?.allSatisfy { $0 == 1024 } == true)
        #expect(families.note.contains("written one by one"))
        // A family bounded by its shortest first prompt less one token.
        var short = Self.sample(a + b)
        short.prompt[3] = 1100
        #expect(try #require(PrefixFamilies(short, systemBlocks: 0, blockTokens: 512)).family.seen?.last == .init(tokens: 1099, sessions: 3))
    }

    /// Item lengths at the quantiles: weighted by Zipf popularity, the share of items below each
    /// item plus half its own is the law's CDF at its length (values 1...10,000, uniform), and
    /// the lengths do not follow the popularity rank.
    @Test func quantileLengthsFollowTheirShares() throws {
        let values = (1...10_000).map(Double.init)
        let lengths = try #require(PrefixFamilies.quantileLengths(values, items: 20, exponent: 1))
        let law = ZipfLaw(exponent: 1, count: 20)
        let p = (1...20).map { law.probability(of: Double($0)) }
        for (i, length) in lengths.enumerated() {
            let below = zip(lengths, p).filter { $0.0 < length }.reduce(0) { $0 + $1.1 }
            #expect(abs(below + p[i] / 2 - Double(length) / 10_000) <= 2e-4, "item \(i): \(length)")
        }
        #expect(lengths != lengths.sorted() && lengths != lengths.sorted(by: >), "\(lengths)")
        #expect(PrefixFamilies.quantileLengths(values, items: 4, exponent: 0) == [1251, 6251, 3751, 8751])
    }

    /// A trace where only the system prompt is common (Mooncake-like) keeps its documents model.
    @Test func fewSharedFirstTurnsGiveNoFamilies() {
        let sample = Self.sample([[0, 1, 2], [0, 3], [0, 4, 5], [0, 1, 6], [0, 7]])
        #expect(PrefixFamilies(sample, systemBlocks: 1, blockTokens: 512) == nil)
    }

    /// Draws from a known Zipf law: the fitted (items, exponent) reproduce the
    /// sample's items shared and draws sharing (the solver), and lie near the
    /// law drawn from (fixed seed; the exponent's spread over seeds is about 0.03).
    @Test func zipfOccupancyRecoversTheLawDrawnFrom() {
        let (items, exponent, draws) = (2000, 0.9, 5000)
        var cumulative: [Double] = []
        var total = 0.0
        for k in 1...items {
            total += pow(Double(k), -exponent)
            cumulative.append(total)
        }
        var rng = Xoshiro256(seed: 7)
        var counts: [Int: Int] = [:]
        for _ in 0..<draws {
            let u = rng.nextUnit() * total
            var low = 0, high = items - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] < u { low = mid + 1 } else { high = mid }
            }
            counts[low, default: 0] += 1
        }
        let shared = counts.values.filter { $0 >= 2 }.count
        let sharing = counts.values.filter { $0 >= 2 }.reduce(0, +)
        let fitted = ZipfOccupancy.fit(draws: [draws], sharing: sharing, shared: shared)
        let moments = ZipfOccupancy.moments(items: fitted.items, exponent: fitted.exponent, draws: [(draws, 1)])
        #expect(abs(moments.sharing / Double(sharing) - 1) < 0.01, "\(moments) vs \(sharing)")
        #expect(abs(moments.shared / Double(shared) - 1) < 0.02, "\(moments) vs \(shared)")
        #expect(abs(fitted.exponent - exponent) < 0.15, "\(fitted)")
        #expect(fitted.items > items / 2 && fitted.items < items * 2, "\(fitted)")
    }
}
