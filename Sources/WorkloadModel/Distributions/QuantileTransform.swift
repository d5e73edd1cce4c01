import RealModule

/// The quantile function of a distribution's final variable (rounded if
/// `is_int`, truncated to [min, max]) evaluated at Φ(z): the map that turns a
/// standard normal z into a draw with exactly that distribution, which is
/// what a Gaussian copula needs.
///
/// Families with a closed-form inverse (Exponential, Weibull, Pareto,
/// Uniform, Normal, LogNormal, LogUniform, Histogram, Quantiles) invert
/// directly: the truncation maps the probability into the kept range of the
/// family variable, and `is_int` rounds the result (both exact, as for
/// `sample`). The others (Gamma, Mixture, Zipf, Constant, integer Uniform)
/// search the exact CDF of the final variable by bisection: exact too, only slower.
struct QuantileTransform: Sendable {
    let distribution: Distribution
    let closedForm: Bool
    /// The family variable's mass below and above the kept region.
    let massBelow: Double
    let massAbove: Double
    /// The kept region's ends for the final variable.
    let low: Double
    let high: Double
    /// Normal or LogNormal whose truncation keeps all but 1e-16 of the mass:
    /// z is used directly (the difference is below one part in 10^16).
    let direct: Bool

    init(_ distribution: Distribution) {
        self.distribution = distribution
        let family = distribution.family
        switch family {
        case .exponential, .weibull, .pareto, .normal, .logNormal, .logUniform, .histogram, .quantiles:
            closedForm = true
        case .uniform:
            closedForm = !distribution.isInt
        case .gamma, .mixture, .zipf, .constant:
            closedForm = false
        }
        low = distribution.infimum
        high = distribution.supremum
        var region = Interval.closed(distribution.lowerBound, distribution.upperBound)
        if distribution.isInt {
            let range = region.integerRange
            region = .roundingCells(Swift.max(1, range.first), range.last)
        }
        massBelow = closedForm && region.lower > -.infinity ? family.mass(in: .below(region.lower)) : 0
        massAbove = closedForm && region.upper < .infinity ? family.mass(in: .atLeast(region.upper)) : 0
        switch family {
        case .normal, .logNormal: direct = massBelow <= 1e-16 && massAbove <= 1e-16
        default: direct = false
        }
    }

    /// The final variable's value at probability Φ(z).
    func value(normal z: Double) -> Double {
        let y: Double
        if direct, case .logNormal(let mu, let sigma) = distribution.family {
            y = Double.exp(mu + sigma * z)
        } else if direct, case .normal(let mean, let std) = distribution.family {
            y = mean + std * z
        } else {
            let p = SpecialFunctions.normalCDF(z)
            let q = SpecialFunctions.normalCDF(-z)
            guard closedForm else { return searched(p, q) }
            let kept = 1 - massBelow - massAbove
            y = familyQuantile(massBelow + p * kept, massAbove + q * kept)
        }
        let value = distribution.isInt ? Swift.max(1, y.rounded()) : y
        return Swift.min(high, Swift.max(low, value))
    }

    /// The family variable's quantile at lower-tail probability p = 1 − q.
    func familyQuantile(_ p: Double, _ q: Double) -> Double {
        let upper = p > 0.5
        switch distribution.family {
        case .exponential(let rate):
            return (upper ? -Double.log(q) : -Double.log(onePlus: -p)) / rate
        case .weibull(let shape, let scale):
            return scale * Double.pow(upper ? -Double.log(q) : -Double.log(onePlus: -p), 1 / shape)
        case .pareto(let shape, let scale):
            return scale * Double.exp((upper ? -Double.log(q) : -Double.log(onePlus: -p)) / shape)
        case .uniform(let low, let high):
            return upper ? high - q * (high - low) : low + p * (high - low)
        case .normal(let mean, let std):
            return mean + std * SpecialFunctions.inverseNormalCDF(p, upper: q)
        case .logNormal(let mu, let sigma):
            return Double.exp(mu + sigma * SpecialFunctions.inverseNormalCDF(p, upper: q))
        case .logUniform(let low, let high):
            return upper ? high * Double.exp(-q * Double.log(high / low)) : low * Double.exp(p * Double.log(high / low))
        case .histogram(let law), .quantiles(let law):
            return law.quantile(p)
        case .gamma, .mixture, .zipf, .constant:
            preconditionFailure("no closed-form quantile")
        }
    }

    /// The smallest value x of the final variable with P(X <= x) >= p, by
    /// bisection on its exact CDF (on the survival function in the upper half).
    func searched(_ p: Double, _ q: Double) -> Double {
        let d = distribution
        func reached(_ x: Double) -> Bool {
            p <= 0.5 ? d.cdf(x) >= p : d.probability(in: .above(x)) <= q
        }
        var lo = low
        var hi = high
        if !lo.isFinite || !hi.isFinite {
            // Bracket an unbounded side by doubling steps from the mean.
            let centre = d.roughCentre
            var step = Swift.max(1, Swift.abs(centre))
            if !lo.isFinite { lo = centre - step; while reached(lo) { step *= 2; lo = centre - step } }
            step = Swift.max(1, Swift.abs(centre))
            if !hi.isFinite { hi = centre + step; while !reached(hi) { step *= 2; hi = centre + step } }
        }
        if reached(lo) { return lo }
        let integer = d.isInt || { if case .zipf = d.family { return true } else { return false } }()
        for _ in 0..<200 {
            if integer ? hi - lo <= 1 : hi - lo <= 1e-12 * Swift.max(1, Swift.abs(hi)) { break }
            let middle = integer ? ((lo + hi) / 2).rounded(.down) : (lo + hi) / 2
            if reached(middle) { hi = middle } else { lo = middle }
        }
        return hi
    }
}

/// A Gaussian copula between two draws: correlated standard normals whose
/// quantile transforms have Spearman rank correlation rho_s, by
/// rho_p = 2 sin(pi rho_s / 6) (exact for continuous marginals).
struct GaussianCopula: Sendable {
    let pearson: Double
    let complement: Double

    init(spearman: Double) {
        pearson = 2 * Double.sin(Double.pi * spearman / 6)
        complement = (1 - pearson * pearson).squareRoot()
    }

    /// Two standard normals with correlation `pearson`, from the session's stream.
    @inline(__always)
    func normals<R: RandomNumberGenerator>(using rng: inout R) -> (Double, Double) {
        let first = Sampler.standardNormal(using: &rng)
        let second = Sampler.standardNormal(using: &rng)
        return (first, pearson * first + complement * second)
    }
}
