import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// Every bad value of a conversation key is reported with its key path and
/// value, all at once; the effective configuration loads back.
@Suite struct ConversationConfigTests {
    @Test func everyBadValueIsReportedAtOnce() {
        let found = problems(configYAML(profile: """
            continuation_probability: [0.5, 1.5, x]
            follow_up_input_tokens_dist_config: {type: Zipf, s: 0, n: 10}
            history: prompt
            input_output_correlation: 0.995
            context_window_tokens: 2000000000
            on_context_full: drop
            """))
        let p = "workload.client_profiles[0]"
        #expect(found == [
            "\(p).continuation_probability[1]: must be a probability in [0, 1] (got 1.5)",
            "\(p).continuation_probability[2]: expected a number (got x)",
            "\(p).follow_up_input_tokens_dist_config.s: must be > 0 (got 0)",
            "\(p).history: must be full, prompts, none (got prompt) (did you mean 'prompts'?)",
            "\(p).on_context_full: must be end, truncate (got drop)",
            "\(p).input_output_correlation: must be between -0.99 and 0.99 (got 0.995)",
            "\(p).context_window_tokens: must be between 1 and 1000000000 (got 2000000000)",
        ], "\(found)")
    }

    @Test func windowsThatNothingFitsAreErrors() {
        let bigPrompts = configYAML(profile: "context_window_tokens: 400").replacingOccurrences(
            of: "{type: LogNormal, mean: 128, sigma: 64, is_int: true}", with: "{type: Uniform, low: 500, high: 900}")
        #expect(problems(bigPrompts) == ["workload.client_profiles[0].prompt_tokens_dist_config: every first prompt exceeds the context window of 400 tokens (the smallest is 500)"])
        #expect(problems(configYAML(profile: """
            follow_up_input_tokens_dist_config: {type: Constant, value: 9000}
            context_window_tokens: 8192
            """)) == ["workload.client_profiles[0].follow_up_input_tokens_dist_config: every follow-up input exceeds the context window of 8192 tokens (the smallest is 9000)"])
    }

    @Test func zipfCannotBeRescaledInSuperposition() {
        let zipfGaps = configYAML(workload: "arrival_mode: superposition").replacingOccurrences(
            of: "{type: Exponential, rate: 5.0}", with: "{type: Zipf, s: 1.5, n: 10}")
        #expect(problems(zipfGaps) == ["workload.client_profiles[0].inter_arrival_time_dist_config: Zipf cannot be rescaled, so it cannot set inter-arrival times in superposition mode"])
    }

    @Test func effectiveConfigurationWithEveryKeyLoadsBack() throws {
        let original = try Configuration.parse(yaml: configYAML(profile: """
            continuation_probability: [0.4, 0.5, 0.75]
            follow_up_input_tokens_dist_config: {type: Quantiles, points: [[0, 1], [0.5, 26], [1, 5000]]}
            output_tokens_dist_config: {type: Histogram, edges: [1, 100, 1000], weights: [2, 1]}
            user_priority_dist_config: {type: Zipf, s: 2, n: 5}
            history: prompts
            input_output_correlation: -0.5
            context_window_tokens: 32768
            on_context_full: truncate
            """))
        let reloaded = try Configuration.parse(yaml: original.effectiveYAML)
        #expect(reloaded.workload == original.workload)
        #expect(original.figuresReport.contains("carried history"))
    }
}
