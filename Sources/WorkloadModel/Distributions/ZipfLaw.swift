import RealModule

/// Zipf's law on the integers 1...n: P(K = k) = k^(−s) / H(n, s), with the
/// generalised harmonic number H(n, s) = Σ_{j=1..n} j^(−s), s > 0.
///
/// A reusable family (token counts here, the popularity of shared prefixes
/// later): sums of powers are exact up to `exactTerms` and use the
/// Euler–Maclaurin formula beyond (relative error below 1e-15 there), so the
/// CDF and moments cost O(1) for any n; draws use rejection-inversion
/// (Hörmann and Derflinger 1996), O(1) expected with no table.
@usableFromInline package struct ZipfLaw: Sendable, Equatable {
    @usableFromInline package let exponent: Double
    @usableFromInline package let count: Double
    /// H(n, s).
    let normalizer: Double
    /// H(k, s) for k = 0 ... min(n, exactTerms): the CDF in O(1).
    let prefixSums: [Double]
    // Rejection-inversion constants.
    @usableFromInline let integralOfFirst: Double
    @usableFromInline let integralOfLast: Double
    @usableFromInline let acceptanceShortcut: Double

    /// `exponent` s > 0 and finite, `count` n an integer in 1...2^53.
    @usableFromInline package init(exponent: Double, count: Double) {
        precondition(exponent > 0 && exponent.isFinite, "Zipf needs s > 0 (got \(exponent))")
        precondition(count >= 1 && count <= 0x1p53 && count.rounded() == count, "Zipf needs an integer n >= 1 (got \(count))")
        self.exponent = exponent
        self.count = count
        var sums = [0.0]
        var running = 0.0
        var k = 1.0
        while k <= Swift.min(count, Self.exactTerms) {
            running += Double.pow(k, -exponent)
            sums.append(running)
            k += 1
        }
        prefixSums = sums
        normalizer = count <= Self.exactTerms ? running : Self.powerSum(upTo: count, exponent: exponent)
        integralOfFirst = Self.hIntegral(1.5, exponent) - 1
        integralOfLast = Self.hIntegral(count + 0.5, exponent)
        acceptanceShortcut = 2 - Self.hIntegralInverse(Self.hIntegral(2.5, exponent) - Self.h(2, exponent), exponent)
    }

    @usableFromInline package static func == (lhs: ZipfLaw, rhs: ZipfLaw) -> Bool {
        lhs.exponent == rhs.exponent && lhs.count == rhs.count
    }

    static let exactTerms = 4_096.0

    /// Σ_{j=1..k} j^(−t) for integer k >= 0 and any real t (negative t gives
    /// sums of positive powers, for the moments).
    static func powerSum(upTo k: Double, exponent t: Double, head: Double? = nil) -> Double {
        guard k >= 1 else { return 0 }
        let exact = Swift.min(k, exactTerms)
        var sum = 0.0
        if let head, k > exact {
            sum = head
        } else {
            var j = exact
            while j >= 1 {  // smallest terms first
                sum += Double.pow(j, -t)
                j -= 1
            }
        }
        guard k > exact else { return sum }
        // Σ_{j=m+1..k} f(j) = ∫_m^k f + (f(k) − f(m))/2 + (f'(k) − f'(m))/12
        //   − (f'''(k) − f'''(m))/720 + (f⁽⁵⁾(k) − f⁽⁵⁾(m))/30240, f(x) = x^(−t).
        let m = exact
        let ratio = Double.log(k / m)
        let c = 1 - t
        let integral = Swift.abs(c) < 1e-12 ? ratio : Double.pow(m, c) * Double.expMinusOne(c * ratio) / c
        func f(_ x: Double, _ order: Int) -> Double {
            var coefficient = 1.0
            for i in 0..<order { coefficient *= -(t + Double(i)) }
            return coefficient * Double.pow(x, -t - Double(order))
        }
        return sum + integral + (f(k, 0) - f(m, 0)) / 2 + (f(k, 1) - f(m, 1)) / 12
            - (f(k, 3) - f(m, 3)) / 720 + (f(k, 5) - f(m, 5)) / 30240
    }

    /// H(k, s) for an integer k in 0...n.
    func cumulativeSum(upTo k: Double) -> Double {
        if k < Double(prefixSums.count) { return prefixSums[Int(Swift.max(0, k))] }
        return Self.powerSum(upTo: k, exponent: exponent, head: prefixSums[prefixSums.count - 1])
    }

    /// P(K = k).
    @usableFromInline package func probability(of k: Double) -> Double {
        guard k >= 1, k <= count, k.rounded() == k else { return 0 }
        return Double.pow(k, -exponent) / normalizer
    }

    /// The integers of `interval` within 1...n, as a closed range (empty when first > last).
    func integers(in interval: Interval) -> (first: Double, last: Double) {
        let range = interval.integerRange
        return (Swift.max(1, range.first), Swift.min(count, range.last))
    }

    /// P(K ∈ interval): a difference of power sums, taken from the nearer end.
    func mass(in interval: Interval) -> Double {
        let (first, last) = integers(in: interval)
        guard first <= last else { return 0 }
        if last - first < 64 {
            var total = 0.0
            var k = last
            while k >= first { total += Double.pow(k, -exponent); k -= 1 }
            return total / normalizer
        }
        let below = cumulativeSum(upTo: first - 1)
        let upTo = cumulativeSum(upTo: last)
        return Swift.min(1, Swift.max(0, (upTo - below) / normalizer))
    }

    /// E[(K − c)^n; K ∈ interval], n = 0, 1, 2, from sums of k^(−s), k^(1−s), k^(2−s).
    func partialMoments(in interval: Interval, about pivot: Double) -> Moments {
        let (first, last) = integers(in: interval)
        guard first <= last else { return .zero }
        if last - first < 4_096 {
            var total = Moments.zero
            var k = last
            while k >= first {
                total += .atom(k - pivot, probability: Double.pow(k, -exponent) / normalizer)
                k -= 1
            }
            return total
        }
        func sum(_ shift: Double) -> Double {
            Self.powerSum(upTo: last, exponent: exponent - shift) - Self.powerSum(upTo: first - 1, exponent: exponent - shift)
        }
        let raw = Moments(mass: sum(0) / normalizer, first: sum(1) / normalizer, second: sum(2) / normalizer)
        return raw.about(pivot)
    }

    @usableFromInline package var mean: Double { partialMoments(in: .all, about: 0).first }

    @usableFromInline package var variance: Double { partialMoments(in: .all, about: mean).second }

    // MARK: - Rejection-inversion

    @inlinable
    static func h(_ x: Double, _ s: Double) -> Double { Double.exp(-s * Double.log(x)) }

    /// ∫_1^x t^(−s) dt = (x^(1−s) − 1)/(1 − s), stable near s = 1.
    @inlinable
    static func hIntegral(_ x: Double, _ s: Double) -> Double {
        let logX = Double.log(x)
        return expMinusOneOver((1 - s) * logX) * logX
    }

    @inlinable
    static func hIntegralInverse(_ x: Double, _ s: Double) -> Double {
        var t = x * (1 - s)
        if t < -1 { t = -1 }  // rounding near the end of the range
        return Double.exp(logOnePlusOver(t) * x)
    }

    /// log(1 + x)/x, 1 at 0.
    @inlinable
    static func logOnePlusOver(_ x: Double) -> Double {
        Swift.abs(x) > 1e-8 ? Double.log(onePlus: x) / x : 1 - x / 2 + x * x / 3
    }

    /// (e^x − 1)/x, 1 at 0.
    @inlinable
    static func expMinusOneOver(_ x: Double) -> Double {
        Swift.abs(x) > 1e-8 ? Double.expMinusOne(x) / x : 1 + x / 2 + x * x / 6
    }

    /// One draw of K.
    @inlinable
    func draw<R: RandomNumberGenerator>(using rng: inout R) -> Double {
        while true {
            let u = integralOfLast + rng.nextUnit() * (integralOfFirst - integralOfLast)
            let x = Self.hIntegralInverse(u, exponent)
            var k = (x + 0.5).rounded(.down)
            if k < 1 { k = 1 } else if k > count { k = count }
            if k - x <= acceptanceShortcut || u >= Self.hIntegral(k + 0.5, exponent) - Self.h(k, exponent) {
                return k
            }
        }
    }
}
