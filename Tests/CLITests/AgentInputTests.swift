import Foundation
import Testing

/// Bad agent input: `validate` exits 78 naming the key path and the bad value.
@Suite(.timeLimit(.minutes(10))) struct AgentInputTests {
    static func config(anchor: String = "      follow_up_after: completion\n", agent: String) -> String {
        """
        workload:
          total_duration: 10
          random_seed: 1
          service_model:
            ttft_s_dist_config: {type: Constant, value: 0.1}
            tpot_s_dist_config: {type: Constant, value: 0.03}
          client_profiles:
            - profile_name: coder
              inter_arrival_time_dist_config: {type: Exponential, rate: 1.0}
              prompt_tokens_dist_config: {type: Constant, value: 100}
              max_output_tokens_dist_config: {type: Constant, value: 100}
              conversational_probability: 0.6
              streaming_response_probability: 1

        """ + anchor + "      agent:\n" + agent
    }

    static let good = """
                llm_calls_per_turn_dist_config: {type: Uniform, low: 1, high: 10}
                tool_calls_per_batch_dist_config: {type: Uniform, low: 1, high: 3}
                tool_latency_s_dist_config: {type: Exponential, rate: 2}
                tool_result_tokens_dist_config: {type: Constant, value: 200}

        """

    /// (what, the file, the message's key path, the value it names)
    static let cases: [(String, String, String, String)] = [
        ("calls per turn below 1", config(agent: good.replacingOccurrences(
            of: "{type: Uniform, low: 1, high: 10}", with: "{type: Constant, value: 0}")),
         "workload.client_profiles[0].agent.llm_calls_per_turn_dist_config", "value: 0"),
        ("a batch size that can be 0", config(agent: good.replacingOccurrences(
            of: "{type: Uniform, low: 1, high: 3}", with: "{type: Uniform, low: 0, high: 3}")),
         "workload.client_profiles[0].agent.tool_calls_per_batch_dist_config", "can give 0"),
        ("a batch size drawn from a continuous law", config(agent: good.replacingOccurrences(
            of: "{type: Uniform, low: 1, high: 3}", with: "{type: Uniform, low: 0.2, high: 3, is_int: false}")),
         "workload.client_profiles[0].agent.tool_calls_per_batch_dist_config", "(got false)"),
        ("no completion anchor", config(anchor: "", agent: good),
         "workload.client_profiles[0].follow_up_after", "(got send)"),
        ("nested subagents", config(agent: good + """
                subagents:
                  probability: 0.1
                  count_dist_config: {type: Constant, value: 2}
                  llm_calls_dist_config: {type: Constant, value: 3}
                  subagents: {probability: 0.5}

        """), "workload.client_profiles[0].agent.subagents.subagents", "probability: 0.5"),
        ("more than four subagents at once", config(agent: good + """
                subagents:
                  probability: 0.1
                  count_dist_config: {type: Uniform, low: 1, high: 6}
                  llm_calls_dist_config: {type: Constant, value: 3}

        """), "workload.client_profiles[0].agent.subagents.count_dist_config", "can give 6"),
    ]

    @Test func badAgentInputIsAConfigurationErrorNamingKeyAndValue() async throws {
        let fine = try temporaryFile("agent-good.yaml", contents: Self.config(agent: Self.good))
        let accepted = try await runCLI(["validate", "--config", fine.path], timeout: 60)
        #expect(accepted.status == 0, "the good configuration: \(accepted.stderr.prefix(400))")
        for (what, text, path, value) in Self.cases {
            let file = try temporaryFile("agent-\(what.filter(\.isLetter)).yaml", contents: text)
            let validate = try await runCLI(["validate", "--config", file.path], timeout: 60)
            #expect(validate.status == 78, "\(what): validate exited \(validate.status): \(validate.stderr.prefix(400))")
            #expect(validate.stderr.contains(path) && validate.stderr.contains(value), "\(what): \(validate.stderr.prefix(600))")
        }
    }
}
