import WorkloadModel
import Yams

/// The parameters of `LogUniform`, `Histogram`, `Quantiles` and `Zipf`
/// (see the Distributions article), each problem reported with its key path and value.
extension DistributionParser {
    func logUniform(_ object: ConfigObject) -> DistributionFamily? {
        let low = object.number("low", .positive), high = object.number("high")
        guard let low, let high else { return nil }
        guard low < high else {
            reader.report(object.path("low"), "must be < high (got low \(NumberRule.format(low)), high \(NumberRule.format(high)))")
            return nil
        }
        return .logUniform(low: low, high: high)
    }

    /// `{edges: [e0, ..., en], weights: [w1, ..., wn]}`: strictly increasing
    /// edges, one non-negative weight per bin, not all zero.
    func histogram(_ object: ConfigObject) -> DistributionFamily? {
        let edges = numbers(object, "edges")
        let weights = numbers(object, "weights")
        guard let edges, let weights else { return nil }
        var good = true
        if edges.count < 2 {
            reader.report(object.path("edges"), "needs at least two edges (got \(edges.count))")
            return nil
        }
        for i in 1..<edges.count where edges[i] <= edges[i - 1] {
            reader.report("\(object.path("edges"))[\(i)]", "edges must be strictly increasing (got \(NumberRule.format(edges[i])) after \(NumberRule.format(edges[i - 1])))")
            good = false
        }
        if weights.count != edges.count - 1 {
            reader.report(object.path("weights"), "needs one weight per bin: \(edges.count - 1) for \(edges.count) edges (got \(weights.count))")
            return nil
        }
        for (i, weight) in weights.enumerated() where weight < 0 {
            reader.report("\(object.path("weights"))[\(i)]", "must be >= 0 (got \(NumberRule.format(weight)))")
            good = false
        }
        if good && weights.reduce(0, +) <= 0 {
            reader.report(object.path("weights"), "must not all be zero")
            good = false
        }
        return good ? .histogram(.histogram(edges: edges, weights: weights)) : nil
    }

    /// `{points: [[p, x], ...]}`: p from 0 to 1 inclusive, p and x non-decreasing.
    func quantiles(_ object: ConfigObject) -> DistributionFamily? {
        guard let node = object.required("points", "a list of [p, x] pairs") else { return nil }
        let path = object.path("points")
        guard case .sequence(let list) = node, list.count >= 2 else {
            reader.report(path, "expected a list of at least two [p, x] pairs (got \(ConfigReader.describe(node)))")
            return nil
        }
        var levels: [Double] = []
        var knots: [Double] = []
        var good = true
        for (i, pair) in list.enumerated() {
            guard case .sequence(let items) = pair, items.count == 2,
                  let p = reader.number(items[0], at: "\(path)[\(i)][0]"),
                  let x = reader.number(items[1], at: "\(path)[\(i)][1]") else {
                if case .sequence(let items) = pair, items.count == 2 { good = false; continue }
                reader.report("\(path)[\(i)]", "expected a pair [p, x] (got \(ConfigReader.describe(pair)))")
                good = false
                continue
            }
            if !(0...1).contains(p) {
                reader.report("\(path)[\(i)][0]", "must be a probability in [0, 1] (got \(NumberRule.format(p)))")
                good = false
            }
            if let lastP = levels.last, let lastX = knots.last {
                if p < lastP {
                    reader.report("\(path)[\(i)][0]", "p must be non-decreasing (got \(NumberRule.format(p)) after \(NumberRule.format(lastP)))")
                    good = false
                }
                if x < lastX {
                    reader.report("\(path)[\(i)][1]", "x must be non-decreasing (got \(NumberRule.format(x)) after \(NumberRule.format(lastX)))")
                    good = false
                }
            }
            levels.append(p)
            knots.append(x)
        }
        guard good else { return nil }
        if levels.first != 0 || levels.last != 1 {
            reader.report(path, "p must start at 0 and end at 1 (got \(NumberRule.format(levels.first ?? 0)) ... \(NumberRule.format(levels.last ?? 0)))")
            return nil
        }
        return .quantiles(PiecewiseLinearCDF(knots: knots, levels: levels))
    }

    /// `{s, n}`: s > 0, n an integer in 1 ... 2^53.
    func zipf(_ object: ConfigObject) -> DistributionFamily? {
        let s = object.number("s", .positive)
        let n = object.integer("n", default: nil, .between(1, 0x1p53))
        guard let s, let n else { return nil }
        return .zipf(ZipfLaw(exponent: s, count: Double(n)))
    }

    /// A list of numbers, each bad element reported with its index.
    private func numbers(_ object: ConfigObject, _ key: String) -> [Double]? {
        guard let node = object.required(key, "a list of numbers") else { return nil }
        guard case .sequence(let list) = node else {
            reader.report(object.path(key), "expected a list of numbers (got \(ConfigReader.describe(node)))")
            return nil
        }
        let values = list.enumerated().map { reader.number($0.element, at: "\(object.path(key))[\($0.offset)]") }
        let parsed = values.compactMap { $0 }
        return parsed.count == values.count ? parsed : nil
    }
}
