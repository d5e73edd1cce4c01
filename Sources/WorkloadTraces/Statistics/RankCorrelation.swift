/// Spearman's rank correlation of paired values: Pearson's correlation of
/// their ranks, tied values given their average rank (`stats`, and the
/// copula's tests).
package enum RankCorrelation {
    package static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "paired values")
        guard x.count > 1 else { return .nan }
        let rx = ranks(x), ry = ranks(y)
        let mean = (Double(x.count) + 1) / 2
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = rx[i] - mean, dy = ry[i] - mean
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        return sxy / (sxx * syy).squareRoot()
    }

    /// 1-based ranks, ties averaged.
    package static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var result = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for i in start...end { result[order[i]] = rank }
            start = end + 1
        }
        return result
    }
}
