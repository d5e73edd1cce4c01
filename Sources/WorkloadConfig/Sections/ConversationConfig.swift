import WorkloadModel
import Yams

/// The per-profile conversation keys: follow-up input, continuation by depth,
/// history, the input-output correlation and the context window.
extension Configuration {
    static let conversationKeys = [
        "follow_up_input_tokens_dist_config", "history", "input_output_correlation",
        "context_window_tokens", "on_context_full", "turns_by_first_prompt", "cut_input_to_window",
        "follow_up_input_scale_by_turn",
    ]

    /// The keys of one `turns_by_first_prompt` band.
    static let turnBandKeys = ["up_to_tokens", "conversational_probability", "continuation_probability"]

    /// At most this many bands (a session's band is one byte of its state).
    static let turnBandLimit = 64

    /// `continuation_probability` (a number, or a list by depth) and the
    /// conversation model; nil when anything is bad (every problem reported).
    static func conversation(
        _ object: ConfigObject, reader: ConfigReader, parser: DistributionParser
    ) -> (continuation: Double, model: ConversationModel)? {
        let before = reader.problems.count
        var model = ConversationModel()
        var continuation = 0.7
        if let (value, list) = continuationProbability(object, reader: reader) {
            continuation = value
            model.continuationByDepth = list
        }
        if let node = object["follow_up_input_tokens_dist_config"] {
            model.followUpInput = parser.parse(node, at: object.path("follow_up_input_tokens_dist_config"), role: .tokens)
        }
        if let node = object["follow_up_input_scale_by_turn"] {
            model.followUpInputScale = inputScale(node, at: object.path("follow_up_input_scale_by_turn"), reader: reader)
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
        model.cutInputToWindow = object.bool("cut_input_to_window", default: false)
        if let node = object["turns_by_first_prompt"] { model.turnBands = turnBands(node, at: object.path("turns_by_first_prompt"), reader: reader) }
        guard reader.problems.count == before else { return nil }
        return (continuation, model)
    }

    /// `continuation_probability` of `object`, when given: a number (no list), or a list by depth
    /// (its first element and the list).
    private static func continuationProbability(_ object: ConfigObject, reader: ConfigReader) -> (Double, [Double]?)? {
        guard let node = object["continuation_probability"] else { return nil }
        let path = object.path("continuation_probability")
        guard case .sequence(let list) = node else {
            return object.number("continuation_probability", default: 0.7, .probability).map { ($0, nil) }
        }
        if list.isEmpty { reader.report(path, "expected a number or a non-empty list of probabilities (got an empty list)") }
        let values = reader.numbers(list, at: path, .probability)
        return (values.first ?? 0.7, values)
    }

    /// `follow_up_input_scale_by_turn`: a list of 1 to 64 factors, each in [0.001, 1000].
    private static func inputScale(_ node: Node, at path: String, reader: ConfigReader) -> [Double] {
        guard case .sequence(let list) = node, !list.isEmpty, list.count <= turnBandLimit else {
            reader.report(path, "expected a list of 1 to \(turnBandLimit) factors, for turn 2, 3, ... (got \(ConfigReader.describe(node))\(node.sequence.map { ", \($0.count) factors" } ?? ""))")
            return []
        }
        return reader.numbers(list, at: path, .between(0.001, 1000))
    }

    /// `turns_by_first_prompt`: a list of bands, each `{up_to_tokens, conversational_probability,
    /// continuation_probability}` (all three required), bounds increasing.
    private static func turnBands(_ node: Node, at path: String, reader: ConfigReader) -> [TurnBand] {
        guard case .sequence(let list) = node, !list.isEmpty, list.count <= turnBandLimit else {
            reader.report(path, "expected a list of 1 to \(turnBandLimit) bands {up_to_tokens, conversational_probability, continuation_probability} (got \(ConfigReader.describe(node))\(node.sequence.map { ", \($0.count) bands" } ?? ""))")
            return []
        }
        var bands: [TurnBand] = []
        var previous: Int?
        for (index, item) in list.enumerated() {
            let at = "\(path)[\(index)]"
            guard let band = reader.object(item, at: at, allowed: turnBandKeys) else { continue }
            let bound = band.integer("up_to_tokens", default: nil, .between(1, Double(ConversationModel.largestPromptTokens)))
            let conversational = band.number("conversational_probability", default: nil, .probability)
            if !band.has("continuation_probability") { reader.report(band.path("continuation_probability"), "missing (expected a probability or a list of probabilities by depth)") }
            let continuation = continuationProbability(band, reader: reader)
            if let bound, let last = previous, bound <= last {
                reader.report(band.path("up_to_tokens"), "must be above the previous band's \(last) (bounds increase; got \(bound))")
            }
            previous = bound ?? previous
            guard let bound, let conversational, let continuation else { continue }
            bands.append(TurnBand(upToTokens: Int64(bound), conversationalProbability: conversational, continuation: continuation.1 ?? [continuation.0]))
        }
        return bands
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
            if !model.turnBands.isEmpty && profile.agent != nil {
                reader.report(path + ".turns_by_first_prompt", "is for conversations, not agent profiles (an agent's turns follow its own model)")
            }
            guard profile.mayContinue, spec.maxTurnsPerSession >= 2 else { continue }
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
