import WorkloadModel
import WorkloadConfig

/// The first fit of a trace (before calibration by simulation).
extension TraceFitter {
    static func initialModel(_ sample: RequestSample, blockTokens: Int64?, source: String, format: TraceFormat) -> FittedModel {
        let span = sample.span
        let width = span >= 1200 ? 60 : Swift.max(1, (span / 20).rounded(.down))
        let period = dailyPeriod(sample.times, span: span)
        let schedule = RateSchedule.fitted(sample.times, span: span, width: width, bandwidth: 1, period: period)

        let members = sessionMembers(sample)
        let hasSessions = sample.turn.contains { $0 >= 2 }

        let prefixes = SharedPrefixes(sample, blockTokens: blockTokens)
        let (sharedBlocks, families, documents) = (prefixes.systemBlocks, prefixes.families, prefixes.documents)
        /// A first turn's own new input: its prompt after the system prefix and its shared document or families.
        func firstInput(_ index: Int) -> Double { Swift.max(1, prefixes.unshared(index)) }

        let (times, resolution) = dequantised(sample.times)
        let starts = sessionStarts(sample)
        let interArrival = sessionGaps(starts, schedule: schedule)
        // History: the most carrying mode under which 95% of later turns add >= 0 tokens.
        let later = members.flatMap { list in zip(list.dropFirst(), list).map { (index: $0, previous: $1) } }
        let (window, uncut) = uncutTurns(sample, later: later)
        // Without history a prompt is its shared prefixes (system, document) and its new input.
        func unshared(_ index: Int) -> Double { prefixes.unshared(index) }
        let (history, historyNote, newInput) = hasSessions ? historyMode(sample, later: uncut, unshared: unshared) : (nil, "", { index, _ in unshared(index) })

        func sharesDocument(_ session: Int) -> Bool { prefixes.ownProfile(session) }
        func firstPrompts(sharing: Bool) -> [Double] {
            let values = (0..<sample.count).filter { sample.turn[$0] == 1 && sharesDocument(sample.session[$0]) == sharing }.map(firstInput)
            return values.isEmpty ? [1] : values
        }
        let firstPrompt = FamilyFit.fit(firstPrompts(sharing: false), integer: true, closedFormQuantile: true)
        let output = prefixes.outputs(sharing: families?.variant != nil ? false : nil)
        let inputs = newInputs(sample, later: later, first: firstInput, following: newInput)
        let rho = RankCorrelation.spearman(inputs, sample.output)
        let correlationNote = String(format: "Spearman(new input, output) in the trace %.4f.", rho)

        let (warmStart, warmStartNote, settled) = warmStart(sample, span: span, members: hasSessions ? members : nil, later: later, times: times)
        let laws = hasSessions ? SessionLaws(members: members, later: later, times: times, inputs: inputs, firstInput: firstInput,
                                             documents: documents != nil || families?.variant != nil, sharesDocument: sharesDocument, settled: settled,
                                             thinkTimes: sample.service.flatMap { $0.isClosedLoop ? $0.thinkTimes : nil }) : SessionLaws()
        let interArrivalNote = resolution.map(tickNote) ?? ""

        var model = FittedModel(
            source: source, format: format, requests: sample.count, span: span, sessions: starts.count,
            interArrival: interArrival, interArrivalNote: interArrivalNote, timeResolution: resolution, schedule: schedule, scheduleWidth: width, scheduleBandwidth: 1, smearCorrection: nil,
            bursts: nil, burstNote: "", warmStart: warmStart, warmStartNote: warmStartNote,
            firstPrompt: firstPrompt, output: output, correlation: Swift.max(-0.99, Swift.min(0.99, rho.isFinite ? rho : 0)),
            correlationNote: correlationNote, turns: laws.turns, followUpGap: laws.followUpGap, followUpInput: laws.followUpInput,
            history: history, historyNote: historyNote, blockTokens: sample.hasBlocks ? blockTokens : nil,
            sharedBlocks: sharedBlocks, prefixNote: prefixes.note, documents: documents?.pool(sessions: starts.count, firstPrompt: FamilyFit.fit(firstPrompts(sharing: true), integer: true, closedFormQuantile: true), turns: laws.documentTurns),
            families: families, maxTurns: laws.allTurns?.maxTurns ?? 1,
            models: sample.models.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) },
            service: FittedModel.Service(sample.service))
        (model.turnBands, model.documentBands, model.inputByDepth) = (laws.bands, laws.documentBands, InputByDepth(sample, later: hasSessions ? (window == nil ? later : uncut) : [], inputs: inputs))
        model.setWindow(window, uncut: uncut, inputs: inputs, prompts: sample.prompt)
        if let families, families.variant != nil {
            model.variantProfile = (families.variantShare, FamilyFit.fit(firstPrompts(sharing: true), integer: true, closedFormQuantile: true),
                                    laws.documentTurns, prefixes.outputs(sharing: true))
        }
        return model
    }

    /// The context window the prompts pile at, and the later turns neither cut to it nor following
    /// one that was: a cut turn says nothing of what history carries or of its new input.
    static func uncutTurns(_ sample: RequestSample, later: [(index: Int, previous: Int)]) -> (Int64?, [(index: Int, previous: Int)]) {
        let window = ContextWindow.detect(sample.prompt.map { Int64($0) })
        guard let window else { return (nil, later) }
        return (window, later.filter { Swift.max(sample.prompt[$0.index], sample.prompt[$0.previous]) < Double(window) })
    }

    /// A trace's shared prefixes: the leading blocks (almost) every request
    /// shares (a system prompt), then prefix families where most first turns
    /// share more, else documents some sessions share.
    struct SharedPrefixes {
        let sample: RequestSample
        var systemBlocks = 0
        var note = ""
        var system = 0.0
        var families: PrefixFamilies?
        var documents: DocumentFamilies?

        init(_ sample: RequestSample, blockTokens: Int64?) {
            self.sample = sample
            guard sample.hasBlocks, let blockTokens else { return }
            (systemBlocks, note) = sharedPrefix(sample, blockTokens: blockTokens)
            system = Double(Int64(systemBlocks) * blockTokens)
            families = PrefixFamilies(sample, systemBlocks: systemBlocks, blockTokens: blockTokens)
            if families == nil { documents = DocumentFamilies(sample, systemBlocks: systemBlocks, blockTokens: blockTokens) }
        }

        /// A request's prompt after the system prefix and its session's document or families.
        func unshared(_ index: Int) -> Double {
            let session = sample.session[index]
            return sample.prompt[index] - system - (families?.prefixTokens[session] ?? documents?.tokens[session] ?? 0)
        }

        /// Whether a session is written in the second profile: it shares a document, or a variant of its family.
        func ownProfile(_ session: Int) -> Bool { families?.sharesVariant[session] ?? ((documents?.tokens[session] ?? 0) > 0) }

        /// The output law of the requests of sessions in the second profile (true), the others (false) or all (nil).
        func outputs(sharing: Bool?) -> FittedLaw {
            let values = (0..<sample.count).filter { sharing == nil || ownProfile(sample.session[$0]) == sharing }.map { Swift.max(1, sample.output[$0]) }
            return FamilyFit.fit(values.isEmpty ? [1] : values, integer: true, closedFormQuantile: true)
        }
    }

    /// What dequantising the timestamps did, for the written configuration's comments.
    static func tickNote(_ resolution: Double) -> String {
        "Timestamps come in ticks of \(YAMLNumber.short(resolution)) s (most gaps are 0): each tick's requests were spread uniformly over it before fitting gaps. "
    }

    /// How many leading blocks (almost) every request shares: a system prompt in every prompt. With the note saying so.
    static func sharedPrefix(_ sample: RequestSample, blockTokens: Int64) -> (blocks: Int, note: String) {
        var sharedBlocks = 0
        while sharedBlocks < 64 {
            var counts: [UInt64: Int] = [:]
            for index in 0..<sample.count {
                let blocks = sample.blocks(of: index)
                if blocks.count > sharedBlocks { counts[blocks[blocks.startIndex + sharedBlocks], default: 0] += 1 }
            }
            guard let top = counts.values.max(), Double(top) >= 0.99 * Double(sample.count) else { break }
            sharedBlocks += 1
        }
        let firstMin = zip(sample.prompt, sample.turn).filter { $1 == 1 }.map(\.0).min() ?? 0
        while sharedBlocks > 0 && Double(Int64(sharedBlocks) * blockTokens) >= firstMin { sharedBlocks -= 1 }
        let prefixNote = "Prefixes from hash_ids: \(blockTokens)-token blocks (every row's ID count is ceil(prompt / \(blockTokens))); "
            + (sharedBlocks > 0 ? "the first \(sharedBlocks) block(s) are shared by >= 99% of requests: a system prompt of \(Int64(sharedBlocks) * blockTokens) tokens in every prompt. Later turns share their history's blocks through `history`."
                                : "no leading block is shared by 99% of requests: no system prompt pool.")
        return (sharedBlocks, prefixNote)
    }

    /// History: the most carrying mode under which 95% of later turns add >= 0 tokens, the note
    /// saying so, and how a later turn's new input is found under it.
    static func historyMode(_ sample: RequestSample, later: [(index: Int, previous: Int)], unshared: @escaping (Int) -> Double)
        -> (String?, String, (Int, Int) -> Double) {
        var history: String?
        var historyNote = ""
        var newInput: (Int, Int) -> Double = { index, _ in unshared(index) }
        let modes: [(String, (Int, Int) -> Double)] = [
            ("full", { sample.prompt[$0] - sample.prompt[$1] - sample.output[$1] }),
            ("prompts", { sample.prompt[$0] - sample.prompt[$1] }),
            ("none", { index, _ in unshared(index) }),
        ]
        var shares: [String] = []
        for (name, extract) in modes {
            let share = Double(later.filter { extract($0.index, $0.previous) >= 0 }.count) / Double(later.count)
            shares.append(String(format: "%@ %.1f%%", name, 100 * share))
            if history == nil && share >= 0.95 {
                history = name
                newInput = extract
            }
        }
        history = history ?? "none"
        historyNote = "History: turn k's prompt minus the carried part is >= 0 in \(shares.joined(separator: ", ")) of later turns; the most carrying mode at >= 95% is `\(history!)` (smaller new inputs are written as 1 token)."
        return (history, historyNote, newInput)
    }

    /// Whether the trace starts in steady state (sessions in progress), with the note saying why, and from when
    /// its sessions' first requests are their first turns (0 without a warm start).
    ///
    /// A trace cut from a running service begins with sessions in progress: the first request it shows of each
    /// is a later turn, with that turn's longer prompt and its deeper chance of going on, read as a first turn.
    /// The warm start makes those sessions itself, so the chance of a second turn (by first-prompt band) is read
    /// only from sessions that begin once 95% of follow-up gaps have passed; the chances of going on after later
    /// turns are read from every session (a short trace cuts most deep sessions it starts, and the uncorrected
    /// pooled tail then ran low: leaving the early sessions out of those too cost the Mooncake sample's halves 2.6
    /// and 3.4 points of later turns). Counted as first turns, the Mooncake sample's first half went on past its
    /// largest first prompts 0.276 of the time (0.234 without them) and its block reuse ran 3.8 points high.
    static func warmStart(_ sample: RequestSample, span: Double, members: [[Int]]?, later: [(index: Int, previous: Int)], times: [Double])
        -> (Bool, String, settled: Double) {
        // Warm start: a trace cut from a running service has (nearly) its full
        // request rate from the start; one that starts empty has only first
        // turns at first, 1 / E[turns] of it. Warm when closer to the first.
        guard let members else { return (false, "No warm_start: the trace has no sessions that could be in progress at its start.", 0) }
        let sessions = members.filter { !$0.isEmpty }
        let meanTurns = Double(sessions.reduce(0) { $0 + $1.count }) / Double(Swift.max(1, sessions.count))
        let head = sample.times.filter { $0 < span / 10 }.count
        let ratio = Double(head) / (span / 10) / (Double(sample.count) / span)
        let threshold = (1 + 1 / meanTurns) / 2
        let warmStart = ratio >= threshold
        var note = String(format: "The first tenth of the trace runs at %.2f x its mean request rate (an empty start would give about 1 / mean turns = %.2f; threshold halfway, %.2f): ", ratio, 1 / meanTurns, threshold)
            + (warmStart ? "it starts in steady state, with sessions in progress, so warm_start." : "it starts empty, so no warm_start.")
        guard warmStart else { return (false, note, 0) }
        let gaps = later.map { times[$0.index] - times[$0.previous] }.sorted()
        let settled = gaps.isEmpty ? 0 : Swift.min(span / 2, gaps[Swift.min(gaps.count - 1, gaps.count * 95 / 100)])
        let kept = sessions.filter { times[$0[0]] >= settled }.count
        note += String(format: " The chance of a second turn is read from the %d of %d sessions that begin after %.0f s (95%% of follow-up gaps): before that, a session's first request in the trace may be a later turn of one in progress, which the warm start makes itself; the chances after later turns from all.", kept, sessions.count, settled)
        return (true, note, settled)
    }

    /// New sessions' start times (first turns; ticked timestamps dequantised).
    static func sessionStarts(_ sample: RequestSample) -> [Double] {
        zip(dequantised(sample.times).0, sample.turn).filter { $1 == 1 }.map(\.0)
    }

    /// Each session's requests, by index, in order.
    static func sessionMembers(_ sample: RequestSample) -> [[Int]] {
        var members = [[Int]](repeating: [], count: (sample.session.max() ?? -1) + 1)
        for index in 0..<sample.count { members[sample.session[index]].append(index) }
        return members
    }

    /// New sessions' gaps in operational time (the rate schedule taken out), fitted.
    static func sessionGaps(_ starts: [Double], schedule: RateSchedule) -> FittedLaw {
        let operational = starts.map { operationalTime($0, schedule: schedule) }
        let gaps = zip(operational.dropFirst(), operational).map { $0 - $1 }
        return FamilyFit.fit(gaps.isEmpty ? [1] : gaps, integer: false, preserveMean: true)
    }

    /// Each request's own new input: a first turn's after its shared prefixes, a later turn's
    /// after what the history mode carries (at least 1 token).
    static func newInputs(_ sample: RequestSample, later: [(index: Int, previous: Int)], first: (Int) -> Double,
                          following newInput: (Int, Int) -> Double) -> [Double] {
        var inputs = [Double](repeating: 0, count: sample.count)
        for index in 0..<sample.count where sample.turn[index] == 1 { inputs[index] = first(index) }
        for pair in later { inputs[pair.index] = Swift.max(1, newInput(pair.index, pair.previous)) }
        return inputs
    }

    /// The session figures of a first fit (nil without sessions): turns per session (all,
    /// without a shared document, with one), follow-up gaps and inputs.
    struct SessionLaws {
        var turns: TurnLaw?
        var allTurns: TurnLaw?
        var documentTurns: TurnLaw?
        var followUpGap: FittedLaw?
        var followUpInput: FittedLaw?
        /// Turn laws by first-prompt band (without a shared document, with one); nil: one law.
        var bands: TurnBands?
        var documentBands: TurnBands?

        init() {}

        /// `thinkTimes`: next send minus previous completion, when the trace's later turns waited
        /// for their answers; the follow-up gap is then that think time.
        /// `settled`: the sessions whose first request comes earlier are left out of the turn laws (`warmStart`).
        init(members: [[Int]], later: [(index: Int, previous: Int)], times: [Double], inputs: [Double], firstInput: (Int) -> Double,
             documents: Bool, sharesDocument: (Int) -> Bool, settled: Double = 0, thinkTimes: [Double]?) {
            func sessions(sharing: Bool?) -> [Int] {
                members.indices.filter { !members[$0].isEmpty && (sharing == nil || sharesDocument($0) == sharing) }
            }
            func opens(_ chosen: [Int]) -> [Bool]? { settled > 0 ? chosen.map { times[members[$0][0]] >= settled } : nil }
            // The trace's end cuts sessions: each session's seconds left after its last turn.
            let gaps = later.map { times[$0.index] - times[$0.previous] }
            let end = times.last ?? 0
            var turnOf = [Int](repeating: 0, count: times.count)
            for list in members { for (offset, index) in list.enumerated() { turnOf[index] = offset + 1 } }
            let gapsAfter = zip(later, gaps).map { (after: turnOf[$0.previous], seconds: $1) }
            func censoring(_ chosen: [Int]) -> TurnLaw.Censoring {
                TurnLaw.Censoring(remaining: chosen.map { end - times[members[$0].last!] }, gaps: gapsAfter)
            }
            func law(sharing: Bool?) -> TurnLaw {
                let chosen = sessions(sharing: sharing)
                return TurnLaw(turnCounts: chosen.map { members[$0].count }, censoring: censoring(chosen), opens: opens(chosen))
            }
            func banded(sharing: Bool?) -> TurnBands? {
                let chosen = sessions(sharing: sharing)
                return TurnBands(firstPrompts: chosen.map { firstInput(members[$0][0]) }, turns: chosen.map { members[$0].count },
                                 censoring: censoring(chosen), opens: opens(chosen))
            }
            allTurns = law(sharing: nil)
            turns = documents ? law(sharing: false) : allTurns
            bands = banded(sharing: documents ? false : nil)
            if documents {
                documentTurns = law(sharing: true)
                documentBands = banded(sharing: true)
            }
            followUpGap = FamilyFit.fit(gaps, integer: false, preserveMean: true, bounded: true)
            if let thinkTimes {
                followUpGap = FamilyFit.fit(thinkTimes, integer: false, preserveMean: true, bounded: true)
            }
            followUpInput = FamilyFit.fit(later.map { inputs[$0.index] }, integer: true, closedFormQuantile: true)
        }
    }

    /// A trace whose timestamps come in ticks (at least 30% of gaps are 0):
    /// the tick is the most common positive gap (to the ms); each tick's
    /// requests are spread uniformly over it (sorted, so the file's order
    /// stays), from a fixed-seed stream. Other traces are returned as they are.
    static func dequantised(_ times: [Double]) -> ([Double], Double?) {
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        guard gaps.count >= 10, Double(gaps.filter { $0 == 0 }.count) >= 0.3 * Double(gaps.count) else { return (times, nil) }
        var counts: [Int64: Int] = [:]
        for gap in gaps where gap > 0 { counts[Int64((gap * 1000).rounded()), default: 0] += 1 }
        guard let tick = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key, tick > 0 else { return (times, nil) }
        let q = Double(tick) / 1000
        var rng = Xoshiro256(seed: 1, identity: StreamIdentity("fit-dequantise"))
        var out = times
        var start = 0
        while start < times.count {
            var end = start
            while end + 1 < times.count && times[end + 1] == times[start] { end += 1 }
            var offsets = (start...end).map { _ in Double.random(in: 0..<q, using: &rng) }
            offsets.sort()
            for (i, offset) in offsets.enumerated() { out[start + i] = times[start] + offset }
            start = end + 1
        }
        return (out, q)
    }

    /// Λ(t) = ∫_0^t m, with the schedule's period when it repeats.
    static func operationalTime(_ t: Double, schedule: RateSchedule) -> Double {
        guard let period = schedule.repeatSeconds else { return schedule.integral(to: t) }
        let cycles = (t / period).rounded(.down)
        return cycles * schedule.integral(to: period) + schedule.integral(to: t - cycles * period)
    }

    /// 86400 when the trace covers at least two days and its hourly counts
    /// correlate at a lag of 24 h above 0.5 (a daily period is evident).
    static func dailyPeriod(_ times: [Double], span: Double) -> Double? {
        guard span >= 2 * 86400 else { return nil }
        let hours = RateSchedule.counts(times, span: span, width: 3600).counts.dropLast()
        guard hours.count > 30 else { return nil }
        let values = Array(hours)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard variance > 0 else { return nil }
        var covariance = 0.0
        for i in 24..<values.count { covariance += (values[i] - mean) * (values[i - 24] - mean) }
        return covariance / variance > 0.5 ? 86400 : nil
    }
}
