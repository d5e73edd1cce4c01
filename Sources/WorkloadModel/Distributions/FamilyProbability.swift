import RealModule

/// Probabilities of the (untruncated, unrounded) family variable Y.
extension DistributionFamily {
    /// P(Y <= y) for the continuous families (not Constant or Mixture).
    func continuousCDF(_ y: Double) -> Double {
        switch self {
        case .exponential(let rate):
            return y <= 0 ? 0 : -.expMinusOne(-rate * y)
        case .gamma(let shape, let scale):
            return SpecialFunctions.regularizedGamma(shape, y / scale).p
        case .weibull(let shape, let scale):
            return y <= 0 ? 0 : -.expMinusOne(-.pow(y / scale, shape))
        case .logNormal(let mu, let sigma):
            return y <= 0 ? 0 : SpecialFunctions.normalCDF((.log(y) - mu) / sigma)
        case .pareto(let shape, let scale):
            return y <= scale ? 0 : -.expMinusOne(shape * .log(scale / y))
        case .uniform(let low, let high):
            return Swift.min(1, Swift.max(0, (y - low) / (high - low)))
        case .normal(let mean, let std):
            return SpecialFunctions.normalCDF((y - mean) / std)
        case .logUniform(let low, let high):
            return y <= low ? 0 : y >= high ? 1 : .log(y / low) / .log(high / low)
        case .constant, .mixture, .histogram, .quantiles, .zipf:
            preconditionFailure("not a continuous family")
        }
    }

    /// P(Y > y) for the continuous families, computed directly (not as 1 − CDF)
    /// so that upper tails keep their relative precision.
    func continuousSurvival(_ y: Double) -> Double {
        switch self {
        case .exponential(let rate):
            return y <= 0 ? 1 : .exp(-rate * y)
        case .gamma(let shape, let scale):
            return SpecialFunctions.regularizedGamma(shape, y / scale).q
        case .weibull(let shape, let scale):
            return y <= 0 ? 1 : .exp(-.pow(y / scale, shape))
        case .logNormal(let mu, let sigma):
            return y <= 0 ? 1 : SpecialFunctions.normalCDF((mu - .log(y)) / sigma)
        case .pareto(let shape, let scale):
            return y <= scale ? 1 : .exp(shape * .log(scale / y))
        case .uniform(let low, let high):
            return Swift.min(1, Swift.max(0, (high - y) / (high - low)))
        case .normal(let mean, let std):
            return SpecialFunctions.normalCDF((mean - y) / std)
        case .logUniform(let low, let high):
            return y <= low ? 1 : y >= high ? 0 : .log(high / y) / .log(high / low)
        case .constant, .mixture, .histogram, .quantiles, .zipf:
            preconditionFailure("not a continuous family")
        }
    }

    /// The density of Y for the continuous families.
    func continuousDensity(_ y: Double) -> Double {
        switch self {
        case .exponential(let rate):
            return y < 0 ? 0 : rate * .exp(-rate * y)
        case .gamma(let shape, let scale):
            guard y > 0, y.isFinite else { return 0 }
            let x = y / scale
            return .exp((shape - 1) * .log(x) - x - .logGamma(shape)) / scale
        case .weibull(let shape, let scale):
            guard y > 0, y.isFinite else { return 0 }
            let x = y / scale
            let power = Double.pow(x, shape)
            return shape / y * power * .exp(-power)
        case .logNormal(let mu, let sigma):
            guard y > 0, y.isFinite else { return 0 }
            return SpecialFunctions.normalDensity((.log(y) - mu) / sigma) / (y * sigma)
        case .pareto(let shape, let scale):
            guard y >= scale, y.isFinite else { return 0 }
            return shape / y * .exp(shape * .log(scale / y))
        case .uniform(let low, let high):
            return y >= low && y <= high ? 1 / (high - low) : 0
        case .normal(let mean, let std):
            return SpecialFunctions.normalDensity((y - mean) / std) / std
        case .logUniform(let low, let high):
            return y >= low && y <= high ? 1 / (y * .log(high / low)) : 0
        case .histogram(let law), .quantiles(let law):
            return law.density(y)
        case .constant, .mixture, .zipf:
            preconditionFailure("not a continuous family")
        }
    }

    /// P(Y ∈ interval). For a mixture, Y is the mixture of the components'
    /// final variables.
    func mass(in interval: Interval) -> Double {
        guard !interval.isEmpty else { return 0 }
        switch self {
        case .constant(let value):
            return interval.contains(value) ? 1 : 0
        case .mixture(let components, let weights):
            var total = 0.0
            for (component, weight) in zip(components, Self.normalized(weights)) where weight > 0 {
                total += weight * component.probability(in: interval)
            }
            return Swift.min(1, total)
        case .histogram(let law), .quantiles(let law):
            return law.mass(in: interval)
        case .zipf(let law):
            return law.mass(in: interval)
        default:
            return continuousMass(interval.lower, interval.upper)
        }
    }

    /// P(a < Y <= b) for a continuous family, as a difference of CDFs below
    /// the median and of survival functions above it.
    func continuousMass(_ a: Double, _ b: Double) -> Double {
        guard a < b else { return 0 }
        if a == -.infinity { return b == .infinity ? 1 : continuousCDF(b) }
        if b == .infinity { return continuousSurvival(a) }
        if case .normal(let mean, let std) = self {
            return SpecialFunctions.normalMass((a - mean) / std, (b - mean) / std)
        }
        let below = continuousCDF(a)
        let mass = below <= 0.5 ? continuousCDF(b) - below : continuousSurvival(a) - continuousSurvival(b)
        return Swift.max(0, mass)
    }
}
