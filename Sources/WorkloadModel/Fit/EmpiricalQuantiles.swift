/// `Quantiles` points `[[p, x], ...]` for a sample: the empirical law as a
/// piecewise-linear CDF (`fit`'s fallback when no parametric family fits).
package enum EmpiricalQuantiles {
    /// For integer data read with `is_int` (rounding to the nearest integer):
    /// knots at v - 0.5 with p = F_n(v - 1) and at v + 0.5 with p = F_n(v)
    /// for the empirical quantiles v at `levels` evenly spaced levels, so
    /// P(round(X) = v) is v's own share exactly and the mass between two
    /// such values is spread evenly over the integers between them. The
    /// first knot is min - 0.5 at p = 0.
    package static func integerPoints(sorted: [Double], levels: Int = 256) -> [(p: Double, x: Double)] {
        precondition(!sorted.isEmpty)
        let n = sorted.count
        var points: [(p: Double, x: Double)] = [(0, sorted[0] - 0.5)]
        var lastValue = -Double.infinity
        for level in 1...levels {
            let index = Swift.min(n - 1, Int((Double(level) / Double(levels) * Double(n)).rounded(.up)) - 1)
            let value = sorted[Swift.max(0, index)]
            guard value > lastValue else { continue }
            lastValue = value
            // Both sides of the value: its own mass stays on it (an atom is
            // not smeared over the integers since the previous knot).
            if value - 0.5 > points[points.count - 1].x {
                points.append((Double(upperBound(sorted, value.nextDown)) / Double(n), value - 0.5))
            }
            points.append((Double(upperBound(sorted, value)) / Double(n), value + 0.5))
        }
        points[points.count - 1].p = 1
        return points
    }

    /// For continuous data (atoms allowed: equal x on consecutive points put
    /// the jump on that value): the empirical quantile at `levels` evenly
    /// spaced levels, from the minimum (p = 0) to the maximum (p = 1).
    package static func continuousPoints(sorted: [Double], levels: Int = 256) -> [(p: Double, x: Double)] {
        precondition(!sorted.isEmpty)
        let n = sorted.count
        var points: [(p: Double, x: Double)] = []
        for level in 0...levels {
            let p = Double(level) / Double(levels)
            let position = p * Double(n - 1)
            let lower = Int(position.rounded(.down))
            let upper = Swift.min(lower + 1, n - 1)
            let x = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
            if let last = points.last, last.x == x, let before = points.dropLast().last, before.x == x {
                points[points.count - 1].p = p  // keep only the two ends of an atom
            } else {
                points.append((p, x))
            }
        }
        return points
    }

    /// The number of elements <= value.
    static func upperBound(_ sorted: [Double], _ value: Double) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
