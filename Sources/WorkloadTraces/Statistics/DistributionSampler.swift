import Foundation
import WorkloadModel
import Yams
import WorkloadConfig

/// `sample`: draws from one distribution spec given as YAML or JSON.
package enum DistributionSampler {
    /// Parses a spec such as `{type: LogNormal, mean: 128, sigma: 64, is_int: true}`.
    package static func parse(_ text: String) throws(ConfigError) -> Distribution {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(source: "--dist", problems: [ConfigProblem(path: "", message: "not valid YAML or JSON: \(error)")])
        }
        guard let node else {
            throw ConfigError(source: "--dist", problems: [ConfigProblem(path: "", message: "empty distribution spec")])
        }
        let reader = ConfigReader()
        let distribution = DistributionParser(reader: reader).parse(node, at: "dist", role: .value)
        guard let distribution, reader.problems.isEmpty else {
            throw ConfigError(source: "--dist", problems: reader.problems)
        }
        return distribution
    }

    /// `count` draws from the stream named "sample" under `seed`.
    package static func draws(_ distribution: Distribution, count: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed, identity: StreamIdentity("sample"))
        var values = [Double]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(distribution.sample(using: &rng)) }
        return values
    }

    /// Calls `body` with the `count` draws of `draws(_:count:seed:)`, in
    /// order, a block of at most `block` at a time: memory stays bounded
    /// whatever the count.
    package static func forEachBlock(_ distribution: Distribution, count: Int, seed: UInt64, block: Int = 1 << 16,
                                    _ body: (ArraySlice<Double>) -> Void) {
        var rng = Xoshiro256(seed: seed, identity: StreamIdentity("sample"))
        var values = [Double]()
        values.reserveCapacity(Swift.min(count, block))
        var left = count
        while left > 0 {
            values.removeAll(keepingCapacity: true)
            for _ in 0..<Swift.min(left, block) { values.append(distribution.sample(using: &rng)) }
            left -= values.count
            body(values[...])
        }
    }

    /// One value per line: integers without a fraction, others round-trip exact.
    package static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

/// Count, mean, standard deviation, extremes and quantiles of a sample.
package struct SampleSummary: Sendable, Equatable {
    package var count: Int
    package var mean: Double
    package var std: Double
    package var min: Double
    package var p50: Double
    package var p90: Double
    package var p99: Double
    package var max: Double

    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = values.count
        mean = values.reduce(0, +) / Double(count)
        let m = mean
        std = count > 1 ? (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(count - 1)).squareRoot() : 0
        min = sorted[0]
        max = sorted[count - 1]
        p50 = Self.quantile(sorted, 0.5)
        p90 = Self.quantile(sorted, 0.9)
        p99 = Self.quantile(sorted, 0.99)
    }

    /// The largest sample whose quantiles are exact: beyond it `summary`
    /// keeps every k-th draw for the quantiles (80 MB of draws at most).
    package static let exactQuantileLimit = 10_000_000

    /// The summary of `count` draws without holding them: count, mean, std,
    /// min and max use every draw; p50, p90 and p99 are exact up to
    /// `exactQuantileLimit` draws, beyond it those of every k-th draw
    /// (k = ceil(count / limit)), an i.i.d. subsample of at most `limit`.
    package static func summary(_ distribution: Distribution, count: Int, seed: UInt64) -> SampleSummary? {
        guard count > 0 else { return nil }
        if count <= exactQuantileLimit { return SampleSummary(DistributionSampler.draws(distribution, count: count, seed: seed)) }
        let stride = (count - 1) / exactQuantileLimit + 1
        var kept: [Double] = []
        kept.reserveCapacity(count / stride + 1)
        // Welford's running mean and sum of squared deviations.
        var index = 0, mean = 0.0, squares = 0.0
        var low = Double.infinity, high = -Double.infinity
        DistributionSampler.forEachBlock(distribution, count: count, seed: seed) { block in
            for value in block {
                if index % stride == 0 { kept.append(value) }
                index += 1
                let delta = value - mean
                mean += delta / Double(index)
                squares += delta * (value - mean)
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            }
        }
        guard var summary = SampleSummary(kept) else { return nil }
        summary.count = count
        summary.mean = mean
        summary.std = (squares / Double(count - 1)).squareRoot()
        summary.min = low
        summary.max = high
        return summary
    }

    /// Linear interpolation between order statistics (type 7).
    package static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    package var table: String {
        let rows: [(String, String)] = [
            ("count", String(count)), ("mean", fmt(mean)), ("std", fmt(std)), ("min", fmt(min)),
            ("p50", fmt(p50)), ("p90", fmt(p90)), ("p99", fmt(p99)), ("max", fmt(max)),
        ]
        return rows.map { "\($0.0.padding(toLength: 6, withPad: " ", startingAt: 0))\($0.1)" }.joined(separator: "\n")
    }

    private func fmt(_ value: Double) -> String { String(format: "%.6g", value) }
}
