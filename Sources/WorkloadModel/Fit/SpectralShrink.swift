import RealModule

/// Windowed rates with their count noise taken out, frequency by frequency.
///
/// A trace's windowed rates are the load's slow variation plus the counts'
/// own noise (Poisson, sessions' clustering). A schedule that replays them
/// replays the noise too, and the generator adds its own on top: the
/// stream's variance at every scale is the trace's plus the noise. Here each
/// frequency's amplitude is multiplied by sqrt(max(0, 1 - N/P)) (James-Stein
/// on power), with P the trace's power and N the noise's, both averaged over
/// a band of neighbouring frequencies (a single periodogram ordinate is an
/// exponential variable, as noisy as its mean). The result keeps, at each
/// scale, the variance beyond the noise, and lag-k covariances with it;
/// frequencies the noise explains are dropped. A flat trace gives a
/// (nearly) flat schedule.
package enum SpectralShrink {
    /// |X_k|^2 / n of the mean-removed series, k = 0 ..< n (X its discrete Fourier transform):
    /// a white series of variance v has E = v at every k > 0.
    package static func periodogram(_ x: [Double]) -> [Double] {
        let (re, im) = transform(x)
        let n = Double(x.count)
        return zip(re, im).map { ($0 * $0 + $1 * $1) / n }
    }

    /// Power averaged over the frequencies within max(1, k / 4) of k (about
    /// a third of an octave; the band is what makes the shrink a James-Stein
    /// estimate, not a coin toss per ordinate), k and n - k alike.
    package static func banded(_ power: [Double]) -> [Double] {
        let n = power.count
        guard n > 2 else { return power }
        let half = n / 2
        var out = power
        for k in 1...half {
            let reach = Swift.max(1, k / 4)
            let band = Swift.max(1, k - reach)...Swift.min(half, k + reach)
            let mean = band.reduce(0.0) { $0 + power[$1] } / Double(band.count)
            out[k] = mean
            if n - k != k { out[n - k] = mean }
        }
        return out
    }

    /// Each frequency's gain sqrt(max(0, 1 - noise_k / banded power_k)) (1 at k = 0: the mean stays).
    package static func gains(_ x: [Double], noise: [Double]) -> [Double] {
        let power = banded(periodogram(x))
        return power.indices.map { k in
            guard k > 0 else { return 1 }
            guard power[k] > 0 else { return 0 }
            return Swift.max(0, 1 - noise[k] / power[k]).squareRoot()
        }
    }

    /// `x` with each frequency's amplitude multiplied by its gain (`noise`: the
    /// noise's banded periodogram, same length), and the share of `x`'s variance kept.
    package static func shrunk(_ x: [Double], noise: [Double]) -> (values: [Double], keptVariance: Double) {
        precondition(noise.count == x.count, "one noise power per frequency")
        guard x.count > 2 else { return (x, 1) }
        let g = gains(x, noise: noise)
        var (re, im) = transform(x)
        for k in re.indices {
            re[k] *= g[k]
            im[k] *= g[k]
        }
        let values = inverse(re, im)
        func variance(_ v: [Double]) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        }
        let before = variance(x)
        return (values, before > 0 ? variance(values) / before : 1)
    }

    /// The discrete Fourier transform (direct: the series are windows of a
    /// trace, at most a few tens of thousands; O(n^2) on a table of n twiddles).
    static func transform(_ x: [Double]) -> (re: [Double], im: [Double]) {
        let n = x.count
        let (c, s) = twiddles(n)
        var re = [Double](repeating: 0, count: n), im = re
        for k in 0...(n / 2) {
            var a = 0.0, b = 0.0, index = 0
            for j in 0..<n {
                a += x[j] * c[index]
                b -= x[j] * s[index]
                index += k
                if index >= n { index -= n }
            }
            re[k] = a
            im[k] = b
            // A real series: X_(n-k) is the conjugate of X_k.
            if k > 0 && n - k != k {
                re[n - k] = a
                im[n - k] = -b
            }
        }
        return (re, im)
    }

    /// The real series whose transform is (re, im) (conjugate-symmetric).
    static func inverse(_ re: [Double], _ im: [Double]) -> [Double] {
        let n = re.count
        let (c, s) = twiddles(n)
        return (0..<n).map { j in
            var sum = 0.0, index = 0
            for k in 0..<n {
                sum += re[k] * c[index] - im[k] * s[index]
                index += j
                if index >= n { index -= n }
            }
            return sum / Double(n)
        }
    }

    static func twiddles(_ n: Int) -> (cos: [Double], sin: [Double]) {
        let step = 2 * Double.pi / Double(n)
        return ((0..<n).map { Double.cos(step * Double($0)) }, (0..<n).map { Double.sin(step * Double($0)) })
    }
}
