import RealModule

/// The special functions behind the closed-form CDFs and partial moments:
/// the standard normal CDF and density, and the regularized incomplete gamma
/// functions P(a, x) and Q(a, x) = 1 - P(a, x).
enum SpecialFunctions {
    /// Φ(z) = P(N(0,1) <= z), through erfc so that both tails keep their
    /// relative precision (Φ(-10) ≈ 7.6e-24 is not rounded to 0).
    static func normalCDF(_ z: Double) -> Double {
        0.5 * .erfc(-z * 0.5.squareRoot())
    }

    /// φ(z), 0 at ±infinity.
    static func normalDensity(_ z: Double) -> Double {
        guard z.isFinite else { return 0 }
        return .exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
    }

    /// z·φ(z), with the limit 0 at ±infinity (where the product would be NaN).
    static func normalDensityTimesArgument(_ z: Double) -> Double {
        guard z.isFinite else { return 0 }
        return z * normalDensity(z)
    }

    /// P(za < N(0,1) <= zb), computed in the tail where it is small so that a
    /// far-tail interval such as (10, 11] keeps its digits.
    static func normalMass(_ za: Double, _ zb: Double) -> Double {
        guard za < zb else { return 0 }
        let mass = za <= 0 ? normalCDF(zb) - normalCDF(za) : normalCDF(-za) - normalCDF(-zb)
        return Swift.max(0, mass)
    }

    /// The regularized incomplete gamma functions (P(a, x), Q(a, x)) for a > 0.
    ///
    /// Numerical Recipes (3rd ed., 6.2): the series for P when x < a + 1, the
    /// modified-Lentz continued fraction for Q otherwise; each is accurate in
    /// its own region and the other is its complement, which is never tiny
    /// there, so both come back to near machine precision.
    ///
    /// Both need a few multiples of sqrt(a) terms, so from `asymptoticShape` on
    /// (a sample of nearly equal values fits a Gamma shape of 1e12 and more) the
    /// Wilson-Hilferty normal approximation takes over: the cube root of a
    /// Gamma(a) variable is normal to within O(a^-1), far below what a double
    /// series of 20 sqrt(a) terms would keep there anyway.
    static func regularizedGamma(_ a: Double, _ x: Double) -> (p: Double, q: Double) {
        if x <= 0 { return (0, 1) }
        if x == .infinity { return (1, 0) }
        if a >= asymptoticShape {
            let variance = 1 / (9 * a)
            let z = (Double.pow(x / a, 1.0 / 3) - (1 - variance)) / variance.squareRoot()
            return (normalCDF(z), normalCDF(-z))
        }
        let logPrefactor = a * .log(x) - x - .logGamma(a)
        let epsilon = Double.ulpOfOne
        // Both expansions converge within a few multiples of sqrt(a) terms.
        let maxIterations = 1_000 + 20 * Int(a.squareRoot())
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var denominator = a
            for _ in 0..<maxIterations {
                denominator += 1
                term *= x / denominator
                sum += term
                if Swift.abs(term) < Swift.abs(sum) * epsilon { break }
            }
            let p = Swift.min(1, sum * .exp(logPrefactor))
            return (p, 1 - p)
        }
        let tiny = Double.leastNormalMagnitude / epsilon
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...maxIterations {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if Swift.abs(d) < tiny { d = tiny }
            c = b + an / c
            if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if Swift.abs(delta - 1) < epsilon { break }
        }
        let q = Swift.min(1, .exp(logPrefactor) * h)
        return (1 - q, q)
    }

    /// The shape from which ``regularizedGamma(_:_:)`` is asymptotic: below it
    /// at most about 64,000 terms per evaluation.
    static let asymptoticShape = 1e7

    /// P(a, xb) - P(a, xa) for xa <= xb, taken as a difference of whichever of
    /// P and Q is small at xa, so upper-tail intervals keep their digits.
    static func regularizedGammaDifference(_ a: Double, _ xa: Double, _ xb: Double) -> Double {
        guard xa < xb else { return 0 }
        let lower = regularizedGamma(a, xa)
        let upper = regularizedGamma(a, xb)
        let mass = lower.p <= 0.5 ? upper.p - lower.p : lower.q - upper.q
        return Swift.max(0, mass)
    }
}
