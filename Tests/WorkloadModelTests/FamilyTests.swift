import TestSupport
import Testing
import WorkloadModel

/// Parameter forms, supports, Constant and the mixture's choice of component.
@Suite("Families")
struct FamilyTests {
    /// sigma² = ln(1 + std²/mean²), mu = ln(mean) − sigma²/2.
    @Test("LogNormal(mean:std:) converts to log-space parameters")
    func logNormalConversion() {
        guard case .logNormal(let mu, let sigma) = DistributionFamily.logNormal(mean: 128, std: 64) else {
            Issue.record("not a lognormal")
            return
        }
        let sigma2 = 0.22314355131420976  // ln 1.25
        #expect(abs(sigma - sigma2.squareRoot()) < 1e-15)
        #expect(abs(mu - (4.852030263919617 - sigma2 / 2)) < 1e-14)  // ln 128 − sigma²/2
    }

    @Test("supportLowerBound and infimum")
    func supports() {
        #expect(Distribution(.exponential(rate: 1)).supportLowerBound == 0)
        #expect(Distribution(.gamma(shape: 2, scale: 1)).supportLowerBound == 0)
        #expect(Distribution(.weibull(shape: 2, scale: 1)).supportLowerBound == 0)
        #expect(Distribution(.logNormal(mu: 0, sigma: 1)).supportLowerBound == 0)
        #expect(Distribution(.pareto(shape: 2, scale: 3)).supportLowerBound == 3)
        #expect(Distribution(.uniform(low: -2, high: 3)).supportLowerBound == -2)
        #expect(Distribution(.normal(mean: 0, std: 1)).supportLowerBound == -.infinity)
        #expect(Distribution(.constant(7)).supportLowerBound == 7)
        let mixture = Distribution(.mixture(
            components: [Distribution(.pareto(shape: 2, scale: 3)), Distribution(.uniform(low: 1, high: 2))],
            weights: [1, 1]))
        #expect(mixture.supportLowerBound == 1)
        // The support is of the untruncated family; the final variable's is `infimum`.
        let nonNegativeNormal = Distribution(.normal(mean: 1, std: 1), min: 0)
        #expect(nonNegativeNormal.supportLowerBound == -.infinity)
        #expect(nonNegativeNormal.infimum == 0)
        #expect(Distribution(.normal(mean: 1, std: 1), isInt: true).infimum == 1)
        let mixtureOfBounded = Distribution(.mixture(
            components: [Distribution(.normal(mean: 1, std: 1), min: 0), Distribution(.exponential(rate: 1))],
            weights: [1, 1]))
        #expect(mixtureOfBounded.supportLowerBound == 0)
    }

    @Test("Constant draws its value, with a step CDF and no spread")
    func constant() {
        let distribution = Distribution(.constant(5))
        var rng = Xoshiro256(seed: 1)
        #expect((0..<100).allSatisfy { _ in distribution.sample(using: &rng) == 5 })
        #expect(distribution.cdf(4.999) == 0 && distribution.cdf(5) == 1)
        #expect(distribution.mean == 5 && distribution.standardDeviation == 0)
        let raised = Distribution(.constant(0.3), isInt: true)
        #expect(raised.sample(using: &rng) == 1 && raised.mean == 1)
    }

    /// Components are chosen in proportion to their weights: 10 constants with
    /// weights 1...10 (the binary-search path), and a zero weight never drawn.
    @Test("mixture chooses components in proportion to weight (chi-square p > 0.01)")
    func mixtureWeights() {
        let components = (1...10).map { Distribution(.constant(Double($0))) }
        let weights = (1...10).map(Double.init)
        let distribution = Distribution(.mixture(components: components, weights: weights))
        let n = 550_000
        let samples = GoodnessOfFit.draws(distribution, count: n, seed: 10)
        var counts = [Int](repeating: 0, count: 10)
        for x in samples { counts[Int(x) - 1] += 1 }
        let expected = weights.map { Double(n) * $0 / 55 }
        let statistic = GoodnessOfFit.chiSquareStatistic(observed: counts, expected: expected)
        // Wilson–Hilferty is rough at 9 degrees of freedom, but fine at the 1% level.
        let p = GoodnessOfFit.chiSquareSurvival(statistic, degreesOfFreedom: 9)
        #expect(p > 0.01, "X² = \(statistic), p = \(p)")
        #expect(abs(distribution.cdf(3) - 6.0 / 55) < 1e-15)

        let withZero = Distribution(.mixture(
            components: [Distribution(.constant(1)), Distribution(.constant(2)), Distribution(.constant(3))],
            weights: [0, 1, 0]))
        #expect(GoodnessOfFit.draws(withZero, count: 10_000, seed: 5).allSatisfy { $0 == 2 })
        #expect(withZero.cdf(1.5) == 0 && withZero.mean == 2)
    }
}
