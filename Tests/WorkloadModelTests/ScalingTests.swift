import Testing
import TestSupport
import WorkloadModel

/// `scaled(by:)` multiplies the variable: the mean scales, the coefficient of
/// variation stays, the CDF is stretched, and the bounds move with it.
@Suite("Scaling", .statistics, .background, .tags(.statistics))
struct ScalingTests {
    static let factor = 2.5

    static let cases: [NamedDistribution] = [
        .init("Exponential(4)", Distribution(.exponential(rate: 4))),
        .init("Gamma(0.7, 2)", Distribution(.gamma(shape: 0.7, scale: 2))),
        .init("Weibull(1.3, 5)", Distribution(.weibull(shape: 1.3, scale: 5))),
        .init("LogNormal(mean 10, std 5)", Distribution(.logNormal(mean: 10, std: 5))),
        .init("Pareto(3, 1)", Distribution(.pareto(shape: 3, scale: 1))),
        .init("Uniform(1, 3)", Distribution(.uniform(low: 1, high: 3))),
        .init("Normal(5, 2)", Distribution(.normal(mean: 5, std: 2))),
        .init("Constant(0.2)", Distribution(.constant(0.2))),
        .init("Mixture(Exponential(1), Gamma(4, 1))",
              Distribution(.mixture(
                components: [Distribution(.exponential(rate: 1)), Distribution(.gamma(shape: 4, scale: 1))],
                weights: [1, 3]))),
        .init("Normal(1, 1) in [0, 3]", Distribution(.normal(mean: 1, std: 1), min: 0, max: 3)),
        .init("Exponential(1) min 0.5", Distribution(.exponential(rate: 1), min: 0.5)),
    ]

    @Test("keeps CV, multiplies mean and stretches the CDF", arguments: cases)
    func scaling(_ named: NamedDistribution) {
        let original = named.distribution
        let scaled = original.scaled(by: Self.factor)
        #expect(abs(scaled.mean / (Self.factor * original.mean) - 1) < 1e-12)
        let cv = original.standardDeviation / original.mean
        let scaledCV = scaled.standardDeviation / scaled.mean
        #expect(abs(scaledCV - cv) <= 1e-12 * max(1, cv))
        for x in [0.1, 0.5, 1, 2, 4] {
            #expect(abs(scaled.cdf(Self.factor * x) - original.cdf(x)) < 1e-12, "at \(x)")
        }
        #expect(scaled.min == original.min.map { $0 * Self.factor })
        #expect(scaled.max == original.max.map { $0 * Self.factor })
        #expect(abs(scaled.truncationMass - original.truncationMass) < 1e-12)
        #expect(scaled.isInt == original.isInt)
    }

    @Test("parameters scale as documented")
    func parameters() {
        let c = 4.0
        #expect(Distribution(.exponential(rate: 2)).scaled(by: c).family == .exponential(rate: 0.5))
        #expect(Distribution(.gamma(shape: 2, scale: 3)).scaled(by: c).family == .gamma(shape: 2, scale: 12))
        #expect(Distribution(.pareto(shape: 2, scale: 3)).scaled(by: c).family == .pareto(shape: 2, scale: 12))
        #expect(Distribution(.uniform(low: 1, high: 2)).scaled(by: c).family == .uniform(low: 4, high: 8))
        #expect(Distribution(.normal(mean: 1, std: 2)).scaled(by: c).family == .normal(mean: 4, std: 8))
        #expect(Distribution(.constant(3)).scaled(by: c).family == .constant(12))
        guard case .logNormal(let mu, let sigma) = Distribution(.logNormal(mu: 1, sigma: 0.5)).scaled(by: c).family else {
            Issue.record("not a lognormal")
            return
        }
        #expect(abs(mu - (1 + 1.3862943611198906)) < 1e-15)  // mu + ln 4
        #expect(sigma == 0.5)
    }
}
