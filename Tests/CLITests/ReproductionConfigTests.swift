import Foundation
import Testing

/// Configurations an operator reported crashing or stalling
/// (`Tests/Fixtures/repro/`): each loads, or is refused with 78 naming the
/// key and the value, and never dies of a signal.
@Suite(.timeLimit(.minutes(10)))
struct ReproductionConfigTests {
    static func repro(_ name: String) -> String { "Tests/Fixtures/repro/\(name).yaml" }

    @Test func twoDisjointSpikesMultiplyTheRateEachInItsOwnWindow() async throws {
        let validate = try await runMeasured(["validate", "--config", Self.repro("two_spikes")], timeout: 60)
        #expect(validate.status == 0, "\(validate.stderr.prefix(400))")
        let generate = try await runCLI(["generate", "--config", Self.repro("two_spikes")], timeout: 60)
        #expect(generate.status == 0, "\(generate.stderr.prefix(400))")
        let starts = generate.output.split(separator: "\n").filter { $0.contains("\"type\":\"session_started\"") }.compactMap { line -> Double? in
            guard let range = line.range(of: "\"time_s\":") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != "," })
        }
        // Sessions arrive at 5/s, x2 in [60, 90) s and x3 in [200, 230) s:
        // Poisson counts, each within 4 standard errors of its mean.
        for (window, multiplier) in [((0.0, 60.0), 1.0), ((60, 90), 2), ((90, 200), 1), ((200, 230), 3), ((230, 300), 1)] {
            let expected = 5 * multiplier * (window.1 - window.0)
            let count = Double(starts.filter { $0 >= window.0 && $0 < window.1 }.count)
            #expect(abs(count - expected) <= 4 * expected.squareRoot(), "[\(window.0), \(window.1)) s: \(count) sessions, expected \(expected)")
        }
    }

    @Test func warmStartBurnInEndsWhereLongerSessionsStopMattering() async throws {
        // Continuation 0.5: more than 30 turns has probability below 1e-9, so B = 29 x 60 s, not 9,999 x 60 s.
        let validate = try await runCLI(["validate", "--config", Self.repro("warm_start_burnin_100ps")], timeout: 60)
        #expect(validate.status == 0)
        #expect(validate.output.contains("warm_start: burn-in of 1740 s before 0"), "\(validate.output.suffix(600))")
        // Continuation 0.999 keeps 10^4-turn sessions likely: a 6.9-day burn-in of 3e10 events is refused.
        var tree = try ConfigTree(file: Self.repro("warm_start_burnin_100ps"))
        try tree.set("workload.client_profiles[0].continuation_probability", yaml: "0.999")
        let file = try temporaryFile("warm-long.yaml", contents: try tree.yaml())
        for command in [["validate"], ["generate"]] {
            let result = try await runMeasured(command + ["--config", file.path], timeout: 60)
            #expect(result.status == 78, "\(command[0]): \(result.status) \(result.stderr.prefix(400))")
            #expect(result.stderr.contains("workload.warm_start: the burn-in of 5.999e+05 s would simulate about"), "\(result.stderr.prefix(400))")
        }
    }

    @Test func aConfigurationWhoseMemoryEstimateExceedsTheLimitIsRefusedBeforeItRuns() async throws {
        // 1e9-token prompts in 1-token blocks: 1e9 hash_ids in one event.
        let kv = Self.repro("kv_block1_prompt1e9")
        for command in [["validate"], ["generate"], ["run", "--sink", "null", "--speed", "max", "--duration", "1"]] {
            let result = try await runMeasured(command + ["--config", kv], timeout: 60)
            #expect(result.status == 78, "\(command[0]): \(result.status) \(result.stderr.prefix(400))")
            #expect(result.stderr.contains("workload.limits.max_memory_mib: estimated peak memory 3.831e+04 MiB"), "\(result.stderr.prefix(400))")
            #expect(result.stderr.contains("largest event 3.815e+04 MiB"))
        }
        // 4,096 pools of 10^6 items: their length tables alone.
        var tree = try ConfigTree(file: "config/prefixes.yaml")
        let pools = (0..<4096).map { "{name: p\($0), items: 1000000, tokens_dist_config: {type: Constant, value: 10}, popularity: {type: Uniform}}" }
        try tree.set("workload.prefix_pools", yaml: "[" + pools.joined(separator: ", ") + "]")
        try tree.set("workload.client_profiles[0].prefixes", yaml: "[{pool: p0, per: session}]")
        try tree.set("workload.client_profiles[1].prefixes", yaml: "[{pool: p1, per: session}]")
        let file = try temporaryFile("pools.yaml", contents: try tree.yaml())
        let pooled = try await runMeasured(["validate", "--config", file.path], timeout: 60)
        #expect(pooled.status == 78, "\(pooled.status) \(pooled.stderr.prefix(400))")
        #expect(pooled.stderr.contains("workload.limits.max_memory_mib: estimated peak memory") && pooled.stderr.contains("prefix pools 9.375e+04,"), "\(pooled.stderr.prefix(600))")
        // The limit covers it when raised: validate prints the estimate and accepts.
        try tree.set("workload.limits", yaml: "{max_memory_mib: 1048576}")
        let raised = try temporaryFile("pools-raised.yaml", contents: try tree.yaml())
        let accepted = try await runCLI(["validate", "--config", raised.path], timeout: 60)
        #expect(accepted.status == 0, "\(accepted.stderr.prefix(400))")
        #expect(accepted.output.contains("estimated peak memory: 9.391e+04 MiB (limit 1048576)"), "\(accepted.output.suffix(400))")
    }

    /// Gamma(1e40, 1e-38) is 100 tokens give or take 1e-18: its CDF is
    /// asymptotic for large shapes, so it loads and runs like a constant.
    @Test func aGammaOfHugeShapeLoadsAndDrawsItsMean() async throws {
        let validate = try await runMeasured(["validate", "--config", Self.repro("gamma_huge_shape")], timeout: 60)
        #expect(validate.status == 0, "\(validate.stderr.prefix(400))")
        let generate = try await runCLI(["generate", "--config", Self.repro("gamma_huge_shape"), "--duration", "10"], timeout: 60)
        #expect(generate.status == 0, "\(generate.stderr.prefix(400))")
        let firstPrompts = generate.output.split(separator: "\n").filter { $0.contains("\"turn\":1,") }
        #expect(!firstPrompts.isEmpty)
        #expect(firstPrompts.allSatisfy { $0.contains("\"prompt_tokens\":100,") }, "\(firstPrompts.first ?? "")")
    }

    @Test(arguments: [
        ("normal_max_negative", "workload.client_profiles[0].inter_arrival_time_dist_config.max: a time must be >= 0 (got -1)"),
    ])
    func anOutOfRangeNumberIsRefusedWith78(name: String, message: String) async throws {
        for command in [["validate"], ["generate"], ["run", "--sink", "null", "--speed", "max", "--duration", "1"]] {
            let result = try await runMeasured(command + ["--config", Self.repro(name)], timeout: 60)
            #expect(result.status == 78, "\(name) \(command[0]): \(result.status) \(result.stderr.prefix(400))")
            #expect(result.stderr.contains(message), "\(name) \(command[0]): \(result.stderr.prefix(400))")
        }
    }
}

