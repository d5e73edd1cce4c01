import WorkloadModel
import Yams

/// The per-profile conversation keys: follow-up input, continuation by depth,
/// history, the input-output correlation and the context window.
extension Configuration {
    static let conversationKeys = [
        "follow_up_input_tokens_dist_config", "history", "input_output_correlation",
        "context_window_tokens", "on_context_full",
    ]

    /// `continuation_probability` (a number, or a list by depth) and the
    /// conversation model; nil when anything is bad (every problem reported).
    static func conversation(
        _ object: ConfigObject, reader: ConfigReader, parser: DistributionParser
    ) -> (continuation: Double, model: ConversationModel)? {
        let before = reader.problems.count
        var model = ConversationModel()
        var continuation = 0.7
        if let node = object["continuation_probability"] {
            let path = object.path("continuation_probability")
            if case .sequence(let list) = node {
                if list.isEmpty { reader.report(path, "expected a number or a non-empty list of probabilities (got an empty list)") }
                var values: [Double] = []
                for (index, item) in list.enumerated() {
                    guard let value = reader.number(item, at: "\(path)[\(index)]") else { continue }
                    if (0...1).contains(value) {
                        values.append(value)
                    } else {
                        reader.report("\(path)[\(index)]", "must be a probability in [0, 1] (got \(ConfigReader.describe(item)))")
                    }
                }
                if let first = values.first { continuation = first }
                model.continuationByDepth = values
            } else if let value = object.number("continuation_probability", default: 0.7, .probability) {
                continuation = value
            }
        }
        if let node = object["follow_up_input_tokens_dist_config"] {
            model.followUpInput = parser.parse(node, at: object.path("follow_up_input_tokens_dist_config"), role: .tokens)
        }
        model.history = choice(object, "history", HistoryMode.self, reader: reader)
        model.onContextFull = choice(object, "on_context_full", ContextFullPolicy.self, reader: reader) ?? .end
        if object.has("input_output_correlation") {
            model.inputOutputCorrelation = object.number("input_output_correlation", default: 0, .between(-0.99, 0.99)) ?? 0
        }
        if object.has("context_window_tokens"),
           let window = object.integer("context_window_tokens", default: nil, .between(1, Double(ConversationModel.largestPromptTokens))) {
            model.contextWindowTokens = Int64(window)
        }
        guard reader.problems.count == before else { return nil }
        return (continuation, model)
    }

    /// One of an enumeration's raw values, with a "did you mean" hint.
    private static func choice<T: RawRepresentable & CaseIterable>(
        _ object: ConfigObject, _ key: String, _ type: T.Type, reader: ConfigReader
    ) -> T? where T.RawValue == String {
        guard let node = object[key], let name = reader.string(node, at: object.path(key)) else { return nil }
        if let value = T(rawValue: name) { return value }
        let names = T.allCases.map(\.rawValue)
        reader.report(object.path(key), "must be \(names.joined(separator: ", ")) (got \(name))\(KeySuggestion.hint(for: name, in: names))")
        return nil
    }

    /// Checks that need the whole workload: the window and the 10^9-token
    /// bound against what the distributions can draw, and Zipf (which has no
    /// rescaled form) out of superposition-mode inter-arrival times.
    static func checkConversations(_ spec: WorkloadSpec, reader: ConfigReader) {
        let bound = Double(ConversationModel.largestPromptTokens)
        for (index, profile) in spec.profiles.enumerated() {
            let path = "workload.client_profiles[\(index)]"
            let model = profile.conversation
            let window = Double(model.effectiveWindow)
            if spec.arrivalMode == .superposition && !profile.interArrival.family.isScalable {
                reader.report(path + ".inter_arrival_time_dist_config", "Zipf cannot be rescaled, so it cannot set inter-arrival times in superposition mode")
            }
            let first = profile.promptTokens.infimum
            if first > window {
                reader.report(path + ".prompt_tokens_dist_config", "every first prompt exceeds the context window of \(NumberRule.format(window)) tokens (the smallest is \(NumberRule.format(first)))")
                continue
            }
            guard profile.conversationalProbability > 0, spec.maxTurnsPerSession >= 2 else { continue }
            let later = profile.newInput(ofTurn: 2).infimum
            if later > window {
                reader.report(path + ".follow_up_input_tokens_dist_config", "every follow-up input exceeds the context window of \(NumberRule.format(window)) tokens (the smallest is \(NumberRule.format(later)))")
                continue
            }
            // Without a window, the bound must not be certain to be crossed:
            // the smallest accumulated prompt at the deepest reachable turn.
            guard model.contextWindowTokens == nil else { continue }
            let turns = profile.turnCounts(maxTurns: spec.maxTurnsPerSession)
            let deepest = Double(turns.probabilities.lastIndex { $0 > 0 }.map { $0 + 1 } ?? 1)
            let output = Swift.min(profile.maxOutputTokens.infimum, profile.outputTokens?.infimum ?? .infinity)
            let smallest: Double
            switch profile.history(accumulate: spec.accumulateConversationalTokens) {
            case .full: smallest = first + (deepest - 1) * (later + output)
            case .prompts: smallest = first + (deepest - 1) * later
            case .none: smallest = later
            }
            if smallest > bound {
                reader.report(path, "accumulated prompts certainly cross the bound of 10^9 tokens: at turn \(NumberRule.format(deepest)) the prompt is at least \(NumberRule.format(smallest)) tokens; set context_window_tokens (with on_context_full: end or truncate), a smaller max_turns_per_session or history: none")
            }
        }
    }
}
