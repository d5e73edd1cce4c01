import TestSupport
import Testing
import WorkloadModel

/// A named distribution for parameterised tests.
struct NamedDistribution: Sendable, CustomTestStringConvertible {
    let name: String
    let distribution: Distribution
    var testDescription: String { name }

    init(_ name: String, _ distribution: Distribution) {
        self.name = name
        self.distribution = distribution
    }

    /// A fixed seed per case, derived from its name (not from its position).
    var seed: UInt64 { StreamIdentity("ks", name).combined(with: 20_240_601) }
}

/// Every family, and truncated forms, sampled 10^6 times against the exact CDF.
@Suite("Kolmogorov–Smirnov against the exact CDF", .statistics, .background, .tags(.statistics))
struct KolmogorovSmirnovTests {
    static let sampleCount = 1_000_000

    static let cases: [NamedDistribution] = [
        .init("Exponential(rate 2)", Distribution(.exponential(rate: 2))),
        .init("Gamma(shape 0.5, scale 2)", Distribution(.gamma(shape: 0.5, scale: 2))),
        .init("Gamma(shape 3.5, scale 1.5)", Distribution(.gamma(shape: 3.5, scale: 1.5))),
        .init("Weibull(shape 1.7, scale 3)", Distribution(.weibull(shape: 1.7, scale: 3))),
        .init("Weibull(shape 0.6, scale 2)", Distribution(.weibull(shape: 0.6, scale: 2))),
        .init("LogNormal(mu 1, sigma 0.8)", Distribution(.logNormal(mu: 1, sigma: 0.8))),
        .init("LogNormal(mean 128, std 64)", Distribution(.logNormal(mean: 128, std: 64))),
        .init("Pareto(shape 2.5, scale 1.5)", Distribution(.pareto(shape: 2.5, scale: 1.5))),
        .init("Pareto(shape 0.8, scale 1)", Distribution(.pareto(shape: 0.8, scale: 1))),
        .init("Uniform(2, 7)", Distribution(.uniform(low: 2, high: 7))),
        .init("Normal(-1, 2)", Distribution(.normal(mean: -1, std: 2))),
        .init(
            "Mixture(0.3 Exponential(1), 0.7 LogNormal(2, 0.5))",
            Distribution(.mixture(
                components: [Distribution(.exponential(rate: 1)), Distribution(.logNormal(mu: 2, sigma: 0.5))],
                weights: [0.3, 0.7]))),
        .init(
            "Mixture(Gamma(2, 1), Normal(10, 1) min 9, Uniform(0, 20), unnormalised weights)",
            Distribution(.mixture(
                components: [
                    Distribution(.gamma(shape: 2, scale: 1)),
                    Distribution(.normal(mean: 10, std: 1), min: 9),
                    Distribution(.uniform(low: 0, high: 20)),
                ],
                weights: [1, 2, 0.5]))),
        .init("Normal(0, 1) in [-0.5, 2]", Distribution(.normal(mean: 0, std: 1), min: -0.5, max: 2)),
        .init("LogNormal(mean 128, std 64) max 200", Distribution(.logNormal(mean: 128, std: 64), max: 200)),
        .init("Exponential(rate 1) min 2", Distribution(.exponential(rate: 1), min: 2)),
        .init("Gamma(shape 0.5, scale 2) in [0.1, 3]", Distribution(.gamma(shape: 0.5, scale: 2), min: 0.1, max: 3)),
        .init("Pareto(shape 1.5, scale 1) max 100", Distribution(.pareto(shape: 1.5, scale: 1), max: 100)),
    ]

    @Test("10^6 draws fit the CDF (p > 0.01)", arguments: cases)
    func fitsExactCDF(_ named: NamedDistribution) {
        let samples = GoodnessOfFit.draws(named.distribution, count: Self.sampleCount, seed: named.seed)
        let d = GoodnessOfFit.kolmogorovSmirnovStatistic(samples, cdf: named.distribution.cdf)
        let p = GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: samples.count)
        print("KS \(named.name): D = \(d), p = \(p)")
        #expect(p > 0.01, "\(named.name): D = \(d), p = \(p)")
    }

    /// The test has power: Exponential(1) draws are told apart from the CDF of
    /// Exponential(1.01), a 1% error in the rate.
    @Test("rejects a 1% wrong rate (p < 0.01)")
    func rejectsWrongRate() {
        let samples = GoodnessOfFit.draws(Distribution(.exponential(rate: 1)), count: Self.sampleCount, seed: 7)
        let wrong = Distribution(.exponential(rate: 1.01))
        let d = GoodnessOfFit.kolmogorovSmirnovStatistic(samples, cdf: wrong.cdf)
        let p = GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: samples.count)
        print("KS power check: D = \(d), p = \(p)")
        #expect(p < 0.01, "D = \(d), p = \(p)")
    }

    @Test("Kolmogorov survival function matches known values")
    func kolmogorovSurvivalValues() {
        // Q_KS(1.36) ≈ 0.0494, Q_KS(1.63) ≈ 0.0098: the textbook 5% and 1% points.
        #expect(abs(GoodnessOfFit.kolmogorovSurvival(1.358) - 0.05) < 5e-4)
        #expect(abs(GoodnessOfFit.kolmogorovSurvival(1.628) - 0.01) < 2e-4)
        #expect(abs(GoodnessOfFit.kolmogorovSurvival(0.5) - 0.9639) < 1e-3)
        // The two series agree where they switch.
        let below = GoodnessOfFit.kolmogorovSurvival(1.18 - 1e-9)
        let above = GoodnessOfFit.kolmogorovSurvival(1.18)
        #expect(abs(below - above) < 1e-9)
    }
}
