import TestSupport
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadTraces

/// Each family, written as a user writes it for
/// `llm-workload sample --dist`, parsed and drawn 10^6 times by the code the
/// command runs, passes a one-sample Kolmogorov–Smirnov test against its
/// exact CDF at the 1% level.
@Suite struct SampleCommandDistributionTests {
    static let specs = [
        "{type: Exponential, rate: 5.0}",
        "{type: Gamma, shape: 0.4, scale: 2}",
        "{type: Gamma, shape: 4, scale: 0.125}",
        "{type: Weibull, shape: 1.5, scale: 3}",
        "{type: LogNormal, mu: 4.5, sigma: 0.6}",
        "{type: LogNormal, mean: 128, std: 64}",
        "{type: Pareto, shape: 2.5, scale: 100}",
        "{type: Uniform, low: -2, high: 7}",
        "{type: Normal, mean: 10, std: 3}",
        #"{"type": "Mixture", "components": [{"type": "Exponential", "rate": 1}, {"type": "Normal", "mean": 5, "sigma": 1}], "weights": [0.3, 0.7]}"#,
        "{type: Normal, mean: 0, std: 1, min: -0.5, max: 2}",
        "{type: LogNormal, mean: 128, std: 64, max: 200}",
        "{type: Pareto, shape: 1.2, scale: 1, max: 50}",
    ]

    @Test(arguments: specs)
    func drawsFitTheExactCDF(_ spec: String) throws {
        let distribution = try DistributionSampler.parse(spec)
        let draws = DistributionSampler.draws(distribution, count: 1_000_000, seed: 1)
        let d = GoodnessOfFit.kolmogorovSmirnovStatistic(draws, cdf: distribution.cdf)
        let p = GoodnessOfFit.kolmogorovSmirnovPValue(statistic: d, count: draws.count)
        #expect(p > 0.01, "\(spec): D = \(d), p = \(p)")
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
