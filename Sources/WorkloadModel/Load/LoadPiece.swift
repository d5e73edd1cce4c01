import RealModule

/// m(t) on one interval where no factor changes its formula:
/// f(x) = p(x) (c0 + sum_k B_k cos(w_k x + phi_k)), x = seconds since the
/// piece's start, p a polynomial (the product of the schedule's and spikes'
/// linear pieces and the burst multipliers), the waves from the diurnal
/// cycles (two cycles multiply into their sum and difference frequencies).
///
/// Its integral F(x) = int_0^x f has a closed form (integration by parts
/// ends because p is a polynomial), so inverting it needs no quadrature.
struct LoadPiece: Sendable {
    var start: Int64
    var end: Int64
    /// Length in seconds.
    var length: Double
    /// derivatives[j]: coefficients (ascending) of the j-th derivative of p.
    var derivatives: [[Double]]
    var c0: Double
    var waves: [(amplitude: Double, omega: Double, phase: Double, atZero: Double)]
    /// F(length).
    var total: Double = 0

    init(start: Int64, end: Int64, polynomial: [Double], c0: Double, waves: [(amplitude: Double, omega: Double, phase: Double)]) {
        self.start = start
        self.end = end
        length = Double(end - start) / 1e9
        var derivatives = [polynomial]
        while let last = derivatives.last, last.count > 1 {
            derivatives.append((1..<last.count).map { Double($0) * last[$0] })
        }
        self.derivatives = derivatives
        self.c0 = c0
        self.waves = waves.map { ($0.amplitude, $0.omega, $0.phase, 0) }
        for k in self.waves.indices { self.waves[k].atZero = waveAntiderivative(k, at: 0) }
        total = integral(to: length)
    }

    @inline(__always)
    static func horner(_ coefficients: [Double], _ x: Double) -> Double {
        var value = 0.0
        var i = coefficients.count - 1
        while i >= 0 {
            value = value * x + coefficients[i]
            i -= 1
        }
        return value
    }

    /// f(x).
    func density(at x: Double) -> Double {
        var modulation = c0
        for wave in waves { modulation += wave.amplitude * Double.cos(wave.omega * x + wave.phase) }
        return Self.horner(derivatives[0], x) * modulation
    }

    /// F(x) = int_0^x f.
    func integral(to x: Double) -> Double {
        let p = derivatives[0]
        var antiderivative = 0.0
        var i = p.count - 1
        while i >= 0 {
            antiderivative = antiderivative * x + p[i] / Double(i + 1)
            i -= 1
        }
        var value = c0 * antiderivative * x
        for k in waves.indices { value += waves[k].amplitude * (waveAntiderivative(k, at: x) - waves[k].atZero) }
        return value
    }

    /// An antiderivative of p(x) cos(w x + phi):
    /// sum_j p^(j)(x) s_j / w^(j+1) with s = (sin, cos, -sin, -cos, ...).
    func waveAntiderivative(_ k: Int, at x: Double) -> Double {
        let wave = waves[k]
        let theta = wave.omega * x + wave.phase
        let sine = Double.sin(theta)
        let cosine = Double.cos(theta)
        var value = 0.0
        var power = 1 / wave.omega
        for (j, derivative) in derivatives.enumerated() {
            let trig: Double
            switch j % 4 {
            case 0: trig = sine
            case 1: trig = cosine
            case 2: trig = -sine
            default: trig = -cosine
            }
            value += Self.horner(derivative, x) * trig * power
            power /= wave.omega
        }
        return value
    }

    /// The x in [low, length] with F(x) = target, given F(low) = atLow <= target <= total
    /// and f(low) = slope: Newton's method kept inside a shrinking bracket
    /// (bisection where f is zero or a step would leave it). Returns x and f
    /// near x (the next solve's starting slope).
    ///
    /// Newton's error after a step s is about |f'/2f| s^2: a step below 1 us
    /// leaves less than 1 ns wherever m changes by less than a factor e per
    /// 0.5 ms (every ramp of 1 ms or more), so the iteration stops there.
    func solve(target: Double, from low: Double, atLow: Double, slope: Double) -> (x: Double, slope: Double) {
        var lo = low
        var hi = length
        var x = slope > 0 ? lo + (target - atLow) / slope : (lo + hi) / 2
        if !(x > lo && x < hi) { x = (lo + hi) / 2 }
        for _ in 0..<200 {
            let g = integral(to: x) - target
            let d = density(at: x)
            if g < 0 { lo = x } else { hi = x }
            let step = d > 0 ? -g / d : .nan
            // Converged: a Newton step too small to matter (or to move x at all).
            if abs(step) < 1e-6 { return (x + step, d) }
            let next = x + step
            if next > lo && next < hi {
                x = next
            } else {
                // Bisection where f is 0 or Newton would leave the bracket; never "converged" by itself.
                x = (lo + hi) / 2
                if hi - lo < 1e-11 { return (x, d) }
            }
        }
        return (x, density(at: x))
    }
}
