import Synchronization
import RealModule

/// A distribution as configured: a family, optional rounding to integers
/// (`is_int`: round to nearest, then raise values below 1 to 1; Uniform draws
/// integers uniformly from low...high), and optional truncation to
/// [min, max] by conditioning (resampling), never by clamping.
///
/// The "final variable" is what `sample` returns: the family variable Y,
/// then rounded if `isInt` (Z = max(1, round(Y)), halves away from zero), then
/// conditioned on min <= Z <= max. `cdf`, `mean` and `standardDeviation`
/// describe that variable exactly (closed forms, or deterministic numerics for
/// rounded and truncated variables).
@usableFromInline package struct Distribution: Sendable, Equatable {
    @usableFromInline package let family: DistributionFamily
    @usableFromInline package let isInt: Bool
    @usableFromInline package let min: Double?
    @usableFromInline package let max: Double?

    /// P(min <= X <= max) for the untruncated (but rounded, if is_int) variable;
    /// 1 without truncation. The config layer rejects a truncation whose mass is tiny.
    @usableFromInline package let truncationMass: Double

    /// `min` and `max` with the absent ones as ∓infinity, for the hot path.
    @usableFromInline let lowerBound: Double
    @usableFromInline let upperBound: Double
    @usableFromInline let sampler: Sampler

    /// Requires parameters the family can have (positive rates, scales and
    /// shapes, low < high, matching non-negative mixture weights with a
    /// positive sum, min <= max, at least one integer in an `is_int` Uniform);
    /// the config layer reports violations with key paths before this point.
    @usableFromInline package init(_ family: DistributionFamily, isInt: Bool = false, min: Double? = nil, max: Double? = nil) {
        if let problem = family.parameterProblem { preconditionFailure(problem) }
        precondition(!(min?.isNaN ?? false) && !(max?.isNaN ?? false), "truncation bounds must not be NaN")
        self.family = family
        self.isInt = isInt
        self.min = min
        self.max = max
        lowerBound = min ?? -.infinity
        upperBound = max ?? .infinity
        precondition(lowerBound <= upperBound, "min must be <= max (got \(lowerBound), \(upperBound))")
        sampler = Sampler(family: family, isInt: isInt)
        if min == nil && max == nil {
            truncationMass = 1
        } else {
            truncationMass = Self.untruncatedProbability(family, isInt: isInt, in: .closed(lowerBound, upperBound))
        }
    }

    /// One draw of the final variable (after rounding and truncation).
    ///
    /// Truncation resamples until the draw lies in [min, max], so the expected
    /// number of family draws is 1 / `truncationMass`.
    @inlinable
    package func sample<R: RandomNumberGenerator>(using rng: inout R) -> Double {
        while true {
            var value = sampler.draw(using: &rng)
            if isInt { value = Swift.max(1, value.rounded()) }
            if value >= lowerBound && value <= upperBound { return value }
        }
    }

    /// CDF of the final variable, P(X <= x). For `is_int` variables a step
    /// function: P(X <= x) = P(X <= floor(x)).
    @usableFromInline package func cdf(_ x: Double) -> Double {
        guard !x.isNaN else { return .nan }
        return probability(in: .atMost(x))
    }

    /// Mean of the final variable (exact where closed-form, else deterministic numerics).
    /// Infinite for a heavy tail without `max` (Pareto with alpha <= 1).
    @usableFromInline package var mean: Double {
        if !isInt && min == nil && max == nil { return family.mean }
        if max == nil && family.mean == .infinity { return .infinity }
        // Summed over integers or integrated: worth keeping, as the figures ask for it many times.
        if let known = MomentCache.means.withLock({ cache in cache.first { $0.distribution == self }?.mean }) { return known }
        let pivot = roughCentre
        let mean = pivot + partialMoments(in: .all, about: pivot).meanOffset
        MomentCache.means.withLock { cache in
            if cache.count >= MomentCache.capacity { cache.removeFirst() }
            cache.append((self, mean))
        }
        return mean
    }

    /// Standard deviation of the final variable.
    /// Infinite for a heavy tail without `max` (Pareto with alpha <= 2).
    @usableFromInline package var standardDeviation: Double {
        if !isInt && min == nil && max == nil { return family.variance.squareRoot() }
        if max == nil && family.variance == .infinity { return .infinity }
        let mean = self.mean
        guard mean.isFinite else { return .infinity }
        // Second pass about the mean itself: no cancellation in the variance.
        return partialMoments(in: .all, about: mean).variance.squareRoot()
    }

    /// A point near the mean to take moments about: the family's mean, moved
    /// into the final variable's support.
    var roughCentre: Double {
        let familyMean = family.mean
        let centre = familyMean.isFinite ? familyMean : 0
        return Swift.min(Swift.max(centre, infimum), supremum)
    }

    /// The infimum of the untruncated family's support (0 for Exponential,
    /// -infinity for Normal, `scale` for Pareto ...). For a Mixture, the
    /// smallest `infimum` among its components (with positive weight).
    @usableFromInline package var supportLowerBound: Double {
        family.supportLowerBound
    }

    /// The infimum of the final variable's support as far as the family, the
    /// rounding and `min` imply it: the smallest value `sample` can approach.
    /// A time-valued distribution never yields negative values if this is >= 0.
    @usableFromInline package var infimum: Double {
        if isInt {
            var low: Double
            if case .uniform(let uniformLow, _) = family {
                low = uniformLow.rounded(.up)
            } else {
                low = family.supportLowerBound.rounded()
            }
            low = Swift.max(1, low)
            if let min { low = Swift.max(low, min.rounded(.up)) }
            return low
        }
        return Swift.max(family.supportLowerBound, lowerBound)
    }

    /// The supremum of the final variable's support as far as the family, the
    /// rounding and `max` imply it.
    @usableFromInline package var supremum: Double {
        if isInt {
            var high: Double
            if case .uniform(_, let uniformHigh) = family {
                high = uniformHigh.rounded(.down)
            } else {
                high = family.supportUpperBound.rounded()
            }
            high = Swift.max(1, high)
            if let max { high = Swift.min(high, max.rounded(.down)) }
            return high
        }
        return Swift.min(family.supportUpperBound, upperBound)
    }

    /// The variable multiplied by `factor` > 0 (used to rescale inter-arrival
    /// times in superposition mode); bounds are scaled too. With `is_int` the
    /// scaled family is rounded again, so only the continuous part scales exactly.
    @usableFromInline package func scaled(by factor: Double) -> Distribution {
        precondition(factor > 0 && factor.isFinite, "scale factor must be > 0 (got \(factor))")
        return Distribution(
            family.scaled(by: factor), isInt: isInt,
            min: min.map { $0 * factor }, max: max.map { $0 * factor })
    }
}

