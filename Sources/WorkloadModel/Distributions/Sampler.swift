import RealModule

/// A family with its per-draw constants worked out once, so that a draw is a
/// few arithmetic operations and one or two calls to the generator: no
/// allocation, no existential, no square root of a parameter per draw.
@usableFromInline
enum Sampler: Sendable, Equatable {
    case exponential(mean: Double)
    /// Marsaglia–Tsang for shape >= 1 (d = shape − 1/3, c = 1/sqrt(9d)); for
    /// shape < 1 the draw for shape + 1 is multiplied by U^(1/shape), stored
    /// as `boost` (0 when not needed).
    case gamma(d: Double, c: Double, scale: Double, boost: Double)
    case weibull(inverseShape: Double, scale: Double)
    case logNormal(mu: Double, sigma: Double)
    /// x_m · U^(−1/alpha).
    case pareto(negativeInverseShape: Double, scale: Double)
    case uniform(low: Double, width: Double)
    /// `is_int` Uniform: low + nextBelow(count).
    case uniformInteger(low: Double, count: UInt64)
    case normal(mean: Double, std: Double)
    case constant(Double)
    /// Components with positive weight and their running weight totals.
    case mixture(components: [Distribution], cumulativeWeights: [Double])
    /// low · exp(U · ln(high/low)).
    case logUniform(low: Double, logRatio: Double)
    /// Inversion of a piecewise-linear CDF: the segment by its upper level, then linear within.
    case piecewise(PiecewiseLinearCDF, upperLevels: [Double])
    case zipf(ZipfLaw)

    init(family: DistributionFamily, isInt: Bool) {
        switch family {
        case .exponential(let rate):
            self = .exponential(mean: 1 / rate)
        case .gamma(let shape, let scale):
            let boosted = shape < 1
            let d = (boosted ? shape + 1 : shape) - 1.0 / 3.0
            self = .gamma(d: d, c: 1 / (9 * d).squareRoot(), scale: scale, boost: boosted ? 1 / shape : 0)
        case .weibull(let shape, let scale):
            self = .weibull(inverseShape: 1 / shape, scale: scale)
        case .logNormal(let mu, let sigma):
            self = .logNormal(mu: mu, sigma: sigma)
        case .pareto(let shape, let scale):
            self = .pareto(negativeInverseShape: -1 / shape, scale: scale)
        case .uniform(let low, let high):
            if isInt {
                let first = low.rounded(.up)
                let count = high.rounded(.down) - first + 1
                precondition(count >= 1, "is_int Uniform(\(low), \(high)) contains no integer")
                precondition(count <= 0x1p53, "is_int Uniform(\(low), \(high)) is too wide")
                self = .uniformInteger(low: first, count: UInt64(count))
            } else {
                self = .uniform(low: low, width: high - low)
            }
        case .normal(let mean, let std):
            self = .normal(mean: mean, std: std)
        case .constant(let value):
            self = .constant(value)
        case .mixture(let components, let weights):
            var kept: [Distribution] = []
            var cumulative: [Double] = []
            var total = 0.0
            for (component, weight) in zip(components, weights) where weight > 0 {
                total += weight
                kept.append(component)
                cumulative.append(total)
            }
            self = .mixture(components: kept, cumulativeWeights: cumulative)
        case .logUniform(let low, let high):
            self = .logUniform(low: low, logRatio: .log(high / low))
        case .histogram(let law), .quantiles(let law):
            self = .piecewise(law, upperLevels: Array(law.levels.dropFirst()))
        case .zipf(let law):
            self = .zipf(law)
        }
    }

    /// One draw of the family variable (before rounding and truncation).
    @inlinable
    func draw<R: RandomNumberGenerator>(using rng: inout R) -> Double {
        switch self {
        case .exponential(let mean):
            return -Double.log(rng.nextOpenUnit()) * mean
        case .gamma(let d, let c, let scale, let boost):
            let value = Self.marsagliaTsang(d: d, c: c, using: &rng)
            if boost == 0 { return value * scale }
            return value * Double.exp(Double.log(rng.nextOpenUnit()) * boost) * scale
        case .weibull(let inverseShape, let scale):
            return scale * Double.pow(-Double.log(rng.nextOpenUnit()), inverseShape)
        case .logNormal(let mu, let sigma):
            return Double.exp(mu + sigma * Self.standardNormal(using: &rng))
        case .pareto(let negativeInverseShape, let scale):
            return scale * Double.exp(Double.log(rng.nextOpenUnit()) * negativeInverseShape)
        case .uniform(let low, let width):
            return low + width * rng.nextUnit()
        case .uniformInteger(let low, let count):
            return low + Double(rng.nextBelow(count))
        case .normal(let mean, let std):
            return mean + std * Self.standardNormal(using: &rng)
        case .constant(let value):
            return value
        case .mixture(let components, let cumulativeWeights):
            let target = rng.nextUnit() * cumulativeWeights[cumulativeWeights.count - 1]
            return components[Self.index(of: target, in: cumulativeWeights)].sample(using: &rng)
        case .logUniform(let low, let logRatio):
            return low * Double.exp(rng.nextUnit() * logRatio)
        case .piecewise(let law, let upperLevels):
            let u = rng.nextUnit()
            return law.value(inSegment: Self.index(of: u, in: upperLevels) + 1, at: u)
        case .zipf(let law):
            return law.draw(using: &rng)
        }
    }

    /// The first index whose running total exceeds `target` (clamped to the
    /// last, which has positive weight): linear for short lists, binary beyond.
    @inlinable
    static func index(of target: Double, in cumulative: [Double]) -> Int {
        let last = cumulative.count - 1
        if last < 8 {
            var i = 0
            while i < last && cumulative[i] <= target { i += 1 }
            return i
        }
        var low = 0
        var high = last
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// N(0, 1) by Marsaglia's polar method; the second variate of each pair is
    /// dropped so that drawing needs no state beyond the generator.
    @inlinable
    static func standardNormal<R: RandomNumberGenerator>(using rng: inout R) -> Double {
        while true {
            let u = 2 * rng.nextUnit() - 1
            let v = 2 * rng.nextUnit() - 1
            let s = u * u + v * v
            if s < 1 && s > 0 {
                return u * (-2 * Double.log(s) / s).squareRoot()
            }
        }
    }

    /// Gamma(d + 1/3, 1) by Marsaglia and Tsang (2000), for d >= 2/3.
    @inlinable
    static func marsagliaTsang<R: RandomNumberGenerator>(d: Double, c: Double, using rng: inout R) -> Double {
        while true {
            var x: Double
            var v: Double
            repeat {
                x = standardNormal(using: &rng)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = rng.nextOpenUnit()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if Double.log(u) < 0.5 * x2 + d * (1 - v + Double.log(v)) { return d * v }
        }
    }
}
