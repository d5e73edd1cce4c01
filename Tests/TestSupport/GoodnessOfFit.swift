import Foundation
import WorkloadModel

/// Goodness-of-fit statistics for the distribution tests, written out here
/// so that the tests depend on nothing but the model.
package enum GoodnessOfFit {
    /// `count` draws of `distribution` from a generator seeded with `seed`.
    package static func draws(_ distribution: Distribution, count: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in distribution.sample(using: &rng) }
    }

    /// The one-sample Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)|
    /// for a continuous F.
    ///
    /// D is unchanged by the probability-integral transform u = F(x), and the
    /// uniforms are sorted in O(n) by a bucket sort (n buckets of width 1/n,
    /// then an insertion sort that only reorders within a bucket): a debug
    /// build's generic `sort()` would take several times longer than drawing.
    package static func kolmogorovSmirnovStatistic(_ samples: [Double], cdf: (Double) -> Double) -> Double {
        let n = samples.count
        let scale = Double(n)
        let uniforms = samples.map(cdf)
        var sorted = [Double](repeating: 0, count: n)
        var starts = [Int](repeating: 0, count: n + 1)
        // Raw buffers: in a debug build, checked array subscripts cost more
        // than the statistic itself.
        uniforms.withUnsafeBufferPointer { uniforms in
            sorted.withUnsafeMutableBufferPointer { sorted in
                starts.withUnsafeMutableBufferPointer { starts in
                    for u in uniforms { starts[min(n - 1, max(0, Int(u * scale))) + 1] += 1 }
                    for b in 0..<n { starts[b + 1] += starts[b] }
                    for u in uniforms {
                        let b = min(n - 1, max(0, Int(u * scale)))
                        sorted[starts[b]] = u
                        starts[b] += 1
                    }
                }
                for i in 1..<n {
                    let u = sorted[i]
                    var j = i
                    while j > 0 && sorted[j - 1] > u {
                        sorted[j] = sorted[j - 1]
                        j -= 1
                    }
                    sorted[j] = u
                }
            }
        }
        return sorted.withUnsafeBufferPointer { sorted in
            var d = 0.0
            for index in 0..<n {
                let u = sorted[index]
                d = max(d, Double(index + 1) / scale - u, u - Double(index) / scale)
            }
            return d
        }
    }

    /// The KS statistic for integer-valued samples, through the randomised
    /// probability integral transform u = F(x − 1) + V (F(x) − F(x − 1)),
    /// V uniform: under the null hypothesis u is exactly uniform, so the
    /// continuous KS distribution applies (plugging F(x) in directly would not
    /// be valid for a step CDF).
    package static func discreteKolmogorovSmirnovStatistic(_ samples: [Double], cdf: (Double) -> Double, seed: UInt64) -> Double {
        var rng = Xoshiro256(seed: seed)
        let uniforms = samples.map { x in
            let below = cdf(x - 1)
            return below + rng.nextUnit() * (cdf(x) - below)
        }
        return kolmogorovSmirnovStatistic(uniforms) { min(1, max(0, $0)) }
    }

    /// The p-value of `discreteKolmogorovSmirnovStatistic`.
    package static func discreteKolmogorovSmirnovPValue(_ samples: [Double], cdf: (Double) -> Double, seed: UInt64) -> (d: Double, p: Double) {
        let d = discreteKolmogorovSmirnovStatistic(samples, cdf: cdf, seed: seed)
        return (d, kolmogorovSmirnovPValue(statistic: d, count: samples.count))
    }

    /// The asymptotic p-value Q_KS(sqrt(n)·D) of a KS statistic from n samples.
    package static func kolmogorovSmirnovPValue(statistic d: Double, count n: Int) -> Double {
        kolmogorovSurvival(Double(n).squareRoot() * d)
    }

    /// Q_KS(λ) = P(K > λ) for the Kolmogorov distribution:
    /// 2 Σ_{j>=1} (−1)^(j−1) exp(−2 j² λ²) for large λ, and the complement of
    /// the Jacobi-theta form sqrt(2π)/λ Σ_{j>=1} exp(−(2j−1)² π² / (8 λ²)) for
    /// small λ, where the alternating series converges slowly.
    package static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda <= 0 { return 1 }
        if lambda < 1.18 {
            var sum = 0.0
            for j in 1...20 {
                let odd = Double(2 * j - 1)
                sum += exp(-odd * odd * Double.pi * Double.pi / (8 * lambda * lambda))
            }
            return max(0, min(1, 1 - (2 * Double.pi).squareRoot() / lambda * sum))
        }
        var sum = 0.0
        for j in 1...100 {
            let term = exp(-2 * Double(j * j) * lambda * lambda)
            sum += j % 2 == 1 ? term : -term
            if term < 1e-300 { break }
        }
        return max(0, min(1, 2 * sum))
    }

    /// P(χ²_k > x) by the Wilson–Hilferty cube-root normal approximation,
    /// accurate to a few parts in a thousand for k in the hundreds.
    package static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Double) -> Double {
        let spread = 2 / (9 * k)
        let z = (cbrt(x / k) - (1 - spread)) / spread.squareRoot()
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// Pearson's χ² statistic for observed counts against expected counts.
    package static func chiSquareStatistic(observed: [Int], expected: [Double]) -> Double {
        zip(observed, expected).reduce(0) { sum, pair in
            let difference = Double(pair.0) - pair.1
            return sum + difference * difference / pair.1
        }
    }

    /// Sample mean and standard deviation, with the standard errors of both
    /// (SE of the std from the sample fourth central moment:
    /// Var(s²) ≈ (m4 − s⁴)/n, SE(s) ≈ SE(s²)/(2s)).
    package static func sampleMoments(_ samples: [Double]) -> (mean: Double, std: Double, meanError: Double, stdError: Double) {
        let n = Double(samples.count)
        let mean = samples.reduce(0, +) / n
        var m2 = 0.0
        var m4 = 0.0
        for x in samples {
            let d2 = (x - mean) * (x - mean)
            m2 += d2
            m4 += d2 * d2
        }
        m2 /= n
        m4 /= n
        let std = m2.squareRoot()
        let varianceError = ((m4 - m2 * m2) / n).squareRoot()
        return (mean, std, std / n.squareRoot(), varianceError / (2 * std))
    }
}
