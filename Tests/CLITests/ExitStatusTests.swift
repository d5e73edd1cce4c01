import Foundation
import Testing

@Suite(.timeLimit(.minutes(10))) struct ExitStatusTests {
    static let bad: [(String, String)] = [
        ("unknown key", "workload:\n  random_seed: 1\n  colour: blue\n"),
        ("not YAML", "workload: [unclosed\n  - {"),
        ("bad rate", (try? String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8))?
            .replacingOccurrences(of: "rate: 5.0", with: "rate: -5") ?? ""),
        // Conversations: 10^9-token prompts, continuation 1.0, many turns (once an integer-overflow trap).
        ("token bound", (try? String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8))?
            .replacingOccurrences(of: "max_turns_per_session: 10", with: "max_turns_per_session: 1000000")
            .replacingOccurrences(of: "{type: LogNormal, mean: 128, sigma: 64, is_int: true}", with: "{type: Constant, value: 1000000000}")
            .replacingOccurrences(of: "conversational_probability: 0.6", with: "conversational_probability: 1\n      continuation_probability: 1.0") ?? ""),
        // Prefix pools: an unknown pool, items < 1, a pool listed twice, an unsupported popularity.
        ("bad prefixes", (try? String(contentsOf: repositoryRoot.appendingPathComponent("config/prefixes.yaml"), encoding: .utf8))?
            .replacingOccurrences(of: "items: 20", with: "items: 0")
            .replacingOccurrences(of: "{type: Zipf, s: 0.8}", with: "{type: Pareto}")
            .replacingOccurrences(of: "{pool: system, per: session}", with: "{pool: systems, per: session}")
            .replacingOccurrences(of: "kv_blocks: {block_tokens: 512}", with: "kv_blocks: {block_tokens: 0}") ?? ""),
    ]

    @Test func configErrorsExit78WithPathAndValueAndNoTrace() async throws {
        for (what, text) in Self.bad {
            let file = try temporaryFile("bad-\(what.replacingOccurrences(of: " ", with: "-")).yaml", contents: text)
            for command in [["validate", "--config", file.path], ["generate", "--config", file.path, "--out", "/dev/null"]] {
                let result = try await runCLI(command)
                #expect(result.status == 78, "\(what) \(command[0]): status \(result.status), \(result.stderr)")
                #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(result.stderr)")
                #expect(result.stderr.contains(file.path))
            }
        }
        let prefixes = try await runCLI(["validate", "--config", try temporaryFile("bad-bad-prefixes.yaml").path]).stderr
        for expected in ["workload.prefix_pools[0].items: must be between 1 and 1000000 (got 0)",
                         "workload.prefix_pools[1].popularity.type: must be Uniform or Zipf (got Pareto)",
                         "workload.kv_blocks.block_tokens: must be between 1 and 1000000000 (got 0)",
                         "workload.client_profiles[1].prefixes[0].pool: unknown pool 'systems'"] {
            #expect(prefixes.contains(expected), "\(prefixes)")
        }
        let result = try await runCLI(["validate", "--config", try temporaryFile("bad-bad-rate.yaml").path])
        #expect(result.stderr.contains("workload.client_profiles[0].inter_arrival_time_dist_config.rate: must be > 0 (got -5)"), "\(result.stderr)")
    }

    @Test func missingFileExits78() async throws {
        let result = try await runCLI(["validate", "--config", "/nonexistent/llm.yaml"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("no such file: /nonexistent/llm.yaml"))
    }

    @Test func badDistributionSpecExits78() async throws {
        let result = try await runCLI(["sample", "--dist", "{type: LogNormal, mu: 1, sigma: 0}"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("dist.sigma: must be > 0 (got 0)"), "\(result.stderr)")
    }

    @Test func usageErrorsExit64() async throws {
        for arguments in [["generate"], ["generate", "--config", "config/example.yaml", "--duration", "-3"],
                          ["sample", "--dist", "{type: Constant, value: 1}", "-n", "0"], ["frobnicate"],
                          ["generate", "--config", "config/example.yaml", "--seed", "minus-one"]] {
            let result = try await runCLI(arguments)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        }
    }

    @Test func validatePrintsTheEffectiveConfigurationAndFigures() async throws {
        let result = try await runCLI(["validate", "--config", "config/example.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("continuation_probability: 0.7"))
        #expect(result.output.contains("expected: 5 new sessions/s"))
        #expect(result.output.contains("interactive_chat"))
    }
}
