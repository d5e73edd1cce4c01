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
/// search the exact CDF of the final variable by bisection: exact too, only
/// slower (Zipf searches its table of power sums when n <= 4,096).
///
/// A class: the engine reaches it once per turn, and a reference costs one
/// count where a struct holding a distribution would retain each of its parts.
final class QuantileTransform: Sendable {
    let distribution: Distribution
    let closedForm: Bool
    let isInt: Bool
    let inverse: Inverse
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
        case .zipf(let law):
            closedForm = law.count <= ZipfLaw.exactTerms
        case .gamma, .mixture, .constant:
            closedForm = false
        }
        isInt = distribution.isInt
        inverse = Inverse(family)
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
        if direct, case .logNormal(let mu, let sigma) = inverse {
            y = Double.exp(mu + sigma * z)
        } else if direct, case .normal(let mean, let std) = inverse {
            y = mean + std * z
        } else {
            // One tail by erfc, the other as its complement (which is >= 1/2,
            // so the subtraction loses nothing).
            let tail = SpecialFunctions.normalCDF(-Swift.abs(z))
            let p = z < 0 ? tail : 1 - tail
            let q = z < 0 ? 1 - tail : tail
            guard closedForm else { return searched(p, q) }
            let kept = 1 - massBelow - massAbove
            y = inverse.quantile(massBelow + p * kept, massAbove + q * kept)
        }
        let value = isInt ? Swift.max(1, y.rounded()) : y
        return Swift.min(high, Swift.max(low, value))
    }

    /// A family's inverse CDF with its constants unpacked.
    enum Inverse: Sendable {
        case exponential(rate: Double)
        case weibull(shape: Double, scale: Double)
        case pareto(shape: Double, scale: Double)
        case uniform(low: Double, high: Double)
        case normal(mean: Double, std: Double)
        case logNormal(mu: Double, sigma: Double)
        case logUniform(low: Double, high: Double)
        case piecewise(PiecewiseLinearCDF)
        /// H(k, s)/H(n, s) for k = 0...n: the first k whose level reaches p.
        case table([Double])
        case none

        init(_ family: DistributionFamily) {
            switch family {
            case .exponential(let rate): self = .exponential(rate: rate)
            case .weibull(let shape, let scale): self = .weibull(shape: shape, scale: scale)
            case .pareto(let shape, let scale): self = .pareto(shape: shape, scale: scale)
            case .uniform(let low, let high): self = .uniform(low: low, high: high)
            case .normal(let mean, let std): self = .normal(mean: mean, std: std)
            case .logNormal(let mu, let sigma): self = .logNormal(mu: mu, sigma: sigma)
            case .logUniform(let low, let high): self = .logUniform(low: low, high: high)
            case .histogram(let law), .quantiles(let law): self = .piecewise(law)
            case .zipf(let law) where law.count <= ZipfLaw.exactTerms:
                self = .table(law.prefixSums.map { $0 / law.normalizer })
            case .zipf, .gamma, .mixture, .constant: self = .none
            }
        }

        /// The family variable's quantile at lower-tail probability p = 1 − q.
        func quantile(_ p: Double, _ q: Double) -> Double {
            let upper = p > 0.5
            switch self {
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
            case .piecewise(let law):
                return law.quantile(p)
            case .table(let levels):
                // The first k >= 1 with levels[k] >= p.
                var low = 1
                var high = levels.count - 1
                while low < high {
                    let middle = (low + high) / 2
                    if levels[middle] >= p { high = middle } else { low = middle + 1 }
                }
                return Double(low)
            case .none:
                preconditionFailure("no closed-form quantile")
            }
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
