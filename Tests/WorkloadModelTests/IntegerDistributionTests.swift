import TestSupport
import Foundation
import Testing
import WorkloadModel

/// `is_int` variables: rounding, the raise to 1, integer Uniform, and the
/// step-function CDF and moments of rounded variables.
@Suite("is_int distributions", .statistics, .background, .tags(.statistics))
struct IntegerDistributionTests {
    /// Integer Uniform(100, 500): all 401 values, endpoints included, equally
    /// likely (rounding a continuous draw would give the endpoints half weight).
    @Test("Uniform is_int 100...500 passes chi-square (p > 0.01), endpoints as frequent as the interior")
    func uniformIntegersChiSquare() {
        let distribution = Distribution(.uniform(low: 100, high: 500), isInt: true)
        let n = 1_000_000
        let samples = GoodnessOfFit.draws(distribution, count: n, seed: 401)
        var counts = [Int](repeating: 0, count: 401)
        for x in samples {
            #expect(x == x.rounded() && x >= 100 && x <= 500)
            counts[Int(x) - 100] += 1
        }
        let expected = Double(n) / 401
        let statistic = GoodnessOfFit.chiSquareStatistic(observed: counts, expected: .init(repeating: expected, count: 401))
        let p = GoodnessOfFit.chiSquareSurvival(statistic, degreesOfFreedom: 400)
        print("chi-square Uniform is_int 100...500: X² = \(statistic), p = \(p)")
        #expect(p > 0.01, "X² = \(statistic), p = \(p)")
        // Each endpoint is a binomial count: within 4 standard errors of n/401.
        let standardError = (expected * (1 - 1.0 / 401)).squareRoot()
        #expect(abs(Double(counts[0]) - expected) < 4 * standardError, "count of 100: \(counts[0])")
        #expect(abs(Double(counts[400]) - expected) < 4 * standardError, "count of 500: \(counts[400])")
        // And the exact CDF agrees: P(X <= 100) = 1/401, P(X <= 499.9) = 400/401.
        #expect(abs(distribution.cdf(100) - 1.0 / 401) < 1e-15)
        #expect(abs(distribution.cdf(499.9) - 400.0 / 401) < 1e-15)
        #expect(distribution.cdf(99.99) == 0 && distribution.cdf(500) == 1)
        #expect(abs(distribution.mean - 300) < 1e-12)
        #expect(abs(distribution.standardDeviation - ((401.0 * 401 - 1) / 12).squareRoot()) < 1e-9)
    }

    @Test("Uniform is_int with fractional bounds uses ceil(low)...floor(high)")
    func uniformIntegersFractionalBounds() {
        let distribution = Distribution(.uniform(low: 2.5, high: 6.7), isInt: true)
        let samples = GoodnessOfFit.draws(distribution, count: 10_000, seed: 3)
        #expect(Set(samples) == [3, 4, 5, 6])
        #expect(abs(distribution.mean - 4.5) < 1e-12)
    }

    @Test("is_int values are integers >= 1", arguments: [
        NamedDistribution("Normal(0, 3) is_int", Distribution(.normal(mean: 0, std: 3), isInt: true)),
        NamedDistribution("Gamma(0.5, 2) is_int", Distribution(.gamma(shape: 0.5, scale: 2), isInt: true)),
        NamedDistribution("Exponential(5) is_int", Distribution(.exponential(rate: 5), isInt: true)),
        NamedDistribution("LogNormal(128, 64) is_int", Distribution(.logNormal(mean: 128, std: 64), isInt: true)),
        NamedDistribution("Uniform(-3, 4) is_int", Distribution(.uniform(low: -3, high: 4), isInt: true)),
    ])
    func integersAtLeastOne(_ named: NamedDistribution) {
        let samples = GoodnessOfFit.draws(named.distribution, count: 100_000, seed: named.seed)
        #expect(samples.allSatisfy { $0 == $0.rounded() && $0 >= 1 })
        #expect(named.distribution.infimum == 1)
    }

