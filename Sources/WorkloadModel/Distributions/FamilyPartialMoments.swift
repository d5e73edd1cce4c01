import RealModule

/// Partial moments E[(Y − c)^n; Y ∈ S] (n = 0, 1, 2) of the family variable
/// about a pivot c, in closed form for every continuous family (Normal and
/// Uniform natively about c, the others from their raw moments). They give the mean and standard
/// deviation of truncated variables exactly, and the smooth tail of rounded
/// ones (see `roundedMoments`).
extension DistributionFamily {
    func partialMoments(in interval: Interval, about pivot: Double) -> Moments {
        guard !interval.isEmpty else { return .zero }
        let a = interval.lower
        let b = interval.upper
        switch self {
        case .constant(let value):
            return interval.contains(value) ? .atom(value - pivot) : .zero
        case .mixture(let components, let weights):
            var total = Moments.zero
            for (component, weight) in zip(components, Self.normalized(weights)) where weight > 0 {
                total += weight * component.partialMoments(in: interval, about: pivot)
            }
            return total
        case .histogram(let law), .quantiles(let law):
            return law.partialMoments(in: interval, about: pivot)
        case .zipf(let law):
            return law.partialMoments(in: interval, about: pivot)
        case .logUniform(let low, let high):
            // E[Y^n; u < Y <= v] = (v^n − u^n) / (n L) for n >= 1, ln(v/u) / L for n = 0.
            let u = Swift.max(a, low)
            let v = Swift.min(b, high)
            guard u < v else { return .zero }
            let logRatio = Double.log(high / low)
            return Moments(mass: .log(v / u) / logRatio, first: (v - u) / logRatio,
                           second: (v * v - u * u) / (2 * logRatio)).about(pivot)
        case .exponential(let rate):
            // Exponential(rate) = Gamma(1, 1/rate).
            return Self.gammaPartialMoments(shape: 1, scale: 1 / rate, a, b).about(pivot)
        case .gamma(let shape, let scale):
            return Self.gammaPartialMoments(shape: shape, scale: scale, a, b).about(pivot)
        case .weibull(let shape, let scale):
            return Self.weibullPartialMoments(shape: shape, scale: scale, a, b).about(pivot)
        case .logNormal(let mu, let sigma):
            return Self.logNormalPartialMoments(mu: mu, sigma: sigma, a, b).about(pivot)
        case .pareto(let shape, let scale):
            return Self.paretoPartialMoments(shape: shape, scale: scale, a, b, about: pivot)
        case .uniform(let low, let high):
            let u = Swift.max(a, low)
            let v = Swift.min(b, high)
            guard u < v else { return .zero }
            let mass = (v - u) / (high - low)
            let p = u - pivot
            let q = v - pivot
            return Moments(mass: mass, first: mass * (p + q) / 2, second: mass * (p * p + p * q + q * q) / 3)
        case .normal(let mean, let std):
            // Moments of the standard normal over (alpha, beta], then moved to the pivot.
            let alpha = (a - mean) / std
            let beta = (b - mean) / std
            let c0 = SpecialFunctions.normalMass(alpha, beta)
            let c1 = SpecialFunctions.normalDensity(alpha) - SpecialFunctions.normalDensity(beta)
            let c2 = c0 + SpecialFunctions.normalDensityTimesArgument(alpha)
                - SpecialFunctions.normalDensityTimesArgument(beta)
            let shift = mean - pivot
            return Moments(
                mass: c0,
                first: shift * c0 + std * c1,
                second: shift * shift * c0 + 2 * shift * std * c1 + std * std * c2)
        }
    }

    /// E[Y^n; a < Y <= b] for n = 0, 1, 2 (raw moments, about 0).
    private static func weibullPartialMoments(shape: Double, scale: Double, _ a: Double, _ b: Double) -> Moments {
        // (Y/scale)^shape is Exponential(1), so E[Y^n; Y <= y] =
        // scale^n Γ(1 + n/shape) P(1 + n/shape, (y/scale)^shape).
        let xa = a <= 0 ? 0 : Double.pow(a / scale, shape)
        let xb = b <= 0 ? 0 : Double.pow(b / scale, shape)
        func moment(_ n: Double) -> Double {
            let order = 1 + n / shape
            let difference = SpecialFunctions.regularizedGammaDifference(order, xa, xb)
            return difference == 0 ? 0 : Double.pow(scale, n) * .exp(.logGamma(order)) * difference
        }
        return Moments(mass: moment(0), first: moment(1), second: moment(2))
    }

    /// E[Y^n; a < Y <= b] for n = 0, 1, 2 (raw moments, about 0).
    private static func logNormalPartialMoments(mu: Double, sigma: Double, _ a: Double, _ b: Double) -> Moments {
        // E[Y^n; Y <= y] = exp(n mu + n² sigma²/2) Φ((ln y − mu − n sigma²)/sigma).
        let za = a <= 0 ? -Double.infinity : (.log(a) - mu) / sigma
        let zb = b <= 0 ? -Double.infinity : (.log(b) - mu) / sigma
        func moment(_ n: Double) -> Double {
            let difference = SpecialFunctions.normalMass(za - n * sigma, zb - n * sigma)
            return difference == 0 ? 0 : .exp(n * mu + n * n * sigma * sigma / 2 + .log(difference))
        }
        return Moments(mass: moment(0), first: moment(1), second: moment(2))
    }

    /// E[(Y − pivot)^n; a < Y <= b] for n = 0, 1, 2 (exactly zero when the interval misses the support).
    private static func paretoPartialMoments(shape: Double, scale: Double, _ a: Double, _ b: Double, about pivot: Double) -> Moments {
        // E[Y^n; ra·x_m < Y <= rb·x_m] = alpha x_m^n ∫_ra^rb t^(n−alpha−1) dt.
        let ra = Swift.max(a, scale) / scale
        let rb = Swift.max(b, scale) / scale
        guard ra < rb else { return .zero }
        func moment(_ n: Double) -> Double {
            let c = n - shape
            let integral: Double
            if rb == .infinity {
                integral = c < 0 ? -Double.pow(ra, c) / c : .infinity
            } else if Swift.abs(c) < 1e-12 {
                integral = Double.log(rb / ra)
            } else {
                integral = Double.pow(ra, c) * .expMinusOne(c * .log(rb / ra)) / c
            }
            return shape * Double.pow(scale, n) * integral
        }
        return Moments(mass: moment(0), first: moment(1), second: moment(2)).about(pivot)
    }

    /// Raw partial moments of Gamma(shape, scale) over (a, b]:
    /// E[Y^n; Y <= y] = scale^n Γ(shape+n)/Γ(shape) P(shape + n, y/scale).
    static func gammaPartialMoments(shape: Double, scale: Double, _ a: Double, _ b: Double) -> Moments {
        let xa = Swift.max(0, a / scale)
        let xb = Swift.max(0, b / scale)
        func moment(_ n: Int, factor: Double) -> Double {
            let difference = SpecialFunctions.regularizedGammaDifference(shape + Double(n), xa, xb)
            return difference == 0 ? 0 : factor * difference
        }
        return Moments(
            mass: moment(0, factor: 1),
            first: moment(1, factor: shape * scale),
            second: moment(2, factor: shape * (shape + 1) * scale * scale))
    }
}
