import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// Pools whose items are listed one by one: `item_tokens` (each item's
/// length) and `item_weights` (each item's relative popularity), as `fit`
/// writes the prefix families a trace shows.
@Suite struct ItemTokensTests {
    static let lengths: [Int64] = [37, 1234, 5, 999]
    static let weights = [1.0, 2, 3, 4, 0]

    /// One hour at 5 sessions/s of one-turn sessions carrying a listed pool: per request, its item and shared tokens.
    static func draws(weights: String) throws -> (items: [Int], shared: [Int64], spec: WorkloadSpec) {
        let yaml = configYAML(workload: """
            prefix_pools:
              - {name: listed, item_tokens: [37, 1234, 5, 999, 4], \(weights)}
            """, profile: "prefixes: [{pool: listed, per: session}]")
            .replacingOccurrences(of: "total_duration: 10", with: "total_duration: 3600")
            .replacingOccurrences(of: "conversational_probability: 0.6", with: "conversational_probability: 0")
        let spec = try Configuration.parse(yaml: yaml).workload
        var engine = WorkloadEngine(spec: spec)
        var items: [Int] = [], shared: [Int64] = []
        while let event = engine.next() {
            guard case .request(let r) = event else { continue }
            items.append(r.prefixItems[0].item)
            shared.append(r.sharedPrefixTokens)
        }
        return (items, shared, spec)
    }

    /// Every request's shared prefix is exactly its item's listed length, and every length is drawn.
    @Test func theEngineDrawsExactlyTheListedLengths() throws {
        let (items, shared, spec) = try Self.draws(weights: "popularity: {type: Uniform}")
        let listed: [Int64] = Self.lengths + [4]
        #expect(spec.prefixPools[0].items == 5 && spec.prefixPools[0].tokens == .listed(listed))
        #expect(zip(items, shared).allSatisfy { listed[$0] == $1 })
        #expect(Set(shared) == Set(listed), "\(Set(shared))")
    }

    /// `item_weights: [1, 2, 3, 4, 0]`: each item's share of about 18,000 sessions within 4
    /// binomial standard errors of w / 10, the zero-weight item never drawn; `validate`'s
    /// probabilities are the weights over their sum.
    @Test func itemWeightsGiveEachItemItsShare() throws {
        let (items, _, spec) = try Self.draws(weights: "item_weights: [1, 2, 3, 4, 0]")
        let n = Double(items.count)
        #expect(n > 17_000)
        for (item, weight) in Self.weights.enumerated() {
            let p = weight / 10
            let share = Double(items.filter { $0 == item }.count) / n
            let standardError = (p * (1 - p) / n).squareRoot()
            #expect(abs(share - p) <= 4 * standardError, "item \(item): share \(share), expected \(p) ± \(standardError)")
        }
        #expect(PrefixFigures.probabilities(of: spec.prefixPools[0]) == [0.1, 0.2, 0.3, 0.4, 0])
    }

    /// `validate`'s effective configuration writes the lists back, and they load to the same pool.
    @Test func theEffectiveConfigurationWritesTheListsBack() throws {
        let yaml = configYAML(workload: "prefix_pools:\n  - {name: listed, item_tokens: [37, 1234], item_weights: [1, 3]}")
        let configuration = try Configuration.parse(yaml: yaml)
        let lines = configuration.prefixPoolsYAML
        #expect(lines == ["  prefix_pools:", "    - {name: listed, items: 2, item_tokens: [37, 1234], item_weights: [1.0, 3.0]}"])
        let again = try Configuration.parse(yaml: configYAML(workload: lines.map { String($0.dropFirst(2)) }.joined(separator: "\n")))
        #expect(again.workload.prefixPools == configuration.workload.prefixPools)
    }

    @Test func badListsAreReportedWithTheirKeyAndValue() {
        let found = problems(configYAML(workload: """
            prefix_pools:
              - {name: a, item_tokens: [10, 0, 2.5, x], popularity: {type: Uniform}}
              - {name: b, item_tokens: [10, 20], tokens_dist_config: {type: Constant, value: 5}, popularity: {type: Uniform}}
              - {name: c, items: 3, item_tokens: [10, 20], item_weights: [1, 2, 3]}
              - {name: d, item_tokens: [10, 20], item_weights: [0, 0]}
              - {name: e, item_tokens: 10, item_weights: [1, -1], popularity: {type: Uniform}}
              - {name: f, items: 2, tokens_dist_config: {type: Constant, value: 5}}
              - {name: g, item_tokens: [], item_weights: [1]}
            """))
        let p = "workload.prefix_pools"
        #expect(found == [
            "\(p)[0].item_tokens[1]: must be between 1 and 1000000000 (got 0)",
            "\(p)[0].item_tokens[2]: must be a whole number of tokens (got 2.5)",
            "\(p)[0].item_tokens[3]: expected a number (got x)",
            "\(p)[1].item_tokens: item_tokens and tokens_dist_config both set: give the items' lengths one way (item_tokens lists them, tokens_dist_config draws them)",
            "\(p)[2].item_tokens: has 2 entries but the pool has 3 items (items); give one per item",
            "\(p)[3].item_weights: every weight is 0: at least one item must have a weight above 0",
            "\(p)[4].item_tokens: expected a list with one number per item (got 10)",
            "\(p)[4].item_weights: item_weights and popularity both set: give the items' popularity one way (item_weights lists it, popularity is a law)",
            "\(p)[4].item_weights[1]: must be >= 0 (got -1)",
            "\(p)[5].popularity: missing (expected {type: Uniform} or {type: Zipf, s: S}, or item_weights: a list of weights)",
            "\(p)[6].item_tokens: must list 1 to 1000000 items (got 0)",
        ], "\(found)")
    }
}
