import TestSupport
import Foundation
import Testing
import WorkloadModel

/// `mean` and `standardDeviation` against closed forms, and against sample
/// moments (within 4 standard errors) where no closed form is at hand.
@Suite("Moments of the final variable", .statistics, .background, .tags(.statistics))
struct MomentTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let name: String
        let distribution: Distribution
        let mean: Double
        let std: Double
        var testDescription: String { name }
    }

    static let closedForms: [Expected] = [
        .init(name: "Exponential(2)", distribution: Distribution(.exponential(rate: 2)), mean: 0.5, std: 0.5),
        .init(name: "Gamma(3.5, 1.5)", distribution: Distribution(.gamma(shape: 3.5, scale: 1.5)),
              mean: 5.25, std: 3.5.squareRoot() * 1.5),
        .init(name: "Weibull(1.7, 3)", distribution: Distribution(.weibull(shape: 1.7, scale: 3)),
              mean: 3 * tgamma(1 + 1 / 1.7),
              std: 3 * (tgamma(1 + 2 / 1.7) - tgamma(1 + 1 / 1.7) * tgamma(1 + 1 / 1.7)).squareRoot()),
        .init(name: "LogNormal(mean 128, std 64)", distribution: Distribution(.logNormal(mean: 128, std: 64)),
              mean: 128, std: 64),
        .init(name: "LogNormal(mu 1, sigma 0.8)", distribution: Distribution(.logNormal(mu: 1, sigma: 0.8)),
              mean: exp(1.32), std: exp(1.32) * (exp(0.64) - 1).squareRoot()),
        .init(name: "Pareto(3, 2)", distribution: Distribution(.pareto(shape: 3, scale: 2)), mean: 3, std: 3.0.squareRoot()),
        .init(name: "Uniform(2, 7)", distribution: Distribution(.uniform(low: 2, high: 7)), mean: 4.5, std: 5 / 12.0.squareRoot()),
        .init(name: "Normal(-1, 2)", distribution: Distribution(.normal(mean: -1, std: 2)), mean: -1, std: 2),
        .init(name: "Constant(4)", distribution: Distribution(.constant(4)), mean: 4, std: 0),
        // 0.25 Exp(1) + 0.75 N(10, 2): E = 7.75, E[X²] = 0.25·2 + 0.75·104 = 78.5.
        .init(name: "Mixture(Exponential(1), Normal(10, 2)) weights 1:3",
              distribution: Distribution(.mixture(
                components: [Distribution(.exponential(rate: 1)), Distribution(.normal(mean: 10, std: 2))],
                weights: [1, 3])),
              mean: 7.75, std: (78.5 - 7.75 * 7.75).squareRoot()),
        // Memoryless: Exponential(1) given X >= 2 is 2 + Exponential(1).
        .init(name: "Exponential(1) min 2", distribution: Distribution(.exponential(rate: 1), min: 2), mean: 3, std: 1),
        // E[Y; Y <= 100] = ∫_1^100 1.5 y^-1.5 dy = 2.7, E[Y²; Y <= 100] = ∫_1^100 1.5 y^-0.5 dy = 27,
        // over P(Y <= 100) = 1 − 100^-1.5 = 0.999.
        .init(name: "Pareto(1.5, 1) max 100", distribution: Distribution(.pareto(shape: 1.5, scale: 1), max: 100),
              mean: 2.7 / 0.999, std: (27 / 0.999 - (2.7 / 0.999) * (2.7 / 0.999)).squareRoot()),
        truncatedNormal(-0.5, 2),
        // Far tail: double-precision textbook formulas cancel here, so the
        // reference is the same formula evaluated with 50 digits (mpmath).
        .init(name: "Normal(0, 1) in [10, 11]", distribution: Distribution(.normal(mean: 0, std: 1), min: 10, max: 11),
              mean: 10.098068374933019144, std: 0.097060660941168616646),
    ]

    /// The textbook truncated normal: with Z = Φ(b) − Φ(a),
    /// mean = (φ(a) − φ(b))/Z, variance = 1 + (aφ(a) − bφ(b))/Z − mean².
    static func truncatedNormal(_ a: Double, _ b: Double) -> Expected {
        func phi(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
        let z = 0.5 * (erfc(a / 2.0.squareRoot()) - erfc(b / 2.0.squareRoot()))
        let mean = (phi(a) - phi(b)) / z
        let variance = 1 + (a * phi(a) - b * phi(b)) / z - mean * mean
        return Expected(
            name: "Normal(0, 1) in [\(a), \(b)]",
            distribution: Distribution(.normal(mean: 0, std: 1), min: a, max: b),
            mean: mean, std: variance.squareRoot())
    }

    @Test("closed forms (relative error < 1e-9)", arguments: closedForms)
    func closedForm(_ expected: Expected) {
        let mean = expected.distribution.mean
        let std = expected.distribution.standardDeviation
        #expect(abs(mean - expected.mean) <= 1e-9 * max(1, abs(expected.mean)), "mean \(mean) vs \(expected.mean)")
        #expect(abs(std - expected.std) <= 1e-9 * max(1e-300, expected.std) + 1e-12, "std \(std) vs \(expected.std)")
    }

    @Test("heavy tails are infinite, not hung")
    func heavyTails() {
        #expect(Distribution(.pareto(shape: 1, scale: 1)).mean == .infinity)
        #expect(Distribution(.pareto(shape: 0.5, scale: 1)).standardDeviation == .infinity)
        let finiteMean = Distribution(.pareto(shape: 1.5, scale: 1))
        #expect(abs(finiteMean.mean - 3) < 1e-12)
        #expect(finiteMean.standardDeviation == .infinity)
        #expect(Distribution(.pareto(shape: 2, scale: 1)).standardDeviation == .infinity)
        // A lower bound does not tame a heavy tail.
        #expect(Distribution(.pareto(shape: 0.8, scale: 1), min: 5).mean == .infinity)
        // A mixture inherits it.
        let mixture = Distribution(.mixture(
            components: [Distribution(.exponential(rate: 1)), Distribution(.pareto(shape: 0.9, scale: 1))],
            weights: [0.99, 0.01]))
        #expect(mixture.mean == .infinity)
        // An upper bound does.
        let bounded = Distribution(.pareto(shape: 0.8, scale: 1), max: 1e6)
        #expect(bounded.mean.isFinite && bounded.standardDeviation.isFinite)
    }

    static let truncated: [NamedDistribution] = [
        .init("LogNormal(mean 128, std 64) max 200", Distribution(.logNormal(mean: 128, std: 64), max: 200)),
        .init("Gamma(0.5, 2) in [0.1, 3]", Distribution(.gamma(shape: 0.5, scale: 2), min: 0.1, max: 3)),
        .init("Weibull(0.6, 2) in [1, 10]", Distribution(.weibull(shape: 0.6, scale: 2), min: 1, max: 10)),
        .init("Gamma(2, 3) is_int max 20", Distribution(.gamma(shape: 2, scale: 3), isInt: true, max: 20)),
        .init("LogNormal(mean 128, std 64) is_int in [64, 256]",
              Distribution(.logNormal(mean: 128, std: 64), isInt: true, min: 64, max: 256)),
        .init("Pareto(2.5, 1) is_int", Distribution(.pareto(shape: 2.5, scale: 1), isInt: true, max: 1000)),
        .init("Mixture(Normal(10, 1) min 9, Uniform(0, 20)) max 15",
              Distribution(
                .mixture(
                    components: [Distribution(.normal(mean: 10, std: 1), min: 9), Distribution(.uniform(low: 0, high: 20))],
                    weights: [2, 1]),
                max: 15)),
        .init("Mixture(Exponential(0.1), Constant(3)) is_int min 2",
              Distribution(
                .mixture(components: [Distribution(.exponential(rate: 0.1)), Distribution(.constant(3))], weights: [1, 1]),
                isInt: true, min: 2)),
    ]

    @Test("truncated and rounded: within 4 standard errors of 400k-draw sample moments", arguments: truncated)
    func againstSampleMoments(_ named: NamedDistribution) {
        let samples = GoodnessOfFit.draws(named.distribution, count: 400_000, seed: named.seed)
        let sample = GoodnessOfFit.sampleMoments(samples)
        let mean = named.distribution.mean
        let std = named.distribution.standardDeviation
        #expect(abs(sample.mean - mean) < 4 * sample.meanError, "mean \(mean) vs sample \(sample.mean) ± \(sample.meanError)")
        #expect(abs(sample.std - std) < 4 * sample.stdError, "std \(std) vs sample \(sample.std) ± \(sample.stdError)")
    }

    /// The moments agree with a plain sum over the CDF's steps (an independent
    /// route through `cdf` rather than the partial-moment code).
    @Test("is_int moments agree with sums over the CDF steps")
    func integerMomentsFromCDF() {
        let distribution = Distribution(.gamma(shape: 3, scale: 4), isInt: true, min: 2, max: 300)
        var first = 0.0
        var second = 0.0
        for k in 1...300 {
            let p = distribution.cdf(Double(k)) - distribution.cdf(Double(k - 1))
            first += Double(k) * p
            second += Double(k * k) * p
        }
        #expect(abs(distribution.mean - first) < 1e-10 * first)
        #expect(abs(distribution.standardDeviation - (second - first * first).squareRoot()) < 1e-8)
    }
}
