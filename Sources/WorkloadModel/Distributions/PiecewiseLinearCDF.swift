/// A CDF that is linear between knots: the law of `Histogram` (uniform within
/// each bin, bins chosen by weight) and of `Quantiles` (the CDF through the
/// given (p, x) points). Two knots at the same x make an atom there (the CDF
/// jumps); a segment whose levels are equal holds no mass.
///
/// Every figure is exact: a segment is a uniform variable with the segment's
/// share of the mass, an atom a point mass.
@usableFromInline package struct PiecewiseLinearCDF: Sendable, Equatable {
    /// x_0 <= x_1 <= ... <= x_n.
    @usableFromInline package let knots: [Double]
    /// F(x_i): 0 = levels[0] <= ... <= levels[n] = 1.
    @usableFromInline package let levels: [Double]

    /// Requires at least two knots, non-decreasing finite knots and levels
    /// from 0 to 1 (the config layer reports violations with key paths).
    @usableFromInline package init(knots: [Double], levels: [Double]) {
        precondition(knots.count >= 2 && knots.count == levels.count, "a piecewise-linear CDF needs matching knots and levels")
        self.knots = knots
        self.levels = levels
    }

    /// The law of a histogram: bin i is [edges[i], edges[i+1]) with weight
    /// weights[i] (weights normalised to sum to 1).
    @usableFromInline package static func histogram(edges: [Double], weights: [Double]) -> PiecewiseLinearCDF {
        let total = weights.reduce(0, +)
        var levels = [0.0]
        var running = 0.0
        for weight in weights {
            running += weight
            levels.append(running / total)
        }
        levels[levels.count - 1] = 1
        return PiecewiseLinearCDF(knots: edges, levels: levels)
    }

    /// The bin weights of the histogram form (the mass of each segment).
    @usableFromInline package var segmentMasses: [Double] {
        (1..<levels.count).map { levels[$0] - levels[$0 - 1] }
    }

    var problem: String? {
        if knots.count < 2 || knots.count != levels.count { return "needs at least two points" }
        if knots.contains(where: { !$0.isFinite }) || levels.contains(where: { !$0.isFinite }) { return "points must be finite" }
        if levels.first != 0 || levels.last != 1 { return "levels must run from 0 to 1" }
        for i in 1..<knots.count where knots[i] < knots[i - 1] || levels[i] < levels[i - 1] {
            return "points must be non-decreasing"
        }
        return nil
    }

    /// The segments with positive mass: (index, lower knot, upper knot, mass).
    func forEachSegment(_ body: (Double, Double, Double) -> Void) {
        for i in 1..<knots.count {
            let mass = levels[i] - levels[i - 1]
            if mass > 0 { body(knots[i - 1], knots[i], mass) }
        }
    }

    var lowerBound: Double {
        for i in 1..<knots.count where levels[i] > levels[i - 1] { return knots[i - 1] }
        return knots[0]
    }

    var upperBound: Double {
        for i in (1..<knots.count).reversed() where levels[i] > levels[i - 1] { return knots[i] }
        return knots[knots.count - 1]
    }

    /// P(Y ∈ interval), exactly (atoms included when the interval contains them).
    func mass(in interval: Interval) -> Double {
        guard !interval.isEmpty else { return 0 }
        var total = 0.0
        forEachSegment { a, b, mass in
            if a == b {
                if interval.contains(a) { total += mass }
            } else {
                let u = Swift.max(a, interval.lower)
                let v = Swift.min(b, interval.upper)
                if u < v { total += mass * (v - u) / (b - a) }
            }
        }
        return Swift.min(1, total)
    }

    /// The density where the CDF is linear (atoms are not densities).
    func density(_ y: Double) -> Double {
        var result = 0.0
        forEachSegment { a, b, mass in
            if a < b && y >= a && y < b { result = mass / (b - a) }
        }
        return result
    }

    /// E[(Y − c)^n; Y ∈ interval] for n = 0, 1, 2.
    func partialMoments(in interval: Interval, about pivot: Double) -> Moments {
        guard !interval.isEmpty else { return .zero }
        var total = Moments.zero
        forEachSegment { a, b, mass in
            if a == b {
                if interval.contains(a) { total += .atom(a - pivot, probability: mass) }
                return
            }
            let u = Swift.max(a, interval.lower)
            let v = Swift.min(b, interval.upper)
            guard u < v else { return }
            let share = mass * (v - u) / (b - a)
            let p = u - pivot
            let q = v - pivot
            total += Moments(mass: share, first: share * (p + q) / 2, second: share * (p * p + p * q + q * q) / 3)
        }
        return total
    }

    /// Σ (k − c)^n P(max(1, round(Y)) = k, Y ∈ region) over k in first...last,
    /// exactly: inside a segment every whole rounding cell has the same mass,
    /// so a run of whole cells is summed in closed form, and the two partial
    /// cells at the ends one by one.
    func roundedMoments(within region: Interval, first: Double, last: Double, about pivot: Double) -> Moments {
        let set = region.intersection(.roundingCells(first, last))
        guard !set.isEmpty else { return .zero }
        func cell(_ y: Double) -> Double { y < 1.5 ? 1 : (y + 0.5).rounded(.down) }
        var total = Moments.zero
        forEachSegment { a, b, mass in
            if a == b {
                if set.contains(a) { total += .atom(cell(a) - pivot, probability: mass) }
                return
            }
            let u = Swift.max(a, set.lower)
            let v = Swift.min(b, set.upper)
            guard u < v else { return }
            let slope = mass / (b - a)
            let firstCell = cell(u)
            let lastCell = cell(v)
            if firstCell == lastCell {
                total += .atom(firstCell - pivot, probability: slope * (v - u))
                return
            }
            // The first cell runs from u to its upper end, the last from its lower end to v.
            total += .atom(firstCell - pivot, probability: slope * (firstCell + 0.5 - u))
            total += .atom(lastCell - pivot, probability: slope * (v - (lastCell - 0.5)))
            let from = firstCell + 1
            let to = lastCell - 1
            if from <= to {
                // n consecutive integers centred on c: Σk = n c, Σk² = n (c² + (n² − 1)/12).
                let count = to - from + 1
                let centre = (from + to) / 2 - pivot
                total += Moments(
                    mass: slope * count, first: slope * count * centre,
                    second: slope * count * (centre * centre + (count * count - 1) / 12))
            }
        }
        return total
    }

    /// The smallest y with F(y) >= p (p in [0, 1]): inverse of the linear pieces.
    @usableFromInline package func quantile(_ p: Double) -> Double {
        var i = 1
        while i < levels.count - 1 && levels[i] <= p { i += 1 }
        return value(inSegment: i, at: p)
    }

    /// x on segment i (between knots i-1 and i) where the CDF reaches p.
    @inlinable
    func value(inSegment i: Int, at p: Double) -> Double {
        let a = knots[i - 1]
        let b = knots[i]
        let low = levels[i - 1]
        let span = levels[i] - low
        guard span > 0, a < b else { return a == b ? a : b }
        return Swift.min(b, a + (b - a) * Swift.max(0, p - low) / span)
    }

    @usableFromInline package var mean: Double {
        partialMoments(in: .all, about: 0).first
    }

    @usableFromInline package var variance: Double {
        partialMoments(in: .all, about: mean).second
    }

    func scaled(by factor: Double) -> PiecewiseLinearCDF {
        PiecewiseLinearCDF(knots: knots.map { $0 * factor }, levels: levels)
    }
}
