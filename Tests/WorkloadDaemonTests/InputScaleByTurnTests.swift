import Foundation
import Testing
import TestSupport
@testable import WorkloadConfig
import WorkloadModel
@testable import WorkloadTraces

/// `follow_up_input_scale_by_turn`: a later turn's new input is the follow-up
/// law's draw times its turn's factor (per-turn means within 4 standard
/// errors), bad factors are configuration errors naming key and value, the
/// effective configuration loads back, and `fit`'s factors recover the
/// per-depth means of the turns they are read from.
@Suite struct InputScaleByTurnTests {
    static let yaml = """
        workload:
          total_duration: 120
          random_seed: 9
          max_turns_per_session: 6
          client_profiles:
            - profile_name: p
              weight: 1
              inter_arrival_time_dist_config: {type: Exponential, rate: 40}
              prompt_tokens_dist_config: {type: Constant, value: 100}
              max_output_tokens_dist_config: {type: Constant, value: 10}
              follow_up_inter_arrival_time_dist_config: {type: Constant, value: 0.01}
              follow_up_input_tokens_dist_config: {type: Uniform, low: 1, high: 2000, is_int: true}
              follow_up_input_scale_by_turn: [2, 0.5, 0.25]
              conversational_probability: 1
              continuation_probability: 0.9
              streaming_response_probability: 0
        """

    @Test(.statistics, .background, .tags(.statistics))
    func laterTurnsNewInputFollowsItsTurnsFactor() throws {
        let spec = try Configuration.parse(yaml: Self.yaml).workload
        var engine = WorkloadEngine(spec: spec)
        var byTurn: [Int: [Double]] = [:]
        while let event = engine.next() {
            if case .request(let r) = event, r.turn >= 2 { byTurn[Int(r.turn), default: []].append(Double(r.newInputTokens)) }
        }
        // Uniform on 1 ... 2000 (integers): mean 1000.5, standard deviation 2000 / sqrt(12).
        let (mean, sd) = (1000.5, 2000 / 12.0.squareRoot())
        for (turn, factor) in [(2, 2.0), (3, 0.5), (4, 0.25), (5, 0.25), (6, 0.25)] {
            let values = try #require(byTurn[turn])
            #expect(values.count > 1_000)
            let seen = values.reduce(0, +) / Double(values.count)
            #expect(abs(seen - factor * mean) <= 4 * factor * sd / Double(values.count).squareRoot() + 0.5,
                    "turn \(turn): mean new input \(seen) vs \(factor * mean) over \(values.count) turns")
        }
    }

    /// `validate`'s figures follow the factors: three turns a session, constant new input 100 and no history,
    /// so later prompts are exactly 200 (turn 2) and 50 (turn 3): mean 125, and half the prompt tokens are
    /// not carried (none is).
    @Test func validatesFiguresFollowTheFactors() throws {
        let yaml = Self.yaml
            .replacingOccurrences(of: "max_turns_per_session: 6", with: "max_turns_per_session: 3")
            .replacingOccurrences(of: "{type: Uniform, low: 1, high: 2000, is_int: true}", with: "{type: Constant, value: 100}")
            .replacingOccurrences(of: "follow_up_input_scale_by_turn: [2, 0.5, 0.25]", with: "follow_up_input_scale_by_turn: [2, 0.5]\n      history: none")
            .replacingOccurrences(of: "continuation_probability: 0.9", with: "continuation_probability: 1")
        let workload = try Configuration.parse(yaml: yaml).workload
        let figures = workload.conversationFigures(of: workload.profiles[0])
        #expect(figures.meanTurns == 3)
        #expect(abs(figures.meanLaterPromptTokens - 125) < 1e-9, "mean later prompt \(figures.meanLaterPromptTokens)")
        #expect(abs(figures.promptTokensPerSession - 350) < 1e-9, "prompt tokens per session \(figures.promptTokensPerSession)")
        #expect(figures.carriedShare == 0)
    }

    @Test func badFactorsAreReportedWithKeyAndValue() {
        let p = "workload.client_profiles[0].follow_up_input_scale_by_turn"
        #expect(problems(configYAML(profile: "follow_up_input_scale_by_turn: [1, 0, 2000, x]")) == [
            "\(p)[1]: must be between 0.001 and 1000 (got 0)",
            "\(p)[2]: must be between 0.001 and 1000 (got 2000)",
            "\(p)[3]: expected a number (got x)",
        ])
        #expect(problems(configYAML(profile: "follow_up_input_scale_by_turn: 1.5")) ==
            ["\(p): expected a list of 1 to 64 factors, for turn 2, 3, ... (got 1.5)"])
        #expect(problems(configYAML(profile: "follow_up_input_scale_by_turn: []")) ==
            ["\(p): expected a list of 1 to 64 factors, for turn 2, 3, ... (got a list, 0 factors)"])
    }

    @Test func theEffectiveConfigurationWithFactorsLoadsBack() throws {
        let original = try Configuration.parse(yaml: Self.yaml)
        #expect(original.workload.profiles[0].conversation.followUpInputScale == [2, 0.5, 0.25])
        #expect(original.effectiveYAML.contains("follow_up_input_scale_by_turn: [2, 0.5, 0.25]"))
        let reloaded = try Configuration.parse(yaml: original.effectiveYAML)
        #expect(reloaded.workload == original.workload)
    }

    /// Turns 2, 3, 4+ with means 3000, 1500, 750 (exponential, 2,000 turns each): the factors are
    /// the means over the pooled mean, within 4 standard errors; equal means write none.
    @Test func fitsFactorsWhereTheMeansDiffer() throws {
        var rng = Xoshiro256(seed: 4)
        func draws(_ mean: Double, _ n: Int) -> [Double] { (0..<n).map { _ in -mean * Foundation.log(1 - rng.nextUnit()) } }
        let means = [3000.0, 1500, 750]
        let inputs = means.flatMap { draws($0, 2_000) }
        let turns = (0..<6_000).map { 2 + $0 / 2_000 }
        let fitted = try #require(InputByDepth(turns: turns, inputs: inputs))
        #expect(fitted.factors.count == 3 && fitted.counts == [2_000, 2_000, 2_000])
        let pooled = inputs.reduce(0, +) / Double(inputs.count)
        for (factor, mean) in zip(fitted.factors, means) {
            // An exponential's standard deviation is its mean; the pooled mean's error is smaller and shared.
            #expect(abs(factor * pooled - mean) <= 4 * mean / 2_000.0.squareRoot(), "factor \(factor): \(factor * pooled) vs \(mean)")
        }
        let flat = draws(1500, 6_000)
        #expect(InputByDepth(turns: turns, inputs: flat) == nil)
    }
}
