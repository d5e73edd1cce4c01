import Testing
@testable import WorkloadModel

/// `arrival_mode: superposition` keeps mixture's rate and shares, and changes only
/// the burst structure of each profile's own arrivals.
@Suite struct ArrivalModeTests {
    // A: Exponential, mean 0.5 s (CV 1). B: Gamma shape 4, mean 0.5 s (CV 0.5). Equal weights.
    static let a = profile("A", gap: Distribution(.exponential(rate: 2)))
    static let b = profile("B", gap: Distribution(.gamma(shape: 4, scale: 0.125)))
    static let duration = 20_000.0

    struct ProfileGaps {
        var count = 0
        var gaps: [Double] = []
    }

    static func perProfile(_ mode: ArrivalMode) -> [ProfileGaps] {
        let spec = WorkloadSpec(totalDuration: duration, seed: 21, arrivalMode: mode, profiles: [a, b])
        var result = [ProfileGaps(), ProfileGaps()]
        var last: [VirtualNanoseconds?] = [nil, nil]
        var engine = WorkloadEngine(spec: spec)
        while let event = engine.next() {
            guard case .sessionStarted(let e) = event else { continue }
            let p = Int(e.profile)
            result[p].count += 1
            if let previous = last[p] { result[p].gaps.append(Double(e.time - previous) / 1e9) }
            last[p] = e.time
        }
        return result
    }

    @Test func bothModesGiveTheSameRateAndShares() {
        // R = 1 / sum(w_i E[IAT_i]) = 2 sessions/s, 1/s per profile.
        for mode in ArrivalMode.allCases {
            let profiles = Self.perProfile(mode)
            let total = Double(profiles[0].count + profiles[1].count)
            let expected = 2 * Self.duration
            // Counts are within 4 Poisson-ish standard errors (the count of a
            // renewal process has variance about n CV^2; CV <= 1 here).
            #expect(abs(total - expected) < 4 * expected.squareRoot(), "\(mode): \(total) sessions, expected \(expected)")
            let share = Double(profiles[0].count) / total
            #expect(abs(share - 0.5) < 4 * (0.25 / total).squareRoot(), "\(mode): share of A \(share)")
        }
    }

    @Test func perProfileBurstinessFollowsTheTheory() {
        // Superposition: each profile keeps its own shape, scaled to 1/s: CV 1 and 0.5.
        // Mixture: a profile's gap is its own gap plus a geometric number (mean 1,
        // variance 2) of the other profile's gaps:
        //   Var = Var(X_i) + E[M] Var(X_j) + Var(M) E[X_j]^2 = 0.25 + 0.0625 + 0.5 = 0.8125,
        //   mean 1, so CV = sqrt(0.8125) = 0.9014 for both profiles.
        let expected: [ArrivalMode: [Double]] = [.superposition: [1.0, 0.5], .mixture: [(0.8125).squareRoot(), (0.8125).squareRoot()]]
        for mode in ArrivalMode.allCases {
            let profiles = Self.perProfile(mode)
            for (index, p) in profiles.enumerated() {
                let (mean, variance) = moments(p.gaps)
                let cv = variance.squareRoot() / mean
                // The sample CV's standard error is below 1.5 / sqrt(n) for these
                // shapes (delta method with their fourth moments); allow 4 of them.
                let tolerance = 4 * 1.5 / Double(p.gaps.count).squareRoot()
                #expect(abs(mean - 1) < 4 * cv / Double(p.gaps.count).squareRoot(), "\(mode) profile \(index) mean gap \(mean)")
                #expect(abs(cv - expected[mode]![index]) < tolerance, "\(mode) profile \(index): CV \(cv), expected \(expected[mode]![index])")
            }
        }
        // And the modes really differ for B: 0.90 against 0.5.
        let cvB = { (mode: ArrivalMode) -> Double in
            let m = moments(Self.perProfile(mode)[1].gaps)
            return m.variance.squareRoot() / m.mean
        }
        #expect(cvB(.mixture) - cvB(.superposition) > 0.3)
    }
}
