/// Kolmogorov-Smirnov distances for `fit`: between two samples, and between
/// a sample and a distribution's CDF. Both handle ties (token counts are
/// integers, Mooncake timestamps are rounded): the supremum is taken just
/// after every distinct value, and for a CDF also just before it.
package enum KolmogorovSmirnov {
    /// sup |F_a(x) - F_b(x)| of the two empirical CDFs; both arrays sorted ascending.
    package static func distance(sorted a: [Double], sorted b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        var i = 0, j = 0, d = 0.0
        let na = Double(a.count), nb = Double(b.count)
        while i < a.count || j < b.count {
            let x = Swift.min(i < a.count ? a[i] : .infinity, j < b.count ? b[j] : .infinity)
            while i < a.count && a[i] <= x { i += 1 }
            while j < b.count && b[j] <= x { j += 1 }
            d = Swift.max(d, abs(Double(i) / na - Double(j) / nb))
        }
        return d
    }

    /// sup |F_n(x) - F(x)| against `cdf` (P(X <= x)); `sample` sorted ascending.
    /// For the left limits, F(x-) is taken as F at the next lower integer for
    /// integer-valued data (`integer`), else just below x.
    package static func distance(sorted sample: [Double], cdf: (Double) -> Double, integer: Bool) -> Double {
        guard !sample.isEmpty else { return .nan }
        let n = Double(sample.count)
        var i = 0, d = 0.0
        while i < sample.count {
            let x = sample[i]
            let below = Double(i) / n
            while i < sample.count && sample[i] == x { i += 1 }
            let at = Double(i) / n
            d = Swift.max(d, abs(at - cdf(x)), abs(below - cdf(integer ? x - 1 : x.nextDown)))
        }
        return d
    }

    /// The two-sample critical distance at level 5%: 1.358 sqrt((n + m) / (n m)).
    package static func critical(_ n: Int, _ m: Int) -> Double {
        1.358 * ((Double(n) + Double(m)) / (Double(n) * Double(m))).squareRoot()
    }
}
