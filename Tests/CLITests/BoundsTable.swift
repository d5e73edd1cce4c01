/// Every configuration key with a value just outside its documented range
/// (README, next to the key) and, for numbers, the bound itself, which must
/// pass. One table: a feature that adds a key adds its rows here, and the
/// key-walking test and the fuzzer pick them up.
///
/// Paths are relative to `config/example.yaml` with one change:
/// `workload.client_profiles[0].network` is set, so the per-profile link is walked too.
struct BoundRow: Sendable {
    var path: String
    /// YAML text of a value outside the range (or of the wrong type).
    var outside: String
    /// YAML text of a value at the bound, which loads; nil for non-numbers.
    var inside: String?
}

enum BoundsTable {
    static let profile = "workload.client_profiles[0]"

    static let rows: [BoundRow] = [
        // workload
        .init(path: "workload.total_duration", outside: "1.000001e9", inside: "1e9"),
        .init(path: "workload.total_duration", outside: "0", inside: "1e-9"),
        .init(path: "workload.total_requests_to_generate", outside: "0", inside: "1"),
        .init(path: "workload.random_seed", outside: "-1", inside: "0"),
        .init(path: "workload.random_seed", outside: "9000000000000000", inside: "8999999999999999"),
        .init(path: "workload.max_turns_per_session", outside: "0", inside: "1"),
        .init(path: "workload.max_turns_per_session", outside: "1000001", inside: nil),
        .init(path: "workload.accumulate_conversational_tokens", outside: "maybe"),
        .init(path: "workload.bytes_per_token_estimate_for_network", outside: "-0.001", inside: "0"),
        .init(path: "workload.bytes_per_token_estimate_for_network", outside: "1000001"),
        .init(path: "workload.arrival_mode", outside: "both"),
        .init(path: "workload.network.latency_s", outside: "3600.001", inside: "3600"),
        .init(path: "workload.network.latency_s", outside: "-0.001", inside: "0"),
        .init(path: "workload.network.bandwidth_bps", outside: "0.999"),
        .init(path: "workload.run_id", outside: "[1, 2]"),
        .init(path: "workload.limits.max_open_sessions", outside: "0", inside: "100000000"),
        .init(path: "workload.limits.max_open_sessions", outside: "100000001"),
        .init(path: "workload.limits.max_in_flight_requests", outside: "0", inside: "100000000"),
        .init(path: "workload.limits.max_in_flight_requests", outside: "100000001"),
        .init(path: "workload.limits.max_memory_mib", outside: "255", inside: "256"),
        .init(path: "workload.limits.max_memory_mib", outside: "1048577", inside: "1048576"),
        .init(path: "workload.kv_blocks.block_tokens", outside: "0", inside: "1"),
        .init(path: "workload.kv_blocks.block_tokens", outside: "1000000001", inside: "1000000000"),
        .init(path: "workload.client_profiles", outside: "[]"),
        .init(path: "workload.load", outside: bursts(states: 101), inside: bursts(states: 100)),
        .init(path: "\(profile).prompt_tokens_dist_config", outside: mixture(components: 1001), inside: mixture(components: 1000)),
        // prefix pools with their items listed (lengths and weights one per item)
        .init(path: "workload.prefix_pools", outside: "[{name: p, item_tokens: [10, 0], popularity: {type: Uniform}}]",
              inside: "[{name: p, item_tokens: [10, 1], popularity: {type: Uniform}}]"),
        .init(path: "workload.prefix_pools", outside: "[{name: p, item_tokens: [1000000001], popularity: {type: Uniform}}]",
              inside: "[{name: p, item_tokens: [1000000000], popularity: {type: Uniform}}]"),
        .init(path: "workload.prefix_pools", outside: "[{name: p, item_tokens: [10, 20], item_weights: [1, -0.001]}]",
              inside: "[{name: p, item_tokens: [10, 20], item_weights: [1, 0]}]"),
        .init(path: "workload.prefix_pools", outside: "[{name: p, items: 3, item_tokens: [10, 20], popularity: {type: Uniform}}]"),
        // a profile
        .init(path: "\(profile).profile_name", outside: "''"),
        .init(path: "\(profile).weight", outside: "-0.001"),
        .init(path: "\(profile).inter_arrival_time_dist_config.rate", outside: "0"),
        .init(path: "\(profile).inter_arrival_time_dist_config.rate", outside: "1.1e9"),  // a mean gap below 1 ns
        .init(path: "\(profile).prompt_tokens_dist_config.sigma", outside: "-1"),
        .init(path: "\(profile).max_output_tokens_dist_config.low", outside: "600"),
        .init(path: "\(profile).output_tokens_dist_config", outside: "{type: Gamma, shape: 0, scale: 1}"),
        .init(path: "\(profile).user_priority_dist_config", outside: "{type: Exponential}"),
        .init(path: "\(profile).follow_up_inter_arrival_time_dist_config", outside: "{type: Constant, value: -1}"),
        .init(path: "\(profile).follow_up_inter_arrival_time_dist_config", outside: "{type: Normal, mean: 1, std: 1, max: -1}",
              inside: "{type: Normal, mean: 1, std: 1, max: 0.1}"),
        .init(path: "\(profile).conversational_probability", outside: "1.001", inside: "1"),
        .init(path: "\(profile).streaming_response_probability", outside: "-0.001", inside: "0"),
        .init(path: "\(profile).continuation_probability", outside: "1.001", inside: "1"),
        .init(path: "\(profile).turns_by_first_prompt", outside: "[{up_to_tokens: 0, conversational_probability: 0.5, continuation_probability: 0.5}]",
              inside: "[{up_to_tokens: 1, conversational_probability: 0.5, continuation_probability: 0.5}]"),
        .init(path: "\(profile).turns_by_first_prompt", outside: "[{up_to_tokens: 100, conversational_probability: 1.001, continuation_probability: [1, 1.001]}]",
              inside: "[{up_to_tokens: 100, conversational_probability: 1, continuation_probability: [1, 0]}]"),
        .init(path: "\(profile).cut_input_to_window", outside: "maybe"),
        .init(path: "\(profile).num_clients", outside: "0", inside: "1"),
        .init(path: "\(profile).num_clients", outside: "1000000001", inside: "1000000000"),
        .init(path: "\(profile).network.latency_s", outside: "3600.001"),
        .init(path: "\(profile).network.bandwidth_bps", outside: "0.5"),
        .init(path: "\(profile).network.bandwidth_bps", outside: "1e5"),  // saturated: utilisation 2.3
        .init(path: "\(profile).unknown_key", outside: "1"),
        // clock
        .init(path: "clock.mode", outside: "fast"),
        .init(path: "clock.speed", outside: "0.00000099", inside: "0.000001"),
        .init(path: "clock.speed", outside: "1.000001e9", inside: "1e9"),
        .init(path: "clock.start", outside: "2230-01-01T00:00:01Z", inside: "2230-01-01T00:00:00Z"),
        .init(path: "clock.start", outside: "1677-12-31T23:59:59Z", inside: "1678-01-01T00:00:00Z"),
        .init(path: "clock.start", outside: "2230-01-01T00:00:00-00:01", inside: "2230-01-01T00:00:00+00:01"),
        .init(path: "clock.start", outside: "2026-02-29T00:00:00Z", inside: "2028-02-29T00:00:00Z"),
        .init(path: "clock.start", outside: "9999-12-31T23:59:59+14:00"),
        .init(path: "clock.start", outside: "0000-01-01T00:00:00-23:59"),
        .init(path: "clock.watermark_interval_s", outside: "0.000999", inside: "0.001"),
        .init(path: "clock.watermark_interval_s", outside: "86400.001", inside: "86400"),
        // kafka
        .init(path: "kafka.brokers", outside: "''"),
        .init(path: "kafka.brokers", outside: "'127.0.0.1:65536'", inside: "'127.0.0.1:65535'"),
        .init(path: "kafka.brokers", outside: "'127.0.0.1:0'", inside: "'127.0.0.1:1'"),
        .init(path: "kafka.brokers", outside: "'a:9092,'"),
        .init(path: "kafka.brokers", outside: "'not a host:9092'"),
        .init(path: "kafka.topics.requests", outside: "''"),
        .init(path: "kafka.topics.requests", outside: "'has space'"),
        .init(path: "kafka.topics.requests", outside: "'\(String(repeating: "t", count: 250))'", inside: "'\(String(repeating: "t", count: 249))'"),
        .init(path: "kafka.topics.sessions", outside: "llm.requests"),
        .init(path: "kafka.topics.sessions", outside: "llm_requests"),
        .init(path: "kafka.librdkafka", outside: "{no.such.property: '1'}"),
        .init(path: "kafka.librdkafka", outside: "{acks: '1'}"),
        .init(path: "kafka.librdkafka", outside: "{linger.ms: '-5'}"),
        .init(path: "kafka.embedded_partitions", outside: "0", inside: "1"),
        .init(path: "kafka.embedded_partitions", outside: "1025", inside: "1024"),
        .init(path: "kafka.flush_timeout_s", outside: "0.000999", inside: "0.001"),
        .init(path: "kafka.flush_timeout_s", outside: "3600.001", inside: "3600"),
        .init(path: "kafka.record_timestamp", outside: "virtual", inside: nil),
        .init(path: "kafka.routing_headers", outside: "maybe"),
        // routing tags (per profile) and faults
        .init(path: "\(profile).tenants.count", outside: "0", inside: "1"),
        .init(path: "\(profile).tenants.count", outside: "1000001", inside: "1000000"),
        .init(path: "\(profile).models", outside: "[{name: a, weight: -1}]", inside: "[{name: a, weight: 0.5}]"),
        .init(path: "\(profile).models", outside: "[{name: a, weight: 0}]"),
        .init(path: "\(profile).slo_classes", outside: "[{name: a, ttft_ms: 0}]", inside: "[{name: a, ttft_ms: 1}]"),
        .init(path: "\(profile).adapters", outside: "{count: 5, per: user}", inside: "{count: 5, per: session, probability: 1}"),
        .init(path: "\(profile).adapters", outside: "{count: 5, per: request, probability: 1.001}", inside: "{count: 5, per: request, probability: 0}"),
        .init(path: "\(profile).reasoning_tokens_dist_config", outside: "{type: Constant, value: 100000}", inside: "{type: Constant, value: 1}"),
        .init(path: "faults.duplicate.probability", outside: "1.001", inside: "1"),
        .init(path: "faults.drop.probability", outside: "-0.001", inside: "0"),
        .init(path: "kafka.create_topics.partitions", outside: "0", inside: "1"),
        .init(path: "kafka.create_topics.partitions", outside: "10001", inside: "10000"),
        .init(path: "kafka.create_topics.replication_factor", outside: "0", inside: "1"),
        .init(path: "kafka.create_topics.replication_factor", outside: "32768", inside: "32767"),
        .init(path: "kafka.create_topics", outside: "{partitions: 3, replicas: 1}"),
        // metrics
        .init(path: "metrics.listen", outside: "not an address"),
        .init(path: "metrics.listen", outside: "'127.0.0.1:65536'", inside: "'127.0.0.1:0'"),
        .init(path: "metrics.listen", outside: "'no-such-host.invalid:9464'"),
    ]

    /// A `load` of Markov bursts with `states` states.
    static func bursts(states: Int) -> String {
        "{bursts: {type: MMPP, states: [" + (0..<states).map { "{multiplier: \(1 + $0 % 3), mean_duration_s: 1}" }.joined(separator: ", ") + "]}}"
    }

    /// A Mixture of `components` LogNormal token counts.
    static func mixture(components: Int) -> String {
        "{type: Mixture, components: [" + (0..<components).map { "{type: LogNormal, mean: \(100 + $0), sigma: 64}" }.joined(separator: ", ") + "]}"
    }

    /// The example with a per-profile link, the base every row is applied to.
    static func base() throws -> ConfigTree {
        var tree = try ConfigTree(file: "config/example.yaml")
        try tree.set("\(profile).network", yaml: "{latency_s: 0.001, bandwidth_bps: 1.0e9}")
        try tree.set("metrics.listen", yaml: "'127.0.0.1:0'")
        return tree
    }
}
