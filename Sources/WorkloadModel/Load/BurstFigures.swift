import RealModule

/// Closed forms for counts of a Poisson process whose intensity R b(t) is
/// modulated by a stationary `MarkovBursts` path b (mean 1).
///
/// The generator Q (leave state i at rate 1/d_i, to each other state with
/// equal chance) is reversible with pi_i proportional to d_i, so
/// S = D^1/2 Q D^-1/2 is symmetric; with S = V diag(lambda) V^T the
/// autocovariance of b is C(u) = sum_k a_k exp(-r_k u), r_k = -lambda_k > 0,
/// a_k = (sum_i sqrt(pi_i) b_i V_ik)^2 (the lambda = 0 term is the mean^2).
extension MarkovBursts {
    /// The terms (a_k, r_k) of C(u) = sum_k a_k exp(-r_k u).
    package var autocovarianceTerms: [(weight: Double, rate: Double)] {
        let n = states.count
        let pi = stationary
        let b = normalisedMultipliers
        let d = states.map(\.meanDurationSeconds)
        var s = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                s[i][j] = i == j ? -1 / d[i] : 1 / ((d[i] * d[j]).squareRoot() * Double(n - 1))
            }
        }
        let (values, vectors) = SymmetricEigen.decompose(s)
        var terms: [(weight: Double, rate: Double)] = []
        for k in 0..<n where values[k] < -1e-12 * values.map(abs).reduce(0, Swift.max) {
            var projection = 0.0
            for i in 0..<n { projection += pi[i].squareRoot() * b[i] * vectors[i][k] }
            terms.append((projection * projection, -values[k]))
        }
        return terms
    }

    /// The terms of the autocovariance of a product of independent
    /// modulations (workload-wide and a profile's own):
    /// (1 + C1)(1 + C2) - 1 = C1 + C2 + C1 C2.
    package static func productTerms(_ levels: [MarkovBursts]) -> [(weight: Double, rate: Double)] {
        var terms: [(weight: Double, rate: Double)] = []
        for level in levels {
            let own = level.autocovarianceTerms
            let cross = terms.flatMap { a in own.map { b in (a.weight * b.weight, a.rate + b.rate) } }
            terms += own + cross
        }
        return terms
    }

    /// Var N(T) / E N(T) for windows of `window` seconds at mean rate `rate`:
    /// baseIDC + 2R sum_k a_k (exp(-r T) - 1 + r T) / (r^2 T). `baseIDC` is 1
    /// for a Poisson base; for another renewal base its CV^2 (approximate).
    package static func indexOfDispersion(_ terms: [(weight: Double, rate: Double)], window: Double, rate: Double, baseIDC: Double = 1) -> Double {
        let t = window
        return baseIDC + 2 * rate * terms.reduce(0) { sum, term in
            let rt = term.rate * t
            return sum + term.weight * (Double.exp(-rt) - 1 + rt) / (term.rate * term.rate * t)
        }
    }

    /// Correlation of the counts of two adjacent windows of `window` seconds:
    /// R^2 sum_k a_k (1 - exp(-r T))^2 / r^2 over the variance R T IDC(T).
    package static func lag1Autocorrelation(_ terms: [(weight: Double, rate: Double)], window: Double, rate: Double, baseIDC: Double = 1) -> Double {
        let covariance = rate * rate * terms.reduce(0) { sum, term in
            let decay = 1 - Double.exp(-term.rate * window)
            return sum + term.weight * decay * decay / (term.rate * term.rate)
        }
        return covariance / (rate * window * indexOfDispersion(terms, window: window, rate: rate, baseIDC: baseIDC))
    }

    package func indexOfDispersion(window: Double, rate: Double, baseIDC: Double = 1) -> Double {
        Self.indexOfDispersion(autocovarianceTerms, window: window, rate: rate, baseIDC: baseIDC)
    }

    package func lag1Autocorrelation(window: Double, rate: Double, baseIDC: Double = 1) -> Double {
        Self.lag1Autocorrelation(autocovarianceTerms, window: window, rate: rate, baseIDC: baseIDC)
    }
}

/// Eigenvalues and eigenvectors of a small symmetric matrix (cyclic Jacobi
/// rotations; the MMPP generators here have a handful of states).
enum SymmetricEigen {
    /// (values, vectors) with vectors[i][k] the i-th component of the k-th eigenvector.
    static func decompose(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        var a = matrix
        let n = a.count
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where i != j { off += a[i][j] * a[i][j] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let akp = a[k][p], akq = a[k][q]
                        a[k][p] = c * akp - s * akq
                        a[k][q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p][k], aqk = a[q][k]
                        a[p][k] = c * apk - s * aqk
                        a[q][k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k][p], vkq = v[k][q]
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0][$0] }, v)
    }
}