// MARK: - Probabilities and moments of the final variable

extension Distribution {
    /// P(X ∈ interval) for the final variable.
    func probability(in interval: Interval) -> Double {
        let set = interval.intersection(.closed(lowerBound, upperBound))
        guard !set.isEmpty else { return 0 }
        let mass = Self.untruncatedProbability(family, isInt: isInt, in: set)
        return Swift.min(1, mass / truncationMass)
    }

    /// Partial moments of the final variable over `interval`, about `pivot`.
    func partialMoments(in interval: Interval, about pivot: Double) -> Moments {
        let set = interval.intersection(.closed(lowerBound, upperBound))
        guard !set.isEmpty else { return .zero }
        return (1 / truncationMass) * Self.untruncatedMoments(family, isInt: isInt, in: set, about: pivot)
    }

    /// Σ (k − pivot)^n P(max(1, round(X)) = k, X ∈ region) over k in
    /// first...last, for the final variable X (a mixture rounds its
    /// components this way).
    func roundedMoments(within region: Interval, first: Double, last: Double, about pivot: Double) -> Moments {
        if isInt {
            // X is already an integer >= 1, so rounding leaves it alone.
            return partialMoments(in: region.intersection(.closed(first, last)), about: pivot)
        }
        let set = region.intersection(.closed(lowerBound, upperBound))
        guard !set.isEmpty else { return .zero }
        return (1 / truncationMass) * family.roundedMoments(within: set, first: first, last: last, about: pivot)
    }

    /// P(Z ∈ interval) for the rounded (if is_int) but untruncated variable Z.
    static func untruncatedProbability(_ family: DistributionFamily, isInt: Bool, in interval: Interval) -> Double {
        guard isInt else { return family.mass(in: interval) }
        let range = interval.integerRange
        let first = Swift.max(1, range.first)
        guard first <= range.last else { return 0 }
        if case .uniform(let low, let high) = family {
            return uniformIntegerMoments(low: low, high: high, first: first, last: range.last, about: 0).mass
        }
        return family.mass(in: .roundingCells(first, range.last))
    }

    /// Partial moments of the rounded (if is_int) but untruncated variable Z.
    static func untruncatedMoments(
        _ family: DistributionFamily, isInt: Bool, in interval: Interval, about pivot: Double
    ) -> Moments {
        guard isInt else { return family.partialMoments(in: interval, about: pivot) }
        let range = interval.integerRange
        let first = Swift.max(1, range.first)
        guard first <= range.last else { return .zero }
        if case .uniform(let low, let high) = family {
            return uniformIntegerMoments(low: low, high: high, first: first, last: range.last, about: pivot)
        }
        return family.roundedMoments(within: .all, first: first, last: range.last, about: pivot)
    }

    /// Partial moments over first...last (first >= 1) of max(1, U) about
    /// `pivot`, U uniform on the integers ceil(low)...floor(high), in closed form.
    static func uniformIntegerMoments(
        low: Double, high: Double, first: Double, last: Double, about pivot: Double
    ) -> Moments {
        let lowest = low.rounded(.up)
        let highest = high.rounded(.down)
        let count = highest - lowest + 1
        var result = Moments.zero
        if first <= 1 && last >= 1 {
            let raised = Swift.max(0, Swift.min(highest, 1) - lowest + 1)
            result += .atom(1 - pivot, probability: raised / count)
        }
        let from = Swift.max(lowest, 2, first)
        let to = Swift.min(highest, last)
        if from <= to {
            // n consecutive integers centred on c: Σk = n c, Σk² = n (c² + (n² − 1)/12).
            let n = to - from + 1
            let centre = (from + to) / 2 - pivot
            result += Moments(
                mass: n / count,
                first: n * centre / count,
                second: n * (centre * centre + (n * n - 1) / 12) / count)
        }
        return result
    }
}

/// Means of integer or truncated distributions already worked out in this
/// process (the value depends only on the distribution).
enum MomentCache {
    /// Room for every component of the largest mixture, and its own.
    static let capacity = 1100
    static let means = Mutex<[(distribution: Distribution, mean: Double)]>([])
}