    /// Everything below 1.5 becomes 1: for Normal(0, 1), P(X = 1) = Φ(1.5).
    @Test("values below 1 are raised to 1, and the CDF is a step function")
    func raiseToOneAndSteps() {
        let distribution = Distribution(.normal(mean: 0, std: 1), isInt: true)
        let phiOfOnePointFive = 0.9331927987311419
        #expect(abs(distribution.cdf(1) - phiOfOnePointFive) < 1e-15)
        #expect(distribution.cdf(0.999) == 0)
        #expect(distribution.cdf(1.7) == distribution.cdf(1))
        #expect(distribution.cdf(2.49) == distribution.cdf(2))
        // P(X <= 2) = P(Y < 2.5).
        #expect(abs(distribution.cdf(2) - 0.9937903346742238) < 1e-15)
        // Uniform(-3, 4) is_int: -3...1 all become 1, so P(X = 1) = 5/8.
        let uniform = Distribution(.uniform(low: -3, high: 4), isInt: true)
        #expect(abs(uniform.cdf(1) - 5.0 / 8) < 1e-15)
        #expect(abs(uniform.mean - (5.0 * 1 + 2 + 3 + 4) / 8) < 1e-12)
    }

    @Test("LogNormal(mean 128, std 64) is_int: sample mean within 3 standard errors of `mean`")
    func logNormalIntegerMean() {
        let distribution = Distribution(.logNormal(mean: 128, std: 64), isInt: true)
        let samples = GoodnessOfFit.draws(distribution, count: 1_000_000, seed: 128)
        let sample = GoodnessOfFit.sampleMoments(samples)
        let standardError = distribution.standardDeviation / Double(samples.count).squareRoot()
        print("LogNormal(128, 64) is_int: mean \(distribution.mean) sample \(sample.mean) (SE \(standardError))")
        #expect(abs(sample.mean - distribution.mean) < 3 * standardError)
        #expect(abs(sample.std - distribution.standardDeviation) < 4 * sample.stdError)
        // Rounding a smooth density keeps the mean and adds 1/12 to the variance (Sheppard).
        #expect(abs(distribution.mean - 128) < 1e-6)
        #expect(abs(distribution.standardDeviation - (64 * 64 + 1.0 / 12).squareRoot()) < 1e-6)
    }

    /// Discrete goodness of fit: the step CDF's jumps are the probabilities.
    @Test("rounded and truncated draws match the pmf from the CDF (chi-square p > 0.01)", arguments: [
        NamedDistribution("Gamma(2, 3) is_int max 20", Distribution(.gamma(shape: 2, scale: 3), isInt: true, max: 20)),
        NamedDistribution(
            "LogNormal(mean 20, std 10) is_int in [5, 60]",
            Distribution(.logNormal(mean: 20, std: 10), isInt: true, min: 5, max: 60)),
        NamedDistribution(
            "Mixture(Normal(3, 1), Pareto(2.5, 4)) is_int max 40",
            Distribution(
                .mixture(
                    components: [Distribution(.normal(mean: 3, std: 1)), Distribution(.pareto(shape: 2.5, scale: 4))],
                    weights: [1, 1]),
                isInt: true, max: 40)),
    ])
    func discreteChiSquare(_ named: NamedDistribution) {
        let distribution = named.distribution
        let n = 1_000_000
        let samples = GoodnessOfFit.draws(distribution, count: n, seed: named.seed)
        let top = Int(distribution.supremum)
        var counts = [Int](repeating: 0, count: top + 1)
        for x in samples { counts[Int(x)] += 1 }
        // Group consecutive values until each group expects at least 20 draws.
        var observed: [Int] = []
        var expected: [Double] = []
        var groupCount = 0
        var groupExpected = 0.0
        for k in 1...top {
            groupCount += counts[k]
            groupExpected += Double(n) * (distribution.cdf(Double(k)) - distribution.cdf(Double(k - 1)))
            if groupExpected >= 20 || k == top {
                observed.append(groupCount)
                expected.append(groupExpected)
                groupCount = 0
                groupExpected = 0
            }
        }
        let statistic = GoodnessOfFit.chiSquareStatistic(observed: observed, expected: expected)
        let p = GoodnessOfFit.chiSquareSurvival(statistic, degreesOfFreedom: Double(observed.count - 1))
        print("chi-square \(named.name): X² = \(statistic) on \(observed.count - 1) dof, p = \(p)")
        #expect(p > 0.01, "X² = \(statistic), p = \(p)")
        #expect(abs(expected.reduce(0, +) - Double(n)) < 1e-6 * Double(n))
    }

