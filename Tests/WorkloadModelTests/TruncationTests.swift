import TestSupport
import Testing
import WorkloadModel

/// Truncation by conditioning: its mass, and that it never piles mass on a bound.
@Suite("Truncation")
struct TruncationTests {
    @Test("truncationMass: tiny for a far tail, 0.6827 for one sigma, 1 without bounds")
    func truncationMass() {
        let farTail = Distribution(.normal(mean: 0, std: 1), min: 10, max: 11)
        #expect(farTail.truncationMass > 0 && farTail.truncationMass < 1e-20)
        // Φ(−10) − Φ(−11), 50-digit reference.
        #expect(abs(farTail.truncationMass / 7.6196619582030761984e-24 - 1) < 1e-9)
        let oneSigma = Distribution(.normal(mean: 0, std: 1), min: -1, max: 1)
        #expect(abs(oneSigma.truncationMass - 0.68268949213708589717) < 1e-12)
        #expect(Distribution(.normal(mean: 0, std: 1)).truncationMass == 1)
        #expect(abs(Distribution(.exponential(rate: 1), min: 2).truncationMass - 0.1353352832366127) < 1e-15)
        // Integer variables count the rounded values: 200...500 of 100...500.
        let uniform = Distribution(.uniform(low: 100, high: 500), isInt: true, min: 200)
        #expect(abs(uniform.truncationMass - 301.0 / 401) < 1e-15)
        // A bound between integers keeps the integers inside it.
        let fractional = Distribution(.uniform(low: 100, high: 500), isInt: true, max: 150.5)
        #expect(abs(fractional.truncationMass - 51.0 / 401) < 1e-15)
    }

    @Test("the CDF is 0 below min and 1 at max, and the far-tail CDF keeps its digits")
    func boundsOfTheCDF() {
        let distribution = Distribution(.normal(mean: 0, std: 1), min: -0.5, max: 2)
        #expect(distribution.cdf(-0.5000001) == 0)
        #expect(distribution.cdf(2) == 1)
        #expect(distribution.cdf(-0.5) == 0)
        let farTail = Distribution(.normal(mean: 0, std: 1), min: 10, max: 11)
        // (Φ(−10) − Φ(−10.1)) / (Φ(−10) − Φ(−11)), 50-digit reference.
        #expect(abs(farTail.cdf(10.1) - 0.63752743613072272) < 1e-9)
    }

    /// Resampling, not clamping: no draw sits on a bound, and the mass just
    /// inside a bound is what the conditioned CDF says.
    @Test("no mass is piled on the bounds")
    func noClamping() {
        let distribution = Distribution(.normal(mean: 0, std: 1), min: 0.5, max: 1)
        let n = 200_000
        let samples = GoodnessOfFit.draws(distribution, count: n, seed: 11)
        #expect(samples.allSatisfy { $0 >= 0.5 && $0 <= 1 })
        #expect(!samples.contains(0.5) && !samples.contains(1))
        for edge in [0.51, 0.99] {
            let expected = edge < 0.75 ? distribution.cdf(edge) : 1 - distribution.cdf(edge)
            let observed = Double(samples.filter { edge < 0.75 ? $0 <= edge : $0 > edge }.count) / Double(n)
            let standardError = (expected * (1 - expected) / Double(n)).squareRoot()
            #expect(abs(observed - expected) < 4 * standardError, "near \(edge): \(observed) vs \(expected)")
        }
    }

    /// Integer truncation conditions on the rounded value: Normal(0, 2) is_int
    /// in [2, 3] keeps only 2 and 3, in proportion to their cells.
    @Test("is_int truncation conditions on the rounded value")
    func integerTruncation() {
        let distribution = Distribution(.normal(mean: 0, std: 2), isInt: true, min: 2, max: 3)
        let n = 200_000
        let samples = GoodnessOfFit.draws(distribution, count: n, seed: 23)
        #expect(Set(samples) == [2, 3])
        let expected = distribution.cdf(2)
        let twos = Double(samples.filter { $0 == 2 }.count) / Double(n)
        #expect(abs(twos - expected) < 4 * (expected * (1 - expected) / Double(n)).squareRoot())
        // P(2) / (P(2) + P(3)) with P(k) = P(k − 0.5 <= Y < k + 0.5), Y ~ N(0, 2).
        #expect(abs(expected - 0.6484362373626009) < 1e-12)
    }
}
