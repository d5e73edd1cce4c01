import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// Prefix popularity: the share of sessions whose item an earlier session
/// drew, over the first hour at 5 sessions/s, against the exact expectation
/// given the number of sessions n (E[D | n] = Σ 1 − (1 − p_i)^n), within 4
/// standard errors; and `validate`'s figure (at n = λT) near it.
@Suite struct PrefixPopularityTests {
    static func stream(popularity: String, items: Int, probability: String = "") throws -> (n: Int, distinct: Int, spec: WorkloadSpec) {
        let yaml = configYAML(workload: """
            prefix_pools:
              - {name: docs, items: \(items), tokens_dist_config: {type: Constant, value: 100}, popularity: \(popularity)}
            """, profile: "prefixes: [{pool: docs, per: session\(probability)}]")
            .replacingOccurrences(of: "total_duration: 10", with: "total_duration: 3600")
            .replacingOccurrences(of: "conversational_probability: 0.6", with: "conversational_probability: 0")
        let spec = try Configuration.parse(yaml: yaml).workload
        var engine = WorkloadEngine(spec: spec)
        var seen = Set<Int>()
        var n = 0
        while let event = engine.next() {
            guard case .request(let r) = event, r.turn == 1, r.prefixItems.count > 0 else { continue }
            n += 1
            seen.insert(r.prefixItems[0].item)
        }
        return (n, seen.count, spec)
    }

    /// `probability: p`: each session carries the pool with probability p
    /// (binomial share within 4 standard errors), the carriers' repeat share
    /// is the closed form at their count, and `validate` counts only them.
    @Test func aProbabilityBelowOneAttachesThatShareOfSessions() throws {
        let (sessions, _, _) = try Self.stream(popularity: "{type: Uniform}", items: 200, probability: ", probability: 1")
        let (n, distinct, spec) = try Self.stream(popularity: "{type: Uniform}", items: 200, probability: ", probability: 0.3")
        // The same sessions arrive (the draw is on the item's own stream).
        let standardError = (0.3 * 0.7 / Double(sessions)).squareRoot()
        let share = Double(n) / Double(sessions)
        print("sessions \(sessions), carrying \(n) (\(share)), distinct \(distinct)")
        #expect(abs(share - 0.3) <= 4 * standardError, "share \(share) ± \(standardError)")
        let p = PrefixFigures.probabilities(of: spec.prefixPools[0])
        let expected = PrefixFigures.repeatShare(probabilities: p, draws: Double(n))
        #expect(abs(1 - Double(distinct) / Double(n) - expected.mean) <= 4 * expected.standardDeviation + 1e-12)
        let validate = try #require(PrefixFigures.report(for: spec).first?.sessions)
        let atRate = PrefixFigures.repeatShare(probabilities: p, draws: 0.3 * 5 * 3600).mean
        #expect(abs(validate - atRate) < 1e-3, "validate \(validate), closed form at 0.3 λT \(atRate)")
    }

    @Test(arguments: ["{type: Uniform}|50", "{type: Zipf, s: 1.0}|1000"])
    func repeatShareMatchesTheClosedForm(_ argument: String) throws {
        let parts = argument.split(separator: "|").map(String.init)
        let (n, distinct, spec) = try Self.stream(popularity: parts[0], items: Int(parts[1])!)
        let p = PrefixFigures.probabilities(of: spec.prefixPools[0])
        let expected = PrefixFigures.repeatShare(probabilities: p, draws: Double(n))
        let observed = 1 - Double(distinct) / Double(n)
        let z = (observed - expected.mean) / Swift.max(expected.standardDeviation, 1e-12)
        print("\(parts[0]) \(parts[1]) items: n \(n), observed \(observed), expected \(expected.mean) ± \(expected.standardDeviation), z \(z)")
        #expect(abs(n - 18_000) < 4 * 134)
        #expect(abs(observed - expected.mean) <= 4 * expected.standardDeviation + 1e-12)
        let validate = try #require(PrefixFigures.report(for: spec).first?.sessions)
        #expect(abs(validate - expected.mean) < 4 * expected.standardDeviation + 2e-4, "validate \(validate)")
    }
}