    /// Z = max(1, round(Y)) for Y ~ Exponential(λ): P(Z > k) = exp(−λ(k + 1/2)),
    /// so E[Z] = 1 + e^(−3λ/2)/(1 − q) and E[Z²] = 1 + e^(−λ/2)(2q/(1−q)² + q/(1−q)),
    /// q = e^(−λ). λ = 1e-5 has ~10^5 cells in its bulk: it exercises the
    /// corrected tail integral; λ = 0.3 the exact sum.
    @Test("Exponential is_int moments match the closed form", arguments: [0.3, 1e-5])
    func exponentialIntegerMoments(rate: Double) {
        let distribution = Distribution(.exponential(rate: rate), isInt: true)
        let q = exp(-rate)
        let mean = 1 + exp(-1.5 * rate) / (1 - q)
        let second = 1 + exp(-rate / 2) * (2 * q / ((1 - q) * (1 - q)) + q / (1 - q))
        let std = (second - mean * mean).squareRoot()
        #expect(abs(distribution.mean / mean - 1) < 1e-9, "\(distribution.mean) vs \(mean)")
        #expect(abs(distribution.standardDeviation / std - 1) < 1e-7, "\(distribution.standardDeviation) vs \(std)")
    }

    @Test("a narrow bulk far from 1 is summed, not integrated: Normal(1e6, 1) is_int")
    func narrowFarBulk() {
        let distribution = Distribution(.normal(mean: 1e6, std: 1), isInt: true)
        #expect(abs(distribution.mean - 1e6) < 1e-6)
        // Rounding N(μ, 1) adds 1/12 to the variance, up to terms of order exp(−2π²).
        #expect(abs(distribution.standardDeviation - (1 + 1.0 / 12).squareRoot()) < 1e-6)
        // A mixture of a point and a narrow bulk: rounding is exact per component.
        let mixture = Distribution(
            .mixture(components: [Distribution(.constant(1)), Distribution(.normal(mean: 1000, std: 0.3))], weights: [1, 1]),
            isInt: true)
        let tail = 0.5 * erfc((0.5 / 0.3) / 2.0.squareRoot())
        let componentVariance = 2 * tail
        let variance = 0.5 * componentVariance + 0.25 * 999 * 999
        #expect(abs(mixture.mean - 500.5) < 1e-9)
        #expect(abs(mixture.standardDeviation - variance.squareRoot()) < 1e-9)
    }

    @Test("heavy tails: infinite moments are reported, finite ones computed without hanging")
    func heavyTails() {
        #expect(Distribution(.pareto(shape: 0.9, scale: 1), isInt: true).mean == .infinity)
        let finiteMean = Distribution(.pareto(shape: 1.5, scale: 1), isInt: true)
        #expect(finiteMean.mean.isFinite)
        #expect(finiteMean.standardDeviation == .infinity)
        // Reference: exact cell sums to 10^7 plus the tail integral beyond it (independent script).
        let pareto = Distribution(.pareto(shape: 2.5, scale: 1), isInt: true)
        #expect(abs(pareto.mean / 1.5902563850764309 - 1) < 1e-9)
        #expect(abs(pareto.standardDeviation / 1.5386053019994859 - 1) < 1e-7)
        // With a max everything is finite.
        let bounded = Distribution(.pareto(shape: 0.9, scale: 1), isInt: true, max: 1_000_000)
        #expect(bounded.mean.isFinite && bounded.standardDeviation.isFinite)
    }
}
