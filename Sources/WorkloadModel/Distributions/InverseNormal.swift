import RealModule

extension SpecialFunctions {
    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative
    /// error 1.15e-9) refined by one Halley step on Φ, which brings it to
    /// full double precision. `upper` = 1 − p, given so that the upper tail
    /// keeps its digits (p rounds to 1 long before 1 − p underflows).
    static func inverseNormalCDF(_ p: Double, upper q: Double) -> Double {
        if p <= 0 { return -.infinity }
        if q <= 0 { return .infinity }
        // Work in the smaller tail: Φ⁻¹(p) = −Φ⁻¹(q).
        if p > 0.5 { return -inverseNormalCDF(q, upper: p) }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let r = (-2 * Double.log(p)).squareRoot()
            x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
                / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
        } else {
            let r = p - 0.5
            let t = r * r
            x = (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * r
                / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1)
        }
        // Halley: e = Φ(x) − p, u = e / φ(x), x ← x − u / (1 + x u / 2).
        let e = normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * Double.exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}