/// Start-up of the reproductions that stay valid: `validate`'s answer and
/// `generate`'s first event come in bounded time (the bound here is loose,
/// for a debug build on a shared machine; README "Measured" has the figures).
@Suite(.timeLimit(.minutes(10)))
struct ReproductionStartupTests {
    @Test(arguments: ["ctxwin_1000_turns", "warm_start_burnin_100ps", "two_spikes"])
    func validateAnswersAndGenerateStartsPromptly(name: String) async throws {
        let validate = try await runMeasured(["validate", "--config", ReproductionConfigTests.repro(name)], timeout: 30)
        #expect(validate.status == 0 && !validate.timedOut, "\(name): validate \(validate.status) after \(validate.wallSeconds) s")
        let first = try await runMeasured(["generate", "--config", ReproductionConfigTests.repro(name), "--requests", "1"], timeout: 30)
        #expect(first.status == 0 && !first.timedOut, "\(name): generate \(first.status) after \(first.wallSeconds) s")
        print("start-up \(name): validate \(validate.wallSeconds) s, generate to its first request \(first.wallSeconds) s")
    }
}

extension ReproductionStartupTests {
    /// The largest Mixture and MMPP the bounds allow start within a loose time
    /// limit (1,000 components took 35 s before their moments were kept).
    @Test func theLargestMixtureAndMMPPStartPromptly() async throws {
        var tree = try ConfigTree(file: "config/example.yaml")
        try tree.set("\(BoundsTable.profile).prompt_tokens_dist_config", yaml: BoundsTable.mixture(components: 1000))
        try tree.set("workload.load", yaml: BoundsTable.bursts(states: 100))
        let file = try temporaryFile("largest-mixture-mmpp.yaml", contents: try tree.yaml())
        let validate = try await runMeasured(["validate", "--config", file.path], timeout: 60)
        #expect(validate.status == 0 && !validate.timedOut, "validate \(validate.status) after \(validate.wallSeconds) s: \(validate.stderr.prefix(300))")
        let first = try await runMeasured(["generate", "--config", file.path, "--requests", "1"], timeout: 60)
        #expect(first.status == 0 && !first.timedOut, "generate \(first.status) after \(first.wallSeconds) s")
        print("start-up, Mixture of 1,000 and MMPP of 100: validate \(validate.wallSeconds) s, generate to its first request \(first.wallSeconds) s")
    }
}
