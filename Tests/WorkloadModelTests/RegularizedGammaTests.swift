import Testing
import TestSupport
@testable import WorkloadModel

/// The incomplete gamma function at very large shapes (a nearly constant sample fits
/// a Gamma shape of 1e12 and more): bounded work, and continuous where the series
/// hands over to the asymptotic form.
@Suite(.statistics, .background, .tags(.statistics), .timeLimit(.minutes(10)))
struct RegularizedGammaTests {
    @Test("either side of the hand-over shape, P(a, x) agrees to 1e-6 over the body of the law")
    func continuousAtTheHandOver() {
        let below = SpecialFunctions.asymptoticShape.nextDown
        let above = SpecialFunctions.asymptoticShape
        for z in stride(from: -5.0, through: 5.0, by: 0.5) {
            let x = above + z * above.squareRoot()
            let series = SpecialFunctions.regularizedGamma(below, x)
            let asymptotic = SpecialFunctions.regularizedGamma(above, x)
            #expect(abs(series.p - asymptotic.p) < 1e-6, "z \(z): \(series.p) vs \(asymptotic.p)")
            #expect(abs(series.q - asymptotic.q) < 1e-6, "z \(z): \(series.q) vs \(asymptotic.q)")
        }
    }

    @Test("shapes of 1e12 to 1e300: a million CDF evaluations finish, median at the mean, tails in order")
    func hugeShapes() {
        for shape in [1e12, 1e20, 1e35, 1e300] {
            let gamma = Distribution(.gamma(shape: shape, scale: 5 / shape))
            var total = 0.0
            for i in 0..<1_000_000 { total += gamma.cdf(5 + Double(i % 3 - 1) * 1e-3) }
            #expect(total.isFinite)
            #expect(abs(gamma.cdf(5) - 0.5) < 1e-3, "shape \(shape): \(gamma.cdf(5))")
            #expect(gamma.cdf(4.99) < 1e-6 && gamma.cdf(5.01) > 1 - 1e-6, "shape \(shape)")
        }
    }
}
