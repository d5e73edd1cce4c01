import Foundation
import TestSupport
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadTraces

/// The distribution types LogUniform, Histogram,
/// Quantiles and Zipf, written as a user writes them for `llm-workload sample
/// --dist`, drawn 10^6 times by the code the command runs: continuous forms
/// pass Kolmogorov–Smirnov against their exact CDF at the 1% level, integer
/// forms (Zipf, and `is_int`) pass Pearson's chi-square against their exact
/// probabilities; truncated forms included. Sample moments agree with the
/// exact mean and standard deviation within 4 standard errors.
@Suite(.statistics, .background, .tags(.statistics), .timeLimit(.minutes(10))) struct TabulatedDistributionSampleTests {
    static let continuous = [
        "{type: LogUniform, low: 1, high: 10000}",
        "{type: LogUniform, low: 0.5, high: 3, min: 1, max: 2.5}",
        "{type: Histogram, edges: [0, 10, 50, 51, 400], weights: [3, 1, 0.5, 2]}",
        "{type: Histogram, edges: [0, 10, 50, 51, 400], weights: [3, 0, 0.5, 2], min: 5, max: 300}",
        "{type: Quantiles, points: [[0, 1], [0.25, 26], [0.5, 27], [0.9, 4231], [1, 60000]]}",
        "{type: Quantiles, points: [[0, 0], [0.5, 10], [1, 11]], max: 10.5}",
    ]

    static let integer = [
        "{type: Zipf, s: 1.1, n: 1000}",
        "{type: Zipf, s: 0.6, n: 50000}",
        "{type: Zipf, s: 2.5, n: 1000000000}",
        "{type: Zipf, s: 1, n: 5000, min: 3, max: 4000}",
        "{type: LogUniform, low: 1, high: 5000, is_int: true}",
        "{type: Histogram, edges: [0, 10.5, 50, 2000], weights: [3, 1, 2], is_int: true}",
        "{type: Histogram, edges: [0, 10.5, 50, 2000], weights: [3, 1, 2], is_int: true, min: 7, max: 1500}",
        "{type: Quantiles, points: [[0, 1], [0.3, 26], [0.6, 26], [0.95, 300], [1, 900]], is_int: true}",
    ]

    static let draws = 1_000_000

    @Test(arguments: continuous)
    func continuousFormsPassKolmogorovSmirnov(_ spec: String) throws {
        let distribution = try DistributionSampler.parse(spec)
        let values = DistributionSampler.draws(distribution, count: Self.draws, seed: 1)
        let d = GoodnessOfFit.kolmogorovSmirnovStatistic(values, cdf: distribution.cdf)
        let p = GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: values.count)
        print("KS \(spec): D = \(d), p = \(p)")
        #expect(p > 0.01, "\(spec): D = \(d), p = \(p)")
        Self.expectMoments(values, of: distribution, spec)
    }

    @Test(arguments: integer)
    func integerFormsPassChiSquare(_ spec: String) throws {
        let distribution = try DistributionSampler.parse(spec)
        let values = DistributionSampler.draws(distribution, count: Self.draws, seed: 1)
        #expect(values.allSatisfy { $0 == $0.rounded() && $0 >= distribution.infimum && $0 <= distribution.supremum })
        let (statistic, bins) = Self.chiSquare(values, distribution)
        let p = GoodnessOfFit.chiSquareSurvival(statistic, degreesOfFreedom: Double(bins - 1))
        print("chi-square \(spec): X² = \(statistic), \(bins) bins, p = \(p)")
        #expect(bins > 10)
        #expect(p > 0.01, "\(spec): X² = \(statistic), \(bins) bins, p = \(p)")
        // A fourth moment large enough to make the standard errors meaningless
        // (Zipf s = 2.5 on 10^9 integers) skips the moment check.
        if distribution.supremum <= 1e5 { Self.expectMoments(values, of: distribution, spec) }
    }

    @Test func theChiSquareHasPower() throws {
        // Zipf s = 1.1 drawn, tested against s = 1.11: rejected.
        let drawn = try DistributionSampler.parse("{type: Zipf, s: 1.1, n: 1000}")
        let other = try DistributionSampler.parse("{type: Zipf, s: 1.11, n: 1000}")
        let values = DistributionSampler.draws(drawn, count: Self.draws, seed: 1)
        let (statistic, bins) = Self.chiSquare(values, other)
        #expect(GoodnessOfFit.chiSquareSurvival(statistic, degreesOfFreedom: Double(bins - 1)) < 0.01)
    }

    /// Closed forms checked by hand: Histogram mean = Σ w_i (e_i + e_{i+1})/2,
    /// Zipf(1, 3) P = (6, 3, 2)/11, LogUniform mean (b − a)/ln(b/a).
    @Test func exactFiguresByHand() throws {
        let histogram = try DistributionSampler.parse("{type: Histogram, edges: [0, 10, 30], weights: [1, 3]}")
        #expect(abs(histogram.mean - (0.25 * 5 + 0.75 * 20)) < 1e-12)
        #expect(abs(histogram.cdf(10) - 0.25) < 1e-15 && abs(histogram.cdf(20) - 0.625) < 1e-15)
        let zipf = try DistributionSampler.parse("{type: Zipf, s: 1, n: 3}")
        #expect(abs(zipf.cdf(1) - 6.0 / 11) < 1e-15 && abs(zipf.cdf(2.5) - 9.0 / 11) < 1e-15 && zipf.cdf(3) == 1)
        #expect(abs(zipf.mean - (6.0 + 6 + 6) / 11) < 1e-12)
        let logUniform = try DistributionSampler.parse("{type: LogUniform, low: 2, high: 8}")
        #expect(abs(logUniform.mean - 6 / log(4.0)) < 1e-12)
        #expect(abs(logUniform.cdf(4) - 0.5) < 1e-15)
        let quantiles = try DistributionSampler.parse("{type: Quantiles, points: [[0, 0], [0.5, 10], [0.5, 20], [1, 30]]}")
        #expect(abs(quantiles.cdf(5) - 0.25) < 1e-15 && quantiles.cdf(15) == 0.5 && abs(quantiles.cdf(25) - 0.75) < 1e-15)
        // The Euler–Maclaurin tail of H(n, s) against a direct sum.
        let big = try DistributionSampler.parse("{type: Zipf, s: 1.2, n: 100000}")
        var direct = 0.0
        for k in stride(from: 100_000.0, through: 1, by: -1) { direct += pow(k, -1.2) }
        var head = 0.0
        for k in stride(from: 10_000.0, through: 1, by: -1) { head += pow(k, -1.2) }
        #expect(abs(big.cdf(10_000) - head / direct) < 1e-13)
    }

    @Test(arguments: [
        ("{type: LogUniform, low: 0, high: 3}", "dist.low: must be > 0 (got 0)"),
        ("{type: LogUniform, low: 5, high: 3}", "dist.low: must be < high (got low 5, high 3)"),
        ("{type: Histogram, edges: [0, 10, 5], weights: [1, 1]}", "dist.edges[2]: edges must be strictly increasing (got 5 after 10)"),
        ("{type: Histogram, edges: [0, 10, 20], weights: [1]}", "dist.weights: needs one weight per bin: 2 for 3 edges (got 1)"),
        ("{type: Histogram, edges: [0, 10], weights: [-1]}", "dist.weights[0]: must be >= 0 (got -1)"),
        ("{type: Quantiles, points: [[0, 5], [0.7, 3], [1, 9]]}", "dist.points[1][1]: x must be non-decreasing (got 3 after 5)"),
        ("{type: Quantiles, points: [[0.1, 5], [1, 9]]}", "dist.points: p must start at 0 and end at 1 (got 0.1 ... 1)"),
        ("{type: Quantiles, points: [[0, 5], [1.5, 9]]}", "dist.points[1][0]: must be a probability in [0, 1] (got 1.5)"),
        ("{type: Zipf, s: -1, n: 10}", "dist.s: must be > 0 (got -1)"),
        ("{type: Zipf, s: 1, n: 2.5}", "dist.n: expected an integer (got 2.5)"),
    ])
    func badParametersNameKeyAndValue(_ spec: String, _ message: String) {
        do {
            _ = try DistributionSampler.parse(spec)
            Issue.record("\(spec) was accepted")
        } catch {
            #expect(error.problems.map(\.description).contains(message), "\(error.problems.map(\.description))")
        }
    }

    static func expectMoments(_ values: [Double], of distribution: Distribution, _ spec: String) {
        let sample = GoodnessOfFit.sampleMoments(values)
        #expect(abs(sample.mean - distribution.mean) < 4 * sample.meanError, "\(spec): mean \(sample.mean) vs \(distribution.mean)")
        #expect(abs(sample.std - distribution.standardDeviation) < 4 * sample.stdError, "\(spec): std \(sample.std) vs \(distribution.standardDeviation)")
    }

    /// Pearson's X² over runs of consecutive integers, each run closed once its
    /// expected count reaches 20 (the last run merged into its neighbour if short).
    static func chiSquare(_ values: [Double], _ distribution: Distribution) -> (statistic: Double, bins: Int) {
        let n = Double(values.count)
        // Counts by value: an array below 10^6, a dictionary above (no debug-build sort).
        var small = [Int](repeating: 0, count: 1_000_001)
        var large: [Double: Int] = [:]
        for x in values {
            if x <= 1e6 { small[Int(x)] += 1 } else { large[x, default: 0] += 1 }
        }
        let largeSorted = large.sorted { $0.key < $1.key }
        var largeIndex = 0
        func count(_ low: Double, _ high: Double) -> Int {
            var total = 0
            if low <= 1e6 {
                var k = Int(low)
                while k <= Int(Swift.min(high, 1e6)) { total += small[k]; k += 1 }
            }
            while largeIndex < largeSorted.count && largeSorted[largeIndex].key <= high {
                total += largeSorted[largeIndex].value
                largeIndex += 1
            }
            return total
        }
        var observed: [Int] = []
        var expected: [Double] = []
        var low = distribution.infimum
        var lowCDF = 0.0
        while low <= distribution.supremum {
            // Close the run [low, high] at the first high whose mass is enough.
            var high = low
            var highCDF = distribution.cdf(high)
            while (highCDF - lowCDF) * n < 20 && high < distribution.supremum {
                // Skip ahead geometrically through the sparse tail.
                let step = Swift.max(1, ((high - low) / 4).rounded(.down))
                high = Swift.min(distribution.supremum, high + step)
                highCDF = distribution.cdf(high)
            }
            observed.append(count(low, high))
            expected.append((highCDF - lowCDF) * n)
            lowCDF = highCDF
            low = high + 1
        }
        if expected.count > 1, let last = expected.last, last < 20 {
            expected[expected.count - 2] += last
            observed[observed.count - 2] += observed[observed.count - 1]
            expected.removeLast()
            observed.removeLast()
        }
        return (GoodnessOfFit.chiSquareStatistic(observed: observed, expected: expected), expected.count)
    }
}
