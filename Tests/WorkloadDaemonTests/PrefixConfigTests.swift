import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// Every bad value of the prefix keys is reported with its key path
/// and value, all at once (exit 78 like every `ConfigError`).
@Suite struct PrefixConfigTests {
    static let pools = """
        prefix_pools:
          - {name: system, items: 20, tokens_dist_config: {type: Constant, value: 700}, popularity: {type: Zipf, s: 1.0}}
          - {name: docs, items: 0, tokens_dist_config: {type: Constant, value: 900}, popularity: {type: Pareto}}
        kv_blocks: {block_tokens: 0}
        """

    @Test func everyBadValueIsReportedAtOnce() {
        let found = problems(configYAML(workload: Self.pools, profile: """
            prefixes:
              - {pool: system, per: client}
              - {pool: sytem, per: session}
              - {pool: system, per: user}
              - {pool: docs, probability: 1.5}
            """))
        let p = "workload.client_profiles[0].prefixes"
        #expect(found == [
            "workload.prefix_pools[1].items: must be between 1 and 1000000 (got 0)",
            "workload.prefix_pools[1].popularity.type: must be Uniform or Zipf (got Pareto)",
            "workload.kv_blocks.block_tokens: must be between 1 and 1000000000 (got 0)",
            "\(p)[1].pool: unknown pool 'sytem' (known pools: docs, system) (did you mean 'system'?)",
            "\(p)[2].per: must be client or session (got user)",
            "\(p)[2].pool: pool 'system' is already listed (prefixes[0]); a prompt uses each pool at most once",
            // prefix_pools[1] (docs) did not load: its own problems say why, and its use is not "unknown".
            "\(p)[3].probability: must be a probability in [0, 1] (got 1.5)",
        ], "\(found)")
    }

    /// A pool with a bad value reports itself once: a profile that uses it is not told the pool is unknown, and a
    /// misspelt use still hears of it.
    @Test func aPoolThatDidNotLoadIsNotReportedAsUnknown() {
        let found = problems(configYAML(workload: """
            prefix_pools:
              - {name: system, item_tokens: [812, 640], item_weights: [5, -1]}
            kv_blocks: {block_tokens: 16}
            """, profile: "prefixes: [{pool: system, per: session}, {pool: sytem, per: client}]"))
        #expect(found == [
            "workload.prefix_pools[0].item_weights[1]: must be >= 0 (got -1)",
            "workload.client_profiles[0].prefixes[1].pool: unknown pool 'sytem' (known pools: system) (did you mean 'system'?)",
        ], "\(found)")
    }

    /// An event names each item in 32 bits (12 of them for the pool).
    @Test func atMost4096PoolsAreAccepted() throws {
        func pools(_ n: Int) -> String {
            "prefix_pools:\n" + (0..<n).map {
                "  - {name: p\($0), items: 1, tokens_dist_config: {type: Constant, value: 1}, popularity: {type: Uniform}}"
            }.joined(separator: "\n")
        }
        #expect(problems(configYAML(workload: pools(4097), profile: "")) == ["workload.prefix_pools: at most 4096 pools (got 4097)"])
        let spec = try Configuration.parse(yaml: configYAML(workload: pools(4096), profile: "prefixes: [{pool: p4095, per: session}]")).workload
        #expect(spec.profiles[0].prefixes == [PrefixUse(pool: 4095, per: .session)])
    }

    @Test func aGoodConfigurationLoads() throws {
        let yaml = configYAML(workload: """
            prefix_pools:
              - {name: system, items: 3, tokens_dist_config: {type: Constant, value: 700}, popularity: {type: Uniform}}
            kv_blocks: {block_tokens: 16}
            """, profile: "prefixes: [{pool: system, per: client}]")
        let spec = try Configuration.parse(yaml: yaml).workload
        #expect(spec.prefixPools == [PrefixPool(name: "system", items: 3, tokens: Distribution(.constant(700), isInt: true), popularity: .uniform)])
        #expect(spec.kvBlockTokens == 16)
        #expect(spec.profiles[0].prefixes == [PrefixUse(pool: 0, per: .client)])
        let some = try Configuration.parse(yaml: yaml.replacingOccurrences(of: "per: client}", with: "per: client, probability: 0.25}"))
        #expect(some.workload.profiles[0].prefixes == [PrefixUse(pool: 0, per: .client, probability: 0.25)])
        // `validate` echoes the probability only where it is below 1.
        #expect(some.prefixesYAML(some.workload.profiles[0]) == ["      prefixes: [{pool: system, per: client, probability: 0.25}]"])
        let all = try Configuration.parse(yaml: yaml)
        #expect(all.prefixesYAML(all.workload.profiles[0]) == ["      prefixes: [{pool: system, per: client}]"])
    }
}
