import Foundation
import WorkloadModel
import WorkloadConfig

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
    /// The new-session rate's calibration (`scaleSessionRate`), kept so that
    /// gaps refitted under another schedule keep it.
    var sessionRateFactor = 1.0
    /// The first period's windows (the trace's own) times this, past a new-session rate calibrated
    /// on the later periods: the warm start's sessions in progress at 0 are the first window's
    /// rate's, not the stationary load's, so the first span runs at its own level (`calibrateStationaryRate`).
    var firstPeriodLevel = 1.0
    /// Within the span, the schedule's 600 s blocks at the trace's realised levels (nil: as chosen).
    var blockReplay: BlockReplay?
    /// The timestamps' tick, when they come in ticks (Mooncake: 3 s).
    var timeResolution: Double?
    var schedule: RateSchedule
    var scheduleWidth: Double
    var scheduleBandwidth: Double
    /// The generator's own noise in the schedule's windowed rates (the banded
    /// periodogram of a flat-schedule stream's); once set, the schedule is
    /// the trace's rates with that noise taken out (`RateSchedule.denoised`).
    var scheduleNoise: [Double]?
    /// The share of the windowed rates' variance the denoised schedule kept.
    var scheduleKept: Double?
    /// The share of the trace's own windowed rates mixed back into the denoised
    /// schedule (with sessions, their spread smooths the schedule again, so
    /// the denoised one alone can fall short of the trace's minute-scale variance).
    var scheduleBlend = 0.0
    /// How the schedule was chosen among its candidates.
    var scheduleChoice = ""
    /// The trace's own request rate per window over its mean (the variance budget past the span is over their blocks).
    var windowRates: [Double] = []
    /// Per schedule window, the factor that undoes later turns' smearing of
    /// the schedule (nil: not applied, the trace has no sessions).
    var smearCorrection: [Double]?
    var bursts: MarkovBursts?
    var burstNote: String
    /// How the load goes on past the span (a schedule folded onto a day already repeats).
    var beyondSpan: BeyondSpan = .shuffled
    /// Each later turn's delay from its session's first request, and Σ n² / Σ n over
    /// sessions of n requests (the IDC sessions add to a window holding them whole).
    var laterDelays: [Double] = []
    var sessionClustering: Double = 1
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
    /// Documents shared across sessions beyond the system prefix (nil: none found).
    var documents: Documents?
    /// Prefix families where most first turns share leading blocks (then no documents).
    var families: PrefixFamilies?
    /// With families, the profile of sessions that share a variant: their share, first prompts and turn law.
    /// Both profiles then have outputs of their own (the two populations' outputs differ, which is
    /// much of the trace's prompt-output correlation): `output` is the other sessions'.
    var variantProfile: (share: Double, firstPrompt: FittedLaw, turns: TurnLaw?, output: FittedLaw)?
    /// Turn laws by first-prompt band, of the first profile and of the second (documents or variants); nil: one law.
    var turnBands: TurnBands?
    /// Later turns' new input by depth (nil: one law for every depth).
    var inputByDepth: InputByDepth?
    var documentBands: TurnBands?

    /// The context window the prompts pile at (`ContextWindow`), and the comment on it.
    var contextWindow: Int64?
    var windowNote = ""

    /// The deepest session in the trace (`max_turns_per_session`).
    var maxTurns: Int
    /// Requests per model (BurstGPT's `Model` column), most first; empty without one.
    var models: [(name: String, requests: Int)] = []
    /// Response times fitted from the trace (nil: it gives none).
    var service: Service?

    struct Service {
        var ttft: FittedLaw
        var tpot: FittedLaw
        /// Follow-ups timed from the previous completion (the trace's sessions waited for their answers).
        var anchored: Bool
        var note: String

        init?(_ sample: ServiceSample?) {
            guard let sample, !sample.ttfts.isEmpty, !sample.tpots.isEmpty else { return nil }
            ttft = FamilyFit.fit(sample.ttfts, integer: false, preserveMean: true, bounded: true)
            tpot = FamilyFit.fit(sample.tpots, integer: false, preserveMean: true, bounded: true)
            anchored = sample.isClosedLoop
            let later = sample.thinkTimes.count + sample.earlySends
            note = anchored
                ? "The trace gives each request's latency (completion events) and its later turns wait for them (\(sample.earlySends) of \(later) sent before the previous response completed): follow-ups are timed from the previous completion, the follow-up law is the think time (next send - previous completion), and the service model is fitted from the latencies (a prefill rate is folded into TTFT)."
                : "The trace gives each request's latency, but \(sample.earlySends) of \(later) later turns were sent before the previous response completed (an open loop): follow-ups stay timed from the previous send; the service model is fitted from the latencies (a prefill rate is folded into TTFT)."
        }
    }

    struct Documents {
        var items: Int
        /// The share of new sessions that carry a document (the profile's weight).
        var share: Double
        var tokens: FittedLaw
        var note: String
        /// The sharing sessions' own first prompts (after both prefixes) and turn law.
        var firstPrompt: FittedLaw
        var turns: TurnLaw?
    }

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
        if turns != nil {
            comment("The deepest session in the trace.", indent: "  ")
            out.append("  max_turns_per_session: \(maxTurns)")
        } else {
            out.append("  max_turns_per_session: 1")
        }
        out.append("  load:")
        let smearNote = smearCorrection.map { c in
            " Times a correction for later turns, which follow their sessions by minutes and so smear the schedule: per window, the trace's request rate over a simulated stream's, both smoothed over \(YAMLNumber.short(TraceFitter.smearBandwidth)) windows (factors \(YAMLNumber.short(c.min() ?? 1)) to \(YAMLNumber.short(c.max() ?? 1)))."
        } ?? ""
        comment(scheduleNote + smearNote, indent: "    ")
        out.append("    schedule:")
        let (written, beyondNote) = writtenSchedule()
        let points = zip(written.times, written.multipliers).map { "[\(YAMLNumber.text($0)), \(YAMLNumber.short($1))]" }
        out.append("      points: [\(points.joined(separator: ", "))]")
        out.append("      interpolation: \(written.step ? "step" : "linear")")
        comment(beyondNote, indent: "      ")
        if let period = written.repeatSeconds { out.append("      repeat_s: \(YAMLNumber.text(period))") }
        comment(burstNote, indent: "    ")
        if let bursts {
            let states = bursts.states.map { "{multiplier: \(YAMLNumber.short($0.multiplier)), mean_duration_s: \(YAMLNumber.short($0.meanDurationSeconds))}" }
            out.append("    bursts: {type: MMPP, states: [\(states.joined(separator: ", "))]}")
        }
        comment(warmStartNote, indent: "  ")
        if warmStart { out.append("  warm_start: true") }
        if let blockTokens { prefixPools(blockTokens: blockTokens, into: &out) }
        serviceModel(into: &out)
        out.append("  client_profiles:")
        profile(name: "fitted", weight: 1 - (documents?.share ?? variantProfile?.share ?? 0), firstPrompt: firstPrompt, turns: turns,
                document: false, into: &out)
        if let documents {
            profile(name: "documents", weight: documents.share, firstPrompt: documents.firstPrompt, turns: documents.turns,
                    document: true, into: &out)
        }
        if let variantProfile {
            profile(name: "variants", weight: variantProfile.share, firstPrompt: variantProfile.firstPrompt, turns: variantProfile.turns,
                    document: true, into: &out)
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// What the schedule is and how its variance was split with the generator's own noise.
    var scheduleNote: String {
        let replay = blockReplay.map { " " + $0.note } ?? ""
        guard let kept = scheduleKept else {
            return "Windowed request rates: \(schedule.multipliers.count) windows of \(YAMLNumber.short(scheduleWidth)) s, Gaussian-smoothed over \(YAMLNumber.short(scheduleBandwidth)) windows, mean 1. \(scheduleChoice)\(replay)"
        }
        return String(format: "Windowed request rates: %d windows of %@ s, stepped (each holds over its window), mean 1. Variance budget: the trace's windowed rates are its load's variation plus count noise, and a run adds its own noise again, so the schedule keeps only the variance beyond that noise, frequency by frequency (each frequency's amplitude x sqrt(1 - noise / power), both averaged over about a third of an octave; the noise is the windowed rates' spectrum of streams from this model under a flat schedule: Poisson, sessions, bursts): %.1f%% of the windows' variance kept%@. %@",
                      schedule.multipliers.count, YAMLNumber.short(scheduleWidth), 100 * kept,
                      scheduleBlend > 0 ? String(format: ", then mixed with the trace's own windowed rates at %.0f%%", 100 * scheduleBlend) : "", scheduleChoice) + replay
    }

    /// The schedule over the span: its blocks at the trace's levels, the first period's level.
    var spanSchedule: RateSchedule {
        var out = blockReplay.map { BlockReplay.applying($0.factors, to: schedule) } ?? schedule
        out.multipliers = out.multipliers.map { $0 * firstPeriodLevel }
        return out
    }

    /// The schedule as written, going on past the span, and the comment saying how.
    func writtenSchedule() -> (RateSchedule, String) {
        if schedule.repeatSeconds != nil {
            return (schedule, "A daily period is evident (lag-24 h autocorrelation of hourly counts): the windows are folded onto one day.")
        }
        let windows = schedule.multipliers.count
        switch beyondSpan {
        case .trace:
            let written = spanSchedule.repeating(width: scheduleWidth)
            return (written, "Past the span: the trace's own \(windows) windows again every \(YAMLNumber.short(written.repeatSeconds ?? 0)) s (fit --beyond-span trace: an exact repeat of its shape).")
        case .shuffled:
            return shuffledSchedule()
        }
    }

    /// The shuffled schedule past the span (see `RateSchedule.shuffled`), with the variance budget, and its comment.
    func shuffledSchedule() -> (RateSchedule, String) {
        let plan = BlockPlan(windows: schedule.multipliers.count, width: scheduleWidth, span: span)
        let block = Double(plan.blockWindows) * scheduleWidth
        let first = Double(plan.firstWindows) * scheduleWidth, later = Double(plan.slots) * block
        let periods = 1 + Swift.max(1, Int(((Self.horizon - first) / later).rounded(.up)))
        // Later periods start from the trace's request rates (the smear correction is the first period's).
        let base = smearCorrection.map { zip(schedule.multipliers, $0).map { $1 > 0 ? $0 / $1 : $0 } } ?? schedule.multipliers
        let b = plan.blockWindows
        // A denoised schedule's block means lost their noise already: the budget is over the trace's own.
        let raw = scheduleKept != nil && windowRates.count == base.count ? windowRates : base
        let levels = (0..<plan.wholeBlocks).map { raw[($0 * b)..<(($0 + 1) * b)].reduce(0, +) / Double(b) }
        let rate = Double(requests) / span
        let burstIDC = bursts?.indexOfDispersion(window: block, rate: rate, baseIDC: 0) ?? 0
        let spill = laterDelays.reduce(0) { $0 + Swift.min(1, $1 / block) } / Double(Swift.max(1, requests))
        let budget = BlockLevels(levels: levels, slots: plan.slots, rate: rate, seconds: block,
                                 intrinsicIDC: sessionClustering + burstIDC, spill: spill)
        let written = spanSchedule.shuffled(width: scheduleWidth, plan: plan, periods: periods, base: base, blockLevels: levels, levels: budget)
        let fillers = plan.fillers == 0 ? "" : " and \(plan.fillers) filler(s) (one of its blocks drawn at random, where the trace's partial last block would be)"
        let split = String(format: "Variance budget over %@ s blocks: the trace's block counts have IDC %.3g; the generator adds about %.3g by itself (Poisson and sessions %.3g, bursts %.3g), so the blocks keep the rest: deviations x %.3g, fillers at the mean %@. Sessions send %.1f%% of a block's requests in the next: each block's level is set so that, with that spill from the block before, its request rate is the trace's.",
                               YAMLNumber.short(block), Self.blockIDC(levels, rate: rate, seconds: block), sessionClustering + burstIDC, sessionClustering, burstIDC,
                               budget.shrink, budget.fillerOffset > 0 ? String(format: "+/- %.3g", budget.fillerOffset) : "exactly", 100 * budget.spill)
        let level = firstPeriodLevel == 1 ? "" : String(format: " The new-session rate is calibrated on the later periods, and the first period's windows are x %.4f so that the first span has the trace's rate too: the warm start's sessions in progress at 0 are those the first window's rate leaves, not the stationary load's.", firstPeriodLevel)
        return (written, "Past the span, a stationary load: the first \(YAMLNumber.short(first)) s are the trace's own windows (then fillers); each later \(YAMLNumber.short(later)) s play the trace's \(plan.wholeBlocks) whole blocks of \(YAMLNumber.short(block)) s\(fillers) in a new random order, their request rates scaled to mean 1; \(periods) periods (a week; past them the last window's rate holds; no repeat_s, so that a warm start's burn-in before 0 sees the first window's rate, as the fit judged it). Blocks\(block == 600 ? " of 600 s line up with a run's 600 s windows and hours" : " are a third of the trace"), so every period has the trace's windowed rates: its mean rate, the spread of its 60 s and 600 s counts and, but at the joins, its minute-to-minute correlation; only the order changes (fit --beyond-span trace repeats the trace's own windows instead). \(split)\(level)")
    }

    /// How far a shuffled schedule is written: a week.
    static let horizon = 7 * 86_400.0

    /// The IDC of block counts at `levels` (multipliers) x `rate` x `seconds`.
    static func blockIDC(_ levels: [Double], rate: Double, seconds: Double) -> Double {
        let counts = levels.map { $0 * rate * seconds }
        guard counts.count >= 2 else { return .nan }
        let mean = counts.reduce(0, +) / Double(counts.count)
        return counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(counts.count - 1) / mean
    }

    /// The prefix pools (system, documents or families) and the block size, with their comments.
    private func prefixPools(blockTokens: Int64, into out: inout [String]) {
        func note(_ text: String, indent: String) { out.append("\(indent)# \(text)") }
        note(prefixNote, indent: "  ")
        if let documents { note(documents.note, indent: "  ") }
        if let families { note(families.note, indent: "  ") }
        if sharedBlocks > 0 || documents != nil || families != nil { out.append("  prefix_pools:") }
        if sharedBlocks > 0 {
            out.append("    - {name: system, items: 1, tokens_dist_config: {type: Constant, value: \(systemTokens)}, popularity: {type: Uniform}}")
        }
        if let documents {
            out.append("    - {name: documents, items: \(documents.items), tokens_dist_config: \(documents.tokens.yaml), popularity: {type: Uniform}}")
        }
        if let families {
            // Items as the trace shows them: each one's length, and its sessions as its weight.
            func listed(_ name: String, _ items: [PrefixFamilies.Item]) {
                out.append("    - {name: \(name), item_tokens: [\(items.map { String($0.tokens) }.joined(separator: ", "))], item_weights: [\(items.map { String($0.sessions) }.joined(separator: ", "))]}")
            }
            func pool(_ name: String, _ level: PrefixFamilies.Level) {
                if let seen = level.seen { return listed(name, seen) }
                let popularity = level.exponent < 1e-3 ? "{type: Uniform}" : "{type: Zipf, s: \(YAMLNumber.short(level.exponent))}"
                if let lengths = level.atQuantiles {
                    out.append("    - {name: \(name), item_tokens: [\(lengths.map(String.init).joined(separator: ", "))], popularity: \(popularity)}")
                    return
                }
                out.append("    - {name: \(name), items: \(level.items), tokens_dist_config: \(level.constant.map { "{type: Constant, value: \(YAMLNumber.text($0))}" } ?? level.tokens.yaml), popularity: \(popularity)}")
            }
            pool("families", families.family)
            if let underVariants = families.variantFamilies { listed("variant_families", underVariants) }
            if let variant = families.variant { pool("variants", variant) }
        }
        out.append("  kv_blocks: {block_tokens: \(blockTokens)}")
    }

    /// The fitted service model, or a comment saying the trace has none to fit.
    private func serviceModel(into out: inout [String]) {
        func comment(_ text: String, indent: String) { out.append("\(indent)# \(text)") }
        if let service {
            comment(service.note, indent: "  ")
            comment("TTFT: \(service.ttft.summary).", indent: "    ")
            comment("TPOT: \(service.tpot.summary).", indent: "    ")
            out.append("  service_model:")
            out.append("    ttft_s_dist_config: \(service.ttft.yaml)")
            out.append("    tpot_s_dist_config: \(service.tpot.yaml)")
            out.append("    emit_completions: true")
        } else {
            comment("The trace gives no response times (no latencies): follow-ups are timed from the previous send (follow_up_after: send), with the trace's send-to-send gaps.", indent: "  ")
        }
    }

    /// A profile's output law: its own where sessions sharing a variant have a profile
    /// of their own, else the trace's (the second profile refers to the first's).
    private func outputLaw(document: Bool, into out: inout [String]) {
        if let variantProfile {
            let own = document ? variantProfile.output : output
            out.append("      # Output tokens of this profile's sessions (the trace's actual lengths, as max_output_tokens): \(own.summary).")
            out.append("      max_output_tokens_dist_config: \(own.yaml)")
        } else if document {
            out.append("      max_output_tokens_dist_config: *output")
        } else {
            out.append("      # Output tokens (the trace's actual lengths, as max_output_tokens): \(output.summary).")
            out.append("      max_output_tokens_dist_config: \(documents == nil ? "" : "&output ")\(output.yaml)")
        }
    }

    /// A profile's turn laws: one, or by first-prompt band (the last band's law is the profile's own).
    private func turnLaws(_ turns: TurnLaw, bands: TurnBands?, into out: inout [String]) {
        func comment(_ text: String) { out.append("      # \(text)") }
        comment("Sessions: mean \(YAMLNumber.short(turns.meanTurns)) turns; turn-count law by depth (n_(k+1) / n_k while 30 sessions reach a depth, then pooled).")
        var own = turns
        if let bands {
            let list = bands.bands.map { String(format: "<= %lld tokens: %d sessions, %.3f +/- %.3f, going on %.3f +/- %.3f", $0.upToTokens, $0.sessions, $0.meanTurns, $0.standardError, $0.law.conversationalProbability, $0.goesOnStandardError) }
            comment("Session length depends on the first prompt (after shared prefixes): mean turns and share going on past the first turn by band (first prompts cut at quantiles, neighbours within \(YAMLNumber.short(TurnBands.mergeZ)) standard errors on both merged) \(list.joined(separator: "; ")). Each band has its own law; the last band's is the profile's own.")
            let written = bands.lowerBands.map { band in
                "{up_to_tokens: \(band.upToTokens), conversational_probability: \(YAMLNumber.short(band.conversationalProbability)), continuation_probability: [\(band.continuation.map(YAMLNumber.short).joined(separator: ", "))]}"
            }
            out.append("      turns_by_first_prompt: [\(written.joined(separator: ", "))]")
            own = bands.bands.last!.law
        }
        out.append("      conversational_probability: \(YAMLNumber.short(own.conversationalProbability))")
        out.append("      continuation_probability: [\(own.continuation.map(YAMLNumber.short).joined(separator: ", "))]")
    }

    /// The context window's keys (none without one), commented in the first profile.
    private func windowKeys(document: Bool, into out: inout [String]) {
        if !document { out.append("      # \(windowNote)") }
        guard let contextWindow else { return }
        out.append("      context_window_tokens: \(contextWindow)")
        out.append("      on_context_full: truncate")
        out.append("      cut_input_to_window: true")
    }

    /// One profile. The second (`documents`) shares the first's laws through
    /// YAML anchors, so only its own first prompts, turns and prefixes differ.
    private func profile(name: String, weight: Double, firstPrompt: FittedLaw, turns: TurnLaw?, document: Bool, into out: inout [String]) {
        func comment(_ text: String) { out.append("      # \(text)") }
        func law(_ key: String, _ anchor: String, _ yaml: String) {
            if document { out.append("      \(key): *\(anchor)") }
            else { out.append("      \(key): \(documents == nil && variantProfile == nil ? "" : "&\(anchor) ")\(yaml)") }
        }
        out.append("    - profile_name: \(name)")
        out.append("      weight: \(YAMLNumber.short(weight))")
        if document {
            comment(families == nil ? "Sessions that start from a shared document: the laws of `fitted` except first prompts, turns and prefixes."
                    : "Sessions that share a variant under their family (they carry one): the laws of `fitted` except first prompts, turns and prefixes.")
        } else {
            comment("\(interArrivalNote)New sessions: \(sessions) (\(YAMLNumber.short(Double(sessions) / span))/s); gaps in operational time (the schedule divided out): \(interArrival.summary).")
        }
        law("inter_arrival_time_dist_config", "gaps", interArrival.yaml)
        let after = [sharedBlocks > 0 ? "the system prefix (\(systemTokens) tokens)" : nil, document && families == nil ? "the document" : nil,
                     families != nil ? (document ? "the family and variant" : "the family") : nil].compactMap { $0 }
        comment((turns == nil ? "Prompts" : "First prompts") + (after.isEmpty ? "" : " after " + after.joined(separator: " and ")) + ": " + firstPrompt.summary + ".")
        out.append("      prompt_tokens_dist_config: \(firstPrompt.yaml)")
        outputLaw(document: document, into: &out)
        if !document { comment(correlationNote) }
        out.append("      input_output_correlation: \(YAMLNumber.short(correlation))")
        if !document { comment("The trace says nothing of streaming.") }
        out.append("      streaming_response_probability: 0")
        windowKeys(document: document, into: &out)
        if let turns, let followUpGap, let followUpInput, let history {
            turnLaws(turns, bands: document ? documentBands : turnBands, into: &out)
            if service?.anchored == true {
                if !document { comment("Think times from a response's completion to the next send: \(followUpGap.summary).") }
                out.append("      follow_up_after: completion")
            } else if !document {
                comment("Gaps from a turn to the next: \(followUpGap.summary).")
            }
            law("follow_up_inter_arrival_time_dist_config", "follow_up_gaps", followUpGap.yaml)
            if !document { comment(historyNote) }
            out.append("      history: \(history)")
            if !document { comment("New input of later turns: \(followUpInput.summary).") }
            law("follow_up_input_tokens_dist_config", "follow_up_input", followUpInput.yaml)
            out += inputByDepth.map { (document ? [] : ["      # \($0.note)"]) + ["      follow_up_input_scale_by_turn: \($0.yaml)"] } ?? []
        } else {
            comment("No sessions in the trace: every request is a session of one turn.")
            out.append("      conversational_probability: 0")
        }
        if !models.isEmpty && !document {
            // At most the configuration's bound on a list, the most requested first.
            let kept = models.prefix(10_000)
            let total = kept.reduce(0) { $0 + $1.requests }
            comment("Models (the trace's Model column, drawn per session by their share of requests): \(models.count) distinct.")
            let list = kept.map { "{name: \(jsonQuoted($0.name)), weight: \(YAMLNumber.short(Double($0.requests) / Double(total)))}" }
            out.append("      models: [\(list.joined(separator: ", "))]")
        }
        if blockTokens != nil {
            var uses: [String] = []
            if sharedBlocks > 0 { uses.append("{pool: system, per: session}") }
            if document && families == nil { uses.append("{pool: documents, per: session}") }
            if let families { uses.append("{pool: \(document && families.variantFamilies != nil ? "variant_families" : "families"), per: session}") }
            if families != nil && document { uses.append("{pool: variants, per: session}") }
            if !uses.isEmpty { out.append("      prefixes: [\(uses.joined(separator: ", "))]") }
        }
    }
}

/// A YAML double-quoted scalar (JSON escaping is valid YAML).
func jsonQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
