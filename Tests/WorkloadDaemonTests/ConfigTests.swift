import Foundation
import Testing
@testable import WorkloadDaemon
import WorkloadModel
@testable import WorkloadConfig

/// A valid one-profile configuration with `profile` spliced into the profile.
func configYAML(workload: String = "", profile: String = "", top: String = "") -> String {
    """
    workload:
      total_duration: 10
      random_seed: 1
    \(workload.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
      client_profiles:
        - profile_name: chat
          weight: 1
          inter_arrival_time_dist_config: {type: Exponential, rate: 5.0}
          prompt_tokens_dist_config: {type: LogNormal, mean: 128, sigma: 64, is_int: true}
          max_output_tokens_dist_config: {type: Uniform, low: 100, high: 500, is_int: true}
          conversational_probability: 0.6
          streaming_response_probability: 0.9
    \(profile.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
    \(top)
    """
}

func problems(_ yaml: String) -> [String] {
    do {
        _ = try Configuration.parse(yaml: yaml)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite struct ConfigTests {
    @Test func theSeedExampleLoadsUnchanged() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try Configuration.load(path: root.appendingPathComponent("config/example.yaml").path)
        let spec = configuration.workload
        #expect(spec.totalDuration == 300)
        #expect(spec.totalRequests == nil)
        #expect(spec.seed == 42)
        #expect(spec.maxTurnsPerSession == 10)
        #expect(spec.arrivalMode == .mixture)
        #expect(spec.profiles.count == 1)
        let chat = spec.profiles[0]
        #expect(chat.interArrival == Distribution(.exponential(rate: 5)))
        // {mean, sigma} is the mean and standard deviation of the tokens themselves.
        // Token counts are conditioned on at most 10^9 (no mass is there for these).
        #expect(chat.promptTokens == Distribution(.logNormal(mean: 128, std: 64), isInt: true, max: 1e9))
        #expect(chat.promptTokens.truncationMass == 1)
        #expect(chat.maxOutputTokens == Distribution(.uniform(low: 100, high: 500), isInt: true))
        #expect(chat.outputTokens == nil)
        #expect(chat.followUp == Distribution(.constant(5)))
        #expect(chat.continuationProbability == 0.7)
        #expect(chat.numClients == 100)
        #expect(configuration.clock.mode == .realtime)
        #expect(configuration.kafka.topics.requests == "llm.requests")

        let rich = try Configuration.load(path: root.appendingPathComponent("config/mixed-fleet.yaml").path)
        #expect(rich.workload.profiles.count == 3)
        #expect(rich.workload.arrivalMode == .superposition)
    }

    @Test func logNormalFormsAreDistinct() throws {
        let logSpace = try Configuration.parse(yaml: configYAML(profile: "user_priority_dist_config: {type: LogNormal, mu: 1, sigma: 0.5}"))
        #expect(logSpace.workload.profiles[0].priority.family == .logNormal(mu: 1, sigma: 0.5))
        let meanStd = try Configuration.parse(yaml: configYAML(profile: "user_priority_dist_config: {type: LogNormal, mean: 10, std: 2}"))
        #expect(meanStd.workload.profiles[0].priority.family == .logNormal(mean: 10, std: 2))
        #expect(problems(configYAML(profile: "user_priority_dist_config: {type: LogNormal, mu: 1, std: 2}")).count == 1)
    }

    @Test(arguments: [
        // (what, profile or workload fragment, expected path, expected bad value in the message)
        ("unknown key", "promt_tokens: 3", "workload.client_profiles[0].promt_tokens", "did you mean 'prompt_tokens_dist_config'"),
        ("wrong type", "num_clients: many", "workload.client_profiles[0].num_clients", "many"),
        ("zero rate", "follow_up_inter_arrival_time_dist_config: {type: Exponential, rate: 0}",
         "workload.client_profiles[0].follow_up_inter_arrival_time_dist_config.rate", "got 0"),
        ("negative rate", "follow_up_inter_arrival_time_dist_config: {type: Exponential, rate: -2}",
         "workload.client_profiles[0].follow_up_inter_arrival_time_dist_config.rate", "got -2"),
        ("sigma", "output_tokens_dist_config: {type: LogNormal, mu: 3, sigma: -3}",
         "workload.client_profiles[0].output_tokens_dist_config.sigma", "must be > 0 (got -3)"),
        ("uniform", "output_tokens_dist_config: {type: Uniform, low: 5, high: 5}",
         "workload.client_profiles[0].output_tokens_dist_config.low", "got low 5, high 5"),
        ("mixture weights zero", "output_tokens_dist_config: {type: Mixture, components: [{type: Constant, value: 1}, {type: Constant, value: 2}], weights: [0, 0]}",
         "workload.client_profiles[0].output_tokens_dist_config.weights", "got [0, 0]"),
        ("mixture weights length", "output_tokens_dist_config: {type: Mixture, components: [{type: Constant, value: 1}], weights: [1, 2]}",
         "workload.client_profiles[0].output_tokens_dist_config.weights", "2 weights for 1 components"),
        ("probability", "continuation_probability: 1.5", "workload.client_profiles[0].continuation_probability", "got 1.5"),
        ("truncation", "output_tokens_dist_config: {type: Normal, mean: 100, std: 10, min: 1000, max: 2000}",
         "workload.client_profiles[0].output_tokens_dist_config", "impossible truncation"),
        ("integer-free uniform", "output_tokens_dist_config: {type: Uniform, low: 0.2, high: 0.8}",
         "workload.client_profiles[0].output_tokens_dist_config.low", "needs an integer"),
        ("infinite", "follow_up_inter_arrival_time_dist_config: {type: Exponential, rate: .inf}",
         "workload.client_profiles[0].follow_up_inter_arrival_time_dist_config.rate", "must be a finite number (got .inf)"),
        ("unknown family", "output_tokens_dist_config: {type: Gamm, shape: 1, scale: 1}",
         "workload.client_profiles[0].output_tokens_dist_config.type", "did you mean 'Gamma'"),
    ])
    func badProfileValuesNameTheirPathAndValue(what: String, fragment: String, path: String, value: String) {
        let found = problems(configYAML(profile: fragment))
        #expect(found.count == 1, "\(what): \(found)")
        #expect(found.first?.hasPrefix(path + ":") == true, "\(what): \(found)")
        #expect(found.first?.contains(value) == true, "\(what): \(found)")
    }

    @Test func missingRequiredDistribution() {
        let yaml = configYAML().replacingOccurrences(of: "      prompt_tokens_dist_config: {type: LogNormal, mean: 128, sigma: 64, is_int: true}\n", with: "")
        #expect(problems(yaml) == ["workload.client_profiles[0].prompt_tokens_dist_config: missing (expected a distribution)"])
    }

    @Test func profileListProblems() {
        let empty = "workload:\n  random_seed: 1\n  client_profiles: []\n"
        #expect(problems(empty) == ["workload.client_profiles: expected a non-empty list of profiles (got a list)"])

        let zero = configYAML().replacingOccurrences(of: "weight: 1", with: "weight: 0")
        #expect(problems(zero) == ["workload.client_profiles: weights must not all be zero"])

        let profileText = configYAML().components(separatedBy: "    - profile_name: chat")[1]
        let duplicate = configYAML() + "\n    - profile_name: chat" + profileText
        let found = problems(duplicate)
        #expect(found.count == 1 && found[0].contains("workload.client_profiles[1].profile_name: duplicate profile name 'chat'"), "\(found)")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let yaml = configYAML(
            workload: "max_turns_per_session: 0\narival_mode: mixture",
            profile: "continuation_probability: -0.1\nnum_clients: 0\noutput_tokens_dist_config: {type: Exponential, rate: abc}",
            top: "clock: {mode: warp}")
        let found = problems(yaml)
        let paths = found.map { String($0.prefix { $0 != ":" }) }
        #expect(Set(paths) == [
            "workload.max_turns_per_session", "workload.arival_mode",
            "workload.client_profiles[0].continuation_probability", "workload.client_profiles[0].num_clients",
            "workload.client_profiles[0].output_tokens_dist_config.rate", "clock.mode",
        ], "\(found)")
    }

    @Test func notYAMLAndMissingFile() {
        let garbage = problems("workload: [unclosed\n  - {")
        #expect(garbage.count == 1 && garbage[0].contains("not valid YAML"))
        do {
            _ = try Configuration.load(path: "/nonexistent/config.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description.contains("no such file: /nonexistent/config.yaml"))
        }
    }

    @Test func timeDistributionsAreConditionedToBeNonNegative() throws {
        let configuration = try Configuration.parse(yaml: configYAML(profile: "follow_up_inter_arrival_time_dist_config: {type: Normal, mean: 2, std: 1}"))
        let followUp = configuration.workload.profiles[0].followUp
        #expect(followUp.min == 0)
        #expect(problems(configYAML(profile: "follow_up_inter_arrival_time_dist_config: {type: Constant, value: -1}")).count == 1)
    }

    @Test func effectiveConfigurationLoadsBackToTheSameSpec() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for file in ["config/example.yaml", "config/mixed-fleet.yaml"] {
            let original = try Configuration.load(path: root.appendingPathComponent(file).path)
            let reloaded = try Configuration.parse(yaml: original.effectiveYAML)
            #expect(reloaded.workload == original.workload, "\(file)")
            #expect(reloaded.runID == original.runID)
        }
    }

    @Test func derivedFiguresOfTheExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let figures = try Configuration.load(path: root.appendingPathComponent("config/example.yaml").path).workload.figures
        #expect(abs(figures.sessionRate - 5) < 1e-9)
        // Mean turns: 0.4 * 1 + 0.6 * (2 + 0.7 + 0.7^2 + ... + 0.7^8).
        let conversational = 2 + (1...8).reduce(0.0) { $0 + pow(0.7, Double($1)) }
        #expect(abs(figures.meanTurnsPerSession - (0.4 + 0.6 * conversational)) < 1e-9)
        #expect(abs(figures.profiles[0].meanOutputTokens - 300) < 1e-6)
    }
}
