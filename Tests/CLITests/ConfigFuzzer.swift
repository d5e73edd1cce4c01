import Foundation
import Yams

/// Mutates configurations at random (fixed seed): numbers at and beyond
/// their bounds, wrong types, dates across all years, bad addresses and
/// distributions, on every key of the bases and of `BoundsTable`.
struct ConfigFuzzer {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64: enough for choosing mutations, and reproducible.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    static let numbers = ["0", "-0", "-1", "1", "0.5", "1e-9", "1e-300", "1e300", "-1e300", "1e9", "1.0000001e9", "1e18",
                          "9.3e18", "9223372036854775807", "4294967296", "65535", "65536", "1000000", "100000001",
                          ".inf", "-.inf", ".nan", "2", "1e-6", "86400", "3600"]
    static let wrongTypes = ["abc", "[1, 2]", "{a: 1}", "true", "null", "''", "[]", "{}"]
    static let strings = ["''", "' '", "'a:99999'", "x", "'a b'", "'127.0.0.1:0'", "'[::1]:0'", "'host:9092,'", "'a.b'",
                          "'llm.requests'", "'llm_requests'", "'\(String(repeating: "z", count: 250))'"]
    static let distributions = [
        "{type: Pareto, shape: 0.5, scale: 1}", "{type: Pareto, shape: 1.01, scale: 1000}", "{type: Constant, value: 0}",
        "{type: Exponential, rate: 1e9}", "{type: Exponential, rate: 1e-9}", "{type: LogNormal, mu: 30, sigma: 5}",
        "{type: Normal, mean: -100, std: 1}", "{type: Uniform, low: 0, high: 1e12}", "{type: Weibull, shape: 0.05, scale: 1}",
        "{type: Gamma, shape: 1e-6, scale: 1e6}", "{type: Mixture, components: [{type: Constant, value: 1}], weights: [0]}",
        "{type: Constant, value: 1e18}", "{type: Exponential, rate: 1, min: 1e6}",
        // Extreme shapes and bounds.
        "{type: Gamma, shape: 1.0e40, scale: 1.0e-38}", "{type: Gamma, shape: 1.0e8, scale: 1.0e-6}", "{type: Gamma, shape: 1.0e-300, scale: 1}",
        "{type: Normal, mean: 1, std: 1, max: -1}", "{type: Normal, mean: 1, std: 1, min: 5, max: 2}", "{type: Normal, mean: 1e300, std: 1e300}",
        "{type: Weibull, shape: 1.0e-300, scale: 1}", "{type: Weibull, shape: 1.0e300, scale: 1}", "{type: LogNormal, mean: 1e300, std: 1e300}",
        "{type: Zipf, s: 1.0e-9, n: 1000000000}", "{type: Uniform, low: -1e300, high: 1e300}", "{type: Exponential, rate: 1, max: 0}",
        BoundsTable.mixture(components: 1000), BoundsTable.mixture(components: 1001),
    ]
    /// `load` shapes: several spikes (disjoint, touching, overlapping on plateaus or ramps), large MMPPs, schedules.
    static let loads = [
        "{spikes: [{at_s: 60, duration_s: 30, multiplier: 2}, {at_s: 200, duration_s: 30, multiplier: 3}]}",
        "{spikes: [{at_s: 0, duration_s: 5, multiplier: 2}, {at_s: 5, duration_s: 5, multiplier: 3}, {at_s: 9, duration_s: 1, multiplier: 0}]}",
        "{spikes: [{at_s: 1, duration_s: 8, multiplier: 2, ramp_s: 2}, {at_s: 4, duration_s: 2, multiplier: 1e6}]}",
        "{spikes: [{at_s: 1, duration_s: 8, multiplier: 2, ramp_s: 4}, {at_s: 2, duration_s: 2, multiplier: 3}]}",
        "{spikes: [{at_s: 1e9, duration_s: 1e300, multiplier: 2}, {at_s: 0, duration_s: 1e-9, multiplier: 1e6, ramp_s: 0}]}",
        "{spikes: [" + (0..<50).map { "{at_s: \($0 * 2), duration_s: 1, multiplier: \(1 + $0 % 4)}" }.joined(separator: ", ") + "]}",
        BoundsTable.bursts(states: 100), BoundsTable.bursts(states: 101),
        "{bursts: {type: MMPP, states: [{multiplier: 0, mean_duration_s: 0.001}, {multiplier: 1e6, mean_duration_s: 1e9}]}}",
        "{schedule: {points: [[0, 1], [5, 0], [1e9, 1e6]], repeat_s: 1000000000}, diurnal: {period_s: 0.001, peak_to_trough: 1e6}}",
    ]
    static let properties = ["{no.such.property: '1'}", "{acks: '1'}", "{linger.ms: '-1'}", "{queue.buffering.max.kbytes: '1'}",
                             "{message.max.bytes: '100'}", "{batch.size: '1'}", "{compression.codec: snappy}", "{ssl.ca.location: /nonexistent}"]

