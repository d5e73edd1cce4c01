import Foundation
import TestSupport
import Testing
@testable import WorkloadModel

/// The copula's quantile transforms: Q(Φ(z)) for standard normal z has
/// exactly the final variable's distribution, for the closed-form inverses
/// (truncation and rounding included) and for the bisection on the exact CDF.
/// KS at 1% over 10^5 draws, 2·10^4 for the bisection (randomised PIT for integer forms).
@Suite(.statistics, .background, .tags(.statistics)) struct QuantileTransformTests {
    static let cases: [NamedDistribution] = [
        NamedDistribution("LogNormal truncated", Distribution(.logNormal(mu: 4, sigma: 1), min: 20, max: 200)),
        NamedDistribution("LogNormal is_int", Distribution(.logNormal(mean: 128, std: 64), isInt: true, max: 1e9)),
        NamedDistribution("Normal truncated", Distribution(.normal(mean: 0, std: 1), min: 1, max: 3)),
        NamedDistribution("Weibull is_int", Distribution(.weibull(shape: 1.5, scale: 300), isInt: true, max: 1e9)),
        NamedDistribution("Exponential", Distribution(.exponential(rate: 2))),
        NamedDistribution("Pareto truncated", Distribution(.pareto(shape: 1.2, scale: 1), max: 50)),
        NamedDistribution("Uniform", Distribution(.uniform(low: -2, high: 7))),
        NamedDistribution("LogUniform", Distribution(.logUniform(low: 1, high: 1000))),
        NamedDistribution("Histogram is_int", Distribution(.histogram(.histogram(edges: [0, 10, 50, 2000], weights: [3, 1, 2])), isInt: true)),
        NamedDistribution("Gamma (bisection)", Distribution(.gamma(shape: 0.5, scale: 2))),
        NamedDistribution("Gamma is_int (bisection)", Distribution(.gamma(shape: 3, scale: 40), isInt: true)),
        NamedDistribution("Zipf (bisection)", Distribution(.zipf(ZipfLaw(exponent: 1.2, count: 200)))),
        NamedDistribution("Uniform is_int (bisection)", Distribution(.uniform(low: 100, high: 500), isInt: true)),
        NamedDistribution("Mixture (bisection)", Distribution(.mixture(
            components: [Distribution(.exponential(rate: 1)), Distribution(.normal(mean: 5, std: 1))], weights: [0.3, 0.7]))),
    ]

    @Test(arguments: cases)
    func transformedNormalsHaveTheDistribution(_ named: NamedDistribution) {
        let transform = QuantileTransform(named.distribution)
        var rng = Xoshiro256(seed: named.seed)
        // Bisection costs tens of CDF evaluations per draw: fewer draws there.
        let count = named.name.contains("bisection") ? 20_000 : 100_000
        let values = (0..<count).map { _ in transform.value(normal: Sampler.standardNormal(using: &rng)) }
        let discrete = named.distribution.isInt || { if case .zipf = named.distribution.family { true } else { false } }()
        let p: Double
        if discrete {
            p = GoodnessOfFit.discreteKolmogorovSmirnovPValue(values, cdf: named.distribution.cdf, seed: named.seed).p
        } else {
            let d = GoodnessOfFit.kolmogorovSmirnovStatistic(values, cdf: named.distribution.cdf)
            p = GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: values.count)
        }
        #expect(p > 0.01, "\(named.name): p = \(p)")
        #expect(values.allSatisfy { $0 >= named.distribution.infimum && $0 <= named.distribution.supremum })
    }

    @Test func inverseNormalIsExact() {
        for p in [1e-100, 1e-20, 1e-6, 0.02, 0.3, 0.5, 0.7, 0.975, 1 - 1e-9] {
            let z = SpecialFunctions.inverseNormalCDF(p, upper: 1 - p)
            let back = SpecialFunctions.normalCDF(z)
            #expect(abs(back - p) <= 1e-14 * p, "p \(p): Φ(Φ⁻¹(p)) = \(back)")
        }
        // The upper tail through q keeps digits that p = 1 − q has lost.
        let z = SpecialFunctions.inverseNormalCDF(1, upper: 1e-30)
        #expect(abs(SpecialFunctions.normalCDF(-z) - 1e-30) < 1e-43)
    }

    @Test func copulaPearsonFromSpearman() {
        #expect(abs(GaussianCopula(spearman: 0.5).pearson - 2 * sin(Double.pi / 12)) < 1e-15)
        #expect(GaussianCopula(spearman: 0).pearson == 0)
    }
}
