import Foundation
import Testing

/// Bad service-model and anchor input: `validate` (and `run`) exit 78 naming
/// the key path and the bad value.
@Suite(.timeLimit(.minutes(10))) struct ServiceModelInputTests {
    static let profile = """
          client_profiles:
            - profile_name: chat
              inter_arrival_time_dist_config: {type: Exponential, rate: 5.0}
              prompt_tokens_dist_config: {type: Constant, value: 100}
              max_output_tokens_dist_config: {type: Constant, value: 100}
              conversational_probability: 0.6
              streaming_response_probability: 1
        """
    static let model = """
          service_model:
            ttft_s_dist_config: {type: Constant, value: 0.1}
            tpot_s_dist_config: {type: Constant, value: 0.03}
        """

    /// (what, the workload's lines after `total_duration`, the profile's extra lines, the message's key path, the value it names)
    static let cases: [(String, String, String, String, String)] = [
        ("completion anchor without a model", "", "      follow_up_after: completion",
         "workload.client_profiles[0].follow_up_after", "got completion without one"),
        ("prefill rate 0", model + "\n    prefill_tokens_per_s: 0", "",
         "workload.service_model.prefill_tokens_per_s", "(got 0)"),
        ("prefill rate negative", model + "\n    prefill_tokens_per_s: -5", "      follow_up_after: completion",
         "workload.service_model.prefill_tokens_per_s", "(got -5)"),
        ("unknown anchor", model, "      follow_up_after: response",
         "workload.client_profiles[0].follow_up_after", "(got response)"),
        ("negative constant TTFT", """
          service_model:
            ttft_s_dist_config: {type: Constant, value: -0.1}
            tpot_s_dist_config: {type: Constant, value: 0.03}
        """, "", "workload.service_model.ttft_s_dist_config", "-0.1"),
        ("TPOT Uniform low above high", """
          service_model:
            ttft_s_dist_config: {type: Constant, value: 0.1}
            tpot_s_dist_config: {type: Uniform, low: 0.05, high: 0.02}
        """, "", "workload.service_model.tpot_s_dist_config", "0.05"),
        ("TPOT with an infinite mean", """
          service_model:
            ttft_s_dist_config: {type: Constant, value: 0.1}
            tpot_s_dist_config: {type: Pareto, shape: 0.5, scale: 0.01}
        """, "", "workload.service_model.tpot_s_dist_config", "inf"),
        ("TTFT missing", """
          service_model:
            tpot_s_dist_config: {type: Constant, value: 0.03}
        """, "", "workload.service_model.ttft_s_dist_config", "missing"),
        ("a profile's own model with an unknown key", "", """
              service_model:
                ttft_s_dist_config: {type: Constant, value: 0.1}
                tpot_s_dist_config: {type: Constant, value: 0.03}
                emit_completion: true
        """, "workload.client_profiles[0].service_model.emit_completion", "emit_completions"),
    ]

    @Test func badServiceInputIsAConfigurationErrorNamingKeyAndValue() async throws {
        for (what, workload, profileLines, path, value) in Self.cases {
            let text = "workload:\n  total_duration: 10\n  random_seed: 1\n" + (workload.isEmpty ? "" : workload + "\n")
                + Self.profile + (profileLines.isEmpty ? "" : "\n" + profileLines) + "\n"
            let file = try temporaryFile("service-\(what.filter(\.isLetter)).yaml", contents: text)
            let validate = try await runCLI(["validate", "--config", file.path], timeout: 30)
            #expect(validate.status == 78, "\(what): validate exited \(validate.status): \(validate.stderr.prefix(400))")
            #expect(validate.stderr.contains(path) && validate.stderr.contains(value), "\(what): \(validate.stderr.prefix(600))")
            let run = try await runCLI(["run", "--config", file.path, "--sink", "null", "--speed", "max"], timeout: 30)
            #expect(run.status == 78, "\(what): run exited \(run.status)")
        }
    }

    @Test func aProfilesOwnModelSatisfiesItsAnchor() async throws {
        let text = "workload:\n  total_duration: 10\n  random_seed: 1\n" + Self.profile + """

              follow_up_after: completion
              service_model:
                ttft_s_dist_config: {type: Constant, value: 0.1}
                tpot_s_dist_config: {type: Constant, value: 0.03}

        """
        let file = try temporaryFile("service-own-model.yaml", contents: text)
        let validate = try await runCLI(["validate", "--config", file.path], timeout: 30)
        #expect(validate.status == 0, "\(validate.stderr.prefix(400))")
    }
}
