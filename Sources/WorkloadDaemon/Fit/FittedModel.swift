import WorkloadModel

/// What `fit` found in a trace, before it is written as a configuration:
/// every choice with the figures that justify it (the comments of the YAML).
struct FittedModel {
    var source: String
    var format: TraceFormat
    var requests: Int
    var span: Double
    /// New sessions (first turns) and their gaps in operational time.
    var sessions: Int
    var interArrival: FittedLaw
    var interArrivalNote: String
    /// The timestamps' tick, when they come in ticks (Mooncake: 3 s).
    var timeResolution: Double?
    var schedule: RateSchedule
    var scheduleWidth: Double
    var scheduleBandwidth: Double
    var bursts: MarkovBursts?
    var burstNote: String
    var warmStart: Bool
    var warmStartNote: String
    var firstPrompt: FittedLaw
    var output: FittedLaw
    var correlation: Double
    var correlationNote: String
    /// Sessions: nil when the trace has none (every request its own session).
    var turns: TurnLaw?
    var followUpGap: FittedLaw?
    var followUpInput: FittedLaw?
    var history: String?
    var historyNote: String
    /// Prefix structure: leading blocks every request shares, and the block size.
    var blockTokens: Int64?
    var sharedBlocks: Int
    var prefixNote: String

    var systemTokens: Int64 { Int64(sharedBlocks) * (blockTokens ?? 0) }

    /// The configuration text (documented keys only; comments say what was fitted and how well).
    func yaml(seed: UInt64 = 1) -> String {
        var out: [String] = []
        func comment(_ text: String, indent: String = "") { out.append("\(indent)# \(text)") }
        comment("Fitted by `llm-workload fit` from \(source) (format \(format.rawValue)): \(requests) requests over \(YAMLNumber.short(span)) s.")
        comment("Every value below is read off the trace; the goodness-of-fit table `fit` prints compares the")
        comment("trace with streams generated from this file. Nothing here is tuned to a particular trace.")
        out.append("workload:")
        comment("The trace's span (first to last request).", indent: "  ")
        out.append("  total_duration: \(YAMLNumber.text(span))")
        out.append("  random_seed: \(seed)")
        if let turns {
            comment("The deepest session in the trace.", indent: "  ")
            out.append("  max_turns_per_session: \(turns.maxTurns)")
        } else {
            out.append("  max_turns_per_session: 1")
        }
        out.append("  load:")
        comment("Windowed request rates: \(schedule.multipliers.count) windows of \(YAMLNumber.short(scheduleWidth)) s, Gaussian-smoothed over \(YAMLNumber.short(scheduleBandwidth)) windows (chosen by simulation to match the IDC and lag-1 autocorrelation of minute counts), mean 1.", indent: "    ")
        out.append("    schedule:")
        let points = zip(schedule.times, schedule.multipliers).map { "[\(YAMLNumber.text($0)), \(YAMLNumber.short($1))]" }
        out.append("      points: [\(points.joined(separator: ", "))]")
        out.append("      interpolation: linear")
        if let period = schedule.repeatSeconds {
            comment("A daily period is evident (lag-24 h autocorrelation of hourly counts): the windows are folded onto one day.", indent: "      ")
            out.append("      repeat_s: \(YAMLNumber.text(period))")
        }
        comment(burstNote, indent: "    ")
        if let bursts {
            let states = bursts.states.map { "{multiplier: \(YAMLNumber.short($0.multiplier)), mean_duration_s: \(YAMLNumber.short($0.meanDurationSeconds))}" }
            out.append("    bursts: {type: MMPP, states: [\(states.joined(separator: ", "))]}")
        }
        comment(warmStartNote, indent: "  ")
        if warmStart { out.append("  warm_start: true") }
        if let blockTokens {
            comment(prefixNote, indent: "  ")
            if sharedBlocks > 0 {
                out.append("  prefix_pools:")
                out.append("    - {name: system, items: 1, tokens_dist_config: {type: Constant, value: \(systemTokens)}, popularity: {type: Uniform}}")
            }
            out.append("  kv_blocks: {block_tokens: \(blockTokens)}")
        }
        out.append("  client_profiles:")
        out.append("    - profile_name: fitted")
        out.append("      weight: 1")
        comment("\(interArrivalNote)New sessions: \(sessions) (\(YAMLNumber.short(Double(sessions) / span))/s); gaps in operational time (the schedule divided out): \(interArrival.summary).", indent: "      ")
        out.append("      inter_arrival_time_dist_config: \(interArrival.yaml)")
        comment((turns == nil ? "Prompts: " : "First prompts\(sharedBlocks > 0 ? " after the system prefix (\(systemTokens) tokens)" : ""): ") + firstPrompt.summary + ".", indent: "      ")
        out.append("      prompt_tokens_dist_config: \(firstPrompt.yaml)")
        comment("Output tokens (the trace's actual lengths, as max_output_tokens): \(output.summary).", indent: "      ")
        out.append("      max_output_tokens_dist_config: \(output.yaml)")
        comment(correlationNote, indent: "      ")
        out.append("      input_output_correlation: \(YAMLNumber.short(correlation))")
        comment("The trace says nothing of streaming.", indent: "      ")
        out.append("      streaming_response_probability: 0")
        if let turns, let followUpGap, let followUpInput, let history {
            comment("Sessions: mean \(YAMLNumber.short(turns.meanTurns)) turns; turn-count law by depth (n_(k+1) / n_k while 30 sessions reach a depth, then pooled).", indent: "      ")
            out.append("      conversational_probability: \(YAMLNumber.short(turns.conversationalProbability))")
            out.append("      continuation_probability: [\(turns.continuation.map(YAMLNumber.short).joined(separator: ", "))]")
            comment("Gaps from a turn to the next: \(followUpGap.summary).", indent: "      ")
            out.append("      follow_up_inter_arrival_time_dist_config: \(followUpGap.yaml)")
            comment(historyNote, indent: "      ")
            out.append("      history: \(history)")
            comment("New input of later turns: \(followUpInput.summary).", indent: "      ")
            out.append("      follow_up_input_tokens_dist_config: \(followUpInput.yaml)")
        } else {
            comment("No sessions in the trace: every request is a session of one turn.", indent: "      ")
            out.append("      conversational_probability: 0")
        }
        if blockTokens != nil, sharedBlocks > 0 {
            out.append("      prefixes: [{pool: system, per: session}]")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