    /// Valid values that used to exhaust memory or corrupt time.
    static let bombs: [(key: String, values: [String])] = [
        ("continuation_probability", ["1.0"]),
        ("max_turns_per_session", ["1000000", "100000"]),
        ("inter_arrival_time_dist_config", ["{type: Constant, value: 1e-9}", "{type: Exponential, rate: 1e6}", "{type: Exponential, rate: 1e4}"]),
        ("follow_up_inter_arrival_time_dist_config", ["{type: Constant, value: 0}", "{type: Pareto, shape: 0.8, scale: 1}", "{type: Constant, value: 1e8}"]),
        ("prompt_tokens_dist_config", ["{type: Pareto, shape: 1.01, scale: 100}", "{type: Pareto, shape: 0.5, scale: 100}", "{type: Constant, value: 1e9}"]),
        ("bandwidth_bps", ["1", "1e18", "1e4"]),
        ("latency_s", ["3600", "0"]),
        ("bytes_per_token_estimate_for_network", ["1000000", "0"]),
        ("conversational_probability", ["1.0"]),
        // Valid values whose start-up time or memory grew without bound.
        ("load", loads),
        ("warm_start", ["true"]),
        ("block_tokens", ["1", "16"]),
        ("context_window_tokens", ["1000000000", "1", "4096"]),
        ("prefix_pools", ["[" + (0..<64).map { "{name: p\($0), items: 1000000, tokens_dist_config: {type: Constant, value: 10}, popularity: {type: Uniform}}" }.joined(separator: ", ") + "]"]),
    ]

    mutating func date() -> String {
        let offset = below(3) == 0 ? "Z" : String(format: "%@%02d:%02d", below(2) == 0 ? "+" : "-", below(24), below(60))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d%@", below(10_000), 1 + below(13), below(33), below(25),
                      below(61), below(62), offset)
    }

    /// A value for `path`, whose current value is `current` (nil when absent).
    mutating func value(for path: String, current: Node?) -> String {
        let rows = BoundsTable.rows.filter { $0.path == path }
        switch below(10) {
        case 0: return pick(Self.wrongTypes)
        case 1 where !rows.isEmpty: return pick(rows).outside
        case 2 where !rows.isEmpty: return pick(rows).inside ?? pick(rows).outside
        default: break
        }
        if below(3) == 0, let bomb = Self.bombs.first(where: { path.hasSuffix($0.key) }) { return pick(bomb.values) }
        if path.hasSuffix("start") { return below(4) == 0 ? pick(Self.numbers) : "'\(date())'" }
        if path.hasSuffix("librdkafka") { return pick(Self.properties) }
        if path.hasSuffix("_dist_config") || current?.mapping?["type"] != nil { return pick(Self.distributions) }
        if let scalar = current?.scalar, let number = Double(scalar.string) {
            return below(3) == 0 ? pick(Self.numbers) : "\(number * pick([1e-9, 1e-3, 0.01, 0.1, 0.5, 2, 10, 100, 1e4, 1e6, 1e12, -1]))"
        }
        if current?.scalar != nil || path.contains("brokers") || path.contains("listen") || path.contains("topics") {
            return pick(Self.strings + Self.numbers)
        }
        return pick(Self.numbers + Self.wrongTypes)
    }

    /// One to three mutations of `base`.
    mutating func mutate(_ base: ConfigTree, extraPaths: [String]) throws -> (yaml: String, mutations: [String]) {
        var tree = base
        var mutations: [String] = []
        for _ in 0...below(3) {
            let paths = tree.leafPaths + extraPaths
            let path = pick(paths)
            let current = tree.node(at: path)
            let value = value(for: path, current: current)
            try tree.set(path, yaml: value)
            mutations.append("\(path)=\(value)")
        }
        return (try tree.yaml(), mutations)
    }
}

extension ConfigTree {
    /// The node at `path`, if any.
    func node(at path: String) -> Node? {
        var node: Node? = root
        for segment in Self.segments(path) {
            switch segment {
            case .key(let key): node = node?.mapping?[key]
            case .index(let index): node = node?.sequence.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
        }
        return node
    }
}
