import RealModule

/// Moments of rounded variables: Σ (k − c)^n P(max(1, round(Y)) = k, Y ∈ region)
/// over k in first...last (first >= 1), about a pivot c.
///
/// Cells are summed exactly (one interval mass each) over the bulk of the
/// distribution. A tail that is still heavy after `maxExactCells` cells lies
/// where the density is smooth on the scale of one integer, and is integrated
/// in closed form with the Euler–Maclaurin end corrections of the midpoint rule
/// (the first-moment correction (f(A) − f(B))/12 and Sheppard's
/// E[(round(Y) − Y)²] = 1/12 for the second moment), so heavy tails cost a
/// bounded amount of work and give an infinite moment where there is one.
extension DistributionFamily {
    static let maxExactCells = 16_384.0

    func roundedMoments(within region: Interval, first: Double, last: Double, about pivot: Double) -> Moments {
        switch self {
        case .constant(let value):
            guard region.contains(value) else { return .zero }
            let k = Swift.max(1, value.rounded())
            return k >= first && k <= last ? .atom(k - pivot) : .zero
        case .mixture(let components, let weights):
            // Rounding a mixture is the mixture of the rounded components.
            var total = Moments.zero
            for (component, weight) in zip(components, Self.normalized(weights)) where weight > 0 {
                total += weight * component.roundedMoments(within: region, first: first, last: last, about: pivot)
            }
            return total
        case .histogram(let law), .quantiles(let law):
            return law.roundedMoments(within: region, first: first, last: last, about: pivot)
        case .zipf(let law):
            // Already integers >= 1: rounding leaves them alone.
            return law.partialMoments(in: region.intersection(.closed(first, last)), about: pivot)
        default:
            return continuousRoundedMoments(within: region, first: first, last: last, about: pivot)
        }
    }

    private func continuousRoundedMoments(
        within region: Interval, first: Double, last: Double, about pivot: Double
    ) -> Moments {
        let support = Interval.closed(supportLowerBound, supportUpperBound)
        let set = region.intersection(.roundingCells(first, last)).intersection(support)
        guard !set.isEmpty else { return .zero }
        let total = mass(in: set)
        guard total > 0 else { return .zero }

        func cell(containing y: Double) -> Double { y < 1.5 ? 1 : (y + 0.5).rounded(.down) }
        func cellMass(_ k: Double) -> Double { mass(in: set.intersection(.roundingCells(k, k))) }
        let lastCell = Swift.min(last, cell(containing: set.upper))
        var firstCell = Swift.max(first, cell(containing: set.lower))

        // Skip leading cells that together hold less than 1e-17 of the mass, so
        // that a narrow bulk far from 1 is summed cell by cell, not integrated.
        firstCell = firstCellWithMass(in: set, from: firstCell, to: lastCell, total: total)

        var result = Moments.zero
        var k = firstCell
        var count = 0.0
        while true {
            result += .atom(k - pivot, probability: cellMass(k))
            count += 1
            if k >= lastCell { return result }
            if count >= Self.maxExactCells { break }
            if count.truncatingRemainder(dividingBy: 32) == 0,
               mass(in: set.intersection(.atLeast(k + 0.5))) <= 1e-16 * total {
                break
            }
            k += 1
        }

        // Cells k+1 ... lastCell: the last few exactly (the density may jump at
        // a truncation bound there), the rest by the corrected integral.
        let tailFirst = k + 1
        // Cells are only countable one by one where doubles still step by 1.
        let countable = lastCell.isFinite && lastCell < 0x1p52
        let exactFrom = countable ? Swift.max(tailFirst, lastCell - 7) : .infinity
        if countable {
            var j = exactFrom
            while j <= lastCell {
                result += .atom(j - pivot, probability: cellMass(j))
                j += 1
            }
        }
        let smooth = set.intersection(Interval(lower: tailFirst - 0.5, lowerClosed: true, upper: exactFrom - 0.5, upperClosed: false))
        guard !smooth.isEmpty else { return result }
        var tail = partialMoments(in: smooth, about: pivot)
        let a = smooth.lower - pivot
        let b = smooth.upper - pivot
        let densityA = continuousDensity(smooth.lower)
        let densityB = b.isFinite ? continuousDensity(smooth.upper) : 0
        let bTimesDensityB = b.isFinite ? b * densityB : 0
        tail.first += (densityA - densityB) / 12
        tail.second += (a * densityA - bTimesDensityB) / 6 + tail.mass / 12
        return result + tail
    }

    /// The first of the cells `first...last` before which `set` holds more than
    /// 1e-17 of `total` (found by doubling, then bisection).
    private func firstCellWithMass(in set: Interval, from firstCell: Double, to lastCell: Double, total: Double) -> Double {
        let negligible = 1e-17 * total
        func massBelow(_ k: Double) -> Double { mass(in: set.intersection(.below(k - 0.5))) }
        guard lastCell - firstCell > 64, massBelow(firstCell + 1) <= negligible else { return firstCell }
        var good = firstCell + 1
        var bad = lastCell + 1
        var step = 1.0
        while good + step <= lastCell {
            if massBelow(good + step) <= negligible {
                good += step
                step *= 2
            } else {
                bad = good + step
                break
            }
        }
        while bad - good > 1 {
            let middle = ((good + bad) / 2).rounded(.down)
            // Past 2^53 neighbouring doubles are more than 1 apart: stop there.
            if middle == good || middle == bad { break }
            if massBelow(middle) <= negligible { good = middle } else { bad = middle }
        }
        return good
    }
}
