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
        if let ranks = countedRanks(values) { return ranks }
        // Pairs sort in place, without reaching back into `values` per comparison.
        var order = values.enumerated().map { (value: $0.element, index: $0.offset) }
        order.sort { $0.value < $1.value }
        var result = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && order[end + 1].value == order[start].value { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for i in start...end { result[order[i].index] = rank }
            start = end + 1
        }
        return result
    }

    /// The same ranks by counting, when every value is a whole number from 0
    /// to a few million (token counts): `nil` otherwise.
    static func countedRanks(_ values: [Double]) -> [Double]? {
        let limit = Double(Swift.max(1 << 16, Swift.min(values.count, 1 << 24)))
        var largest = 0.0
        for value in values {
            guard value >= 0, value <= limit, value.rounded(.towardZero) == value else { return nil }
            largest = Swift.max(largest, value)
        }
        var below = [Int](repeating: 0, count: Int(largest) + 2)
        for value in values { below[Int(value) + 1] += 1 }
        // below[k]: how many values are less than k.
        for k in below.indices.dropFirst() { below[k] += below[k - 1] }
        return values.map { value in
            let k = Int(value)
            // Positions below[k] ... below[k + 1] - 1 in sorted order hold k.
            return Double(below[k] + below[k + 1] - 1) / 2 + 1
        }
    }
}
