import TestSupport
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadTraces

/// Each family, written as a user writes it for
/// `llm-workload sample --dist`, parsed and drawn by the code the command runs,
/// follows its exact CDF.
///
/// Split into what is the command's own and what is the model's: every spec parses
/// to exactly the model's distribution, and the command's draws are exactly the
/// model sampler's on the command's stream; the model's samplers themselves are
/// checked at 10^6 draws against the exact CDF per family, truncated forms
/// included, in `KolmogorovSmirnovTests` (WorkloadModelTests). One spec (the
/// mixture, written as JSON) is still drawn 10^6 times here end to end, with the
/// power check. This used to draw 10^6 for every spec: 14 x 10^6 draws, 12 of
/// them repeating the model suite's work.
@Suite(.statistics, .background, .tags(.statistics), .timeLimit(.minutes(10))) struct SampleCommandDistributionTests {
    static let specs: [(spec: String, model: Distribution)] = [
        ("{type: Exponential, rate: 5.0}", Distribution(.exponential(rate: 5))),
        ("{type: Gamma, shape: 0.4, scale: 2}", Distribution(.gamma(shape: 0.4, scale: 2))),
        ("{type: Gamma, shape: 4, scale: 0.125}", Distribution(.gamma(shape: 4, scale: 0.125))),
        ("{type: Weibull, shape: 1.5, scale: 3}", Distribution(.weibull(shape: 1.5, scale: 3))),
        ("{type: LogNormal, mu: 4.5, sigma: 0.6}", Distribution(.logNormal(mu: 4.5, sigma: 0.6))),
        ("{type: LogNormal, mean: 128, std: 64}", Distribution(.logNormal(mean: 128, std: 64))),
        ("{type: Pareto, shape: 2.5, scale: 100}", Distribution(.pareto(shape: 2.5, scale: 100))),
        ("{type: Uniform, low: -2, high: 7}", Distribution(.uniform(low: -2, high: 7))),
        ("{type: Normal, mean: 10, std: 3}", Distribution(.normal(mean: 10, std: 3))),
        (mixture, Distribution(.mixture(
            components: [Distribution(.exponential(rate: 1)), Distribution(.normal(mean: 5, std: 1))], weights: [0.3, 0.7]))),
        ("{type: Normal, mean: 0, std: 1, min: -0.5, max: 2}", Distribution(.normal(mean: 0, std: 1), min: -0.5, max: 2)),
        ("{type: LogNormal, mean: 128, std: 64, max: 200}", Distribution(.logNormal(mean: 128, std: 64), max: 200)),
        ("{type: Pareto, shape: 1.2, scale: 1, max: 50}", Distribution(.pareto(shape: 1.2, scale: 1), max: 50)),
    ]
    static let mixture = #"{"type": "Mixture", "components": [{"type": "Exponential", "rate": 1}, {"type": "Normal", "mean": 5, "sigma": 1}], "weights": [0.3, 0.7]}"#

    @Test("each spec parses to exactly the model's distribution, and the command draws exactly the model's samples",
          arguments: specs.map(\.spec))
    func parsesToTheModelAndDrawsItsSamples(_ spec: String) throws {
        let model = try #require(Self.specs.first { $0.spec == spec }).model
        let distribution = try DistributionSampler.parse(spec)
        #expect(distribution == model, "\(spec)")
        var rng = Xoshiro256(seed: 1, identity: StreamIdentity("sample"))
        let expected = (0..<10_000).map { _ in model.sample(using: &rng) }
        #expect(DistributionSampler.draws(distribution, count: 10_000, seed: 1) == expected, "\(spec)")
    }

    @Test("the mixture, parsed from JSON, drawn 10^6 times by the command's code, fits its exact CDF (p > 0.01)")
    func drawsFitTheExactCDF() throws {
        let distribution = try DistributionSampler.parse(Self.mixture)
        let draws = DistributionSampler.draws(distribution, count: 1_000_000, seed: 1)
        let d = GoodnessOfFit.kolmogorovSmirnovStatistic(draws, cdf: distribution.cdf)
        let p = GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: draws.count)
        #expect(p > 0.01, "\(Self.mixture): D = \(d), p = \(p)")
    }

    @Test func theTestHasPower() throws {
        // Draws of rate 5.0 against the CDF of rate 5.05: rejected.
        let drawn = try DistributionSampler.parse("{type: Exponential, rate: 5.0}")
        let other = try DistributionSampler.parse("{type: Exponential, rate: 5.05}")
        let draws = DistributionSampler.draws(drawn, count: 1_000_000, seed: 1)
        let d = GoodnessOfFit.kolmogorovSmirnovStatistic(draws, cdf: other.cdf)
        #expect(GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: draws.count) < 0.01)
    }
}
