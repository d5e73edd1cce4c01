import Foundation
import TestSupport
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig

/// Follow-up inputs, continuation by depth,
/// history modes, the input-output copula and the context window, each
/// through a configuration as a user writes it and the engine's stream.
@Suite(.statistics, .background, .tags(.statistics)) struct ConversationTests {
    static func configuration(_ profile: String, maxTurns: Int = 10, duration: Double = 1000, accumulate: Bool = true) throws -> Configuration {
        try Configuration.parse(yaml: """
            workload:
              total_duration: \(duration)
              random_seed: 8
              max_turns_per_session: \(maxTurns)
              accumulate_conversational_tokens: \(accumulate)
              client_profiles:
                - profile_name: p
                  weight: 1
            \(profile.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
            """)
    }

    static func requests(_ configuration: Configuration) -> (requests: [RequestEvent], ended: [SessionEndedEvent]) {
        var engine = WorkloadEngine(spec: configuration.workload)
        var requests: [RequestEvent] = []
        var ended: [SessionEndedEvent] = []
        while let event = engine.next() {
            switch event {
            case .request(let r): requests.append(r)
            case .sessionEnded(let e): ended.append(e)
            case .sessionStarted, .completion: break
            }
        }
        return (requests, ended)
    }

    static func ks(_ values: [Double], _ distribution: Distribution, _ what: String) {
        let (d, p) = GoodnessOfFit.discreteKolmogorovSmirnovPValue(values, cdf: distribution.cdf, seed: 81)
        print("KS \(what): n = \(values.count), D = \(d), p = \(p)")
        #expect(p > 0.01, "\(what): D = \(d), p = \(p)")
    }

    // MARK: 1. Follow-up input

    @Test func followUpInputHasItsOwnDistribution() throws {
        let config = try Self.configuration("""
            inter_arrival_time_dist_config: {type: Exponential, rate: 100}
            prompt_tokens_dist_config: {type: LogNormal, mean: 6900, std: 8000}
            follow_up_input_tokens_dist_config: {type: Quantiles, points: [[0, 1], [0.5, 26], [0.9, 4231], [1, 20000]]}
            max_output_tokens_dist_config: {type: Uniform, low: 100, high: 500}
            conversational_probability: 1
            continuation_probability: 0.5
            streaming_response_probability: 0.5
            follow_up_inter_arrival_time_dist_config: {type: Exponential, rate: 1}
            """)
        let (requests, _) = Self.requests(config)
        let first = requests.filter { $0.turn == 1 }.map { Double($0.newInputTokens) }
        let later = requests.filter { $0.turn > 1 }.map { Double($0.newInputTokens) }
        #expect(first.count >= 90_000 && later.count >= 100_000, "\(first.count) first, \(later.count) later turns")
        let profile = config.workload.profiles[0]
        Self.ks(Array(later.prefix(100_000)), profile.conversation.followUpInput!, "later turns vs follow-up Quantiles")
        Self.ks(first, profile.promptTokens, "first turns vs prompt LogNormal")
        // Power: the later turns are far from the prompt distribution.
        let (d, p) = GoodnessOfFit.discreteKolmogorovSmirnovPValue(Array(later.prefix(100_000)), cdf: profile.promptTokens.cdf, seed: 81)
        #expect(p < 0.01 && d > 0.3)
    }

    // MARK: 2. Continuation by depth

    @Test func continuationListGivesTheExactTurnDistribution() throws {
        let list = [0.4, 0.5, 0.6, 0.7, 0.75]
        let config = try Self.configuration("""
            inter_arrival_time_dist_config: {type: Constant, value: 1}
            prompt_tokens_dist_config: {type: Constant, value: 10}
            max_output_tokens_dist_config: {type: Constant, value: 10}
            conversational_probability: 0.8
            continuation_probability: [\(list.map { "\($0)" }.joined(separator: ", "))]
            streaming_response_probability: 0.5
            follow_up_inter_arrival_time_dist_config: {type: Constant, value: 0.001}
            """, maxTurns: 30, duration: 100_000)
        let (_, ended) = Self.requests(config)
        let turns = ended.filter { $0.reason != .horizon }.map { Int($0.turns) }
        #expect(turns.count >= 99_990)
        // Exact law, written out independently of the engine: P(K = 1) = 0.2;
        // a conversational session reaches turn 2, then continues after turn
        // k >= 2 with list[min(k − 2, 4)]; turn 30 ends it.
        var exact = [Double](repeating: 0, count: 30)
        exact[0] = 0.2
        var reach = 0.8
        for k in 2...30 {
            let p = k == 30 ? 0 : list[min(k - 2, list.count - 1)]
            exact[k - 1] = reach * (1 - p)
            reach *= p
        }
        #expect(abs(exact.reduce(0, +) - 1) < 1e-12)
        var observed = [Int](repeating: 0, count: 30)
        for k in turns { observed[k - 1] += 1 }
        // Merge the tail into one cell once expected counts fall below 5.
        let n = Double(turns.count)
        var cellsObserved: [Int] = []
        var cellsExpected: [Double] = []
        for k in 0..<30 {
            if let last = cellsExpected.last, last < 5 || exact[k] * n < 5 {
                cellsExpected[cellsExpected.count - 1] += exact[k] * n
                cellsObserved[cellsObserved.count - 1] += observed[k]
            } else {
                cellsExpected.append(exact[k] * n)
                cellsObserved.append(observed[k])
            }
        }
        let statistic = GoodnessOfFit.chiSquareStatistic(observed: cellsObserved, expected: cellsExpected)
        let p = GoodnessOfFit.chiSquareSurvival(statistic, degreesOfFreedom: Double(cellsExpected.count - 1))
        print("chi-square turns per session: X² = \(statistic), \(cellsExpected.count) cells, p = \(p), longest \(turns.max() ?? 0)")
        #expect(p > 0.01, "X² = \(statistic), p = \(p)")
        // validate's figures use the same law.
        let figures = config.workload.conversationFigures(of: config.workload.profiles[0])
        for k in 0..<30 { #expect(abs(figures.turns.probabilities[k] - exact[k]) < 1e-12) }
        // Power: the geometric law with the first element is rejected.
        var geometric = [Double](repeating: 0, count: 30)
        geometric[0] = 0.2
        reach = 0.8
        for k in 2...30 { let p = k == 30 ? 0 : 0.4; geometric[k - 1] = reach * (1 - p); reach *= p }
        let merged = cellsExpected.count
        let wrong = GoodnessOfFit.chiSquareStatistic(
            observed: Array(observed.prefix(merged - 1)), expected: geometric.prefix(merged - 1).map { $0 * n })
        #expect(GoodnessOfFit.chiSquareSurvival(wrong, degreesOfFreedom: Double(merged - 2)) < 0.01)
    }

    // MARK: 3. History

    @Test(arguments: ["full", "prompts", "none"])
    func historyCarriesWhatItSays(_ history: String) throws {
        let config = try Self.configuration("""
            inter_arrival_time_dist_config: {type: Exponential, rate: 5}
            prompt_tokens_dist_config: {type: LogNormal, mean: 128, std: 64}
            max_output_tokens_dist_config: {type: Uniform, low: 100, high: 500}
            output_tokens_dist_config: {type: Weibull, shape: 1.2, scale: 200}
            conversational_probability: 0.7
            continuation_probability: 0.8
            streaming_response_probability: 0.5
            history: \(history)
            """, duration: 3600)
        let (requests, _) = Self.requests(config)
        var last: [UInt64: RequestEvent] = [:]
        var checked = 0
        for r in requests {  // per session in turn order (as the stream writes them)
            defer { last[r.sessionID] = r }
            #expect(r.promptTokens == r.prefixTokens + r.newInputTokens)
            guard r.turn > 1, let previous = last[r.sessionID] else {
                #expect(r.prefixTokens == 0)
                continue
            }
            checked += 1
            switch history {
            case "full": #expect(r.prefixTokens == previous.promptTokens + previous.outputTokens)
            case "prompts": #expect(r.prefixTokens == previous.promptTokens)
            default: #expect(r.prefixTokens == 0 && r.promptTokens == r.newInputTokens)
            }
        }
        #expect(checked > 30_000, "\(checked) later turns checked")
    }

    /// validate's closed forms against the stream: mean later-turn prompt and
    /// carried share as ratio estimators over whole sessions (those started in
    /// the first 3,000 s, which all end before the horizon), within 4 standard
    /// errors (delta method, sessions independent).
    @Test(arguments: ["full", "prompts", "none"])
    func validateFiguresMatchTheStream(_ history: String) throws {
        let config = try Self.configuration("""
            inter_arrival_time_dist_config: {type: Exponential, rate: 5}
            prompt_tokens_dist_config: {type: LogNormal, mean: 2000, std: 1500}
            follow_up_input_tokens_dist_config: {type: Histogram, edges: [1, 50, 400], weights: [3, 1]}
            max_output_tokens_dist_config: {type: Uniform, low: 100, high: 500}
            conversational_probability: 0.7
            continuation_probability: [0.5, 0.8]
            streaming_response_probability: 0.5
            history: \(history)
            """, duration: 3600)
        let (requests, _) = Self.requests(config)
        var sessions: [UInt64: (start: Int64, later: Double, laterTurns: Double, carried: Double, prompt: Double)] = [:]
        for r in requests {
            var s = sessions[r.sessionID] ?? (r.sentAt, 0, 0, 0, 0)
            if r.turn > 1 { s.later += Double(r.promptTokens); s.laterTurns += 1 }
            s.carried += Double(r.prefixTokens)
            s.prompt += Double(r.promptTokens)
            sessions[r.sessionID] = s
        }
        let whole = sessions.values.filter { $0.start < 3_000_000_000_000 }
        func ratio(_ top: [Double], _ bottom: [Double]) -> (value: Double, error: Double) {
            let r = top.reduce(0, +) / bottom.reduce(0, +)
            let residuals = zip(top, bottom).map { ($0 - r * $1) * ($0 - r * $1) }.reduce(0, +)
            return (r, residuals.squareRoot() / bottom.reduce(0, +))
        }
        let later = ratio(whole.map(\.later), whole.map(\.laterTurns))
        let share = ratio(whole.map(\.carried), whole.map(\.prompt))
        let figures = config.workload.conversationFigures(of: config.workload.profiles[0])
        print("figures \(history): later prompt \(figures.meanLaterPromptTokens) vs \(later.value) ± \(later.error); carried \(figures.carriedShare) vs \(share.value) ± \(share.error)")
        #expect(abs(figures.meanLaterPromptTokens - later.value) < 4 * later.error)
        if history == "none" {
            #expect(figures.carriedShare == 0 && share.value == 0)
        } else {
            #expect(abs(figures.carriedShare - share.value) < 4 * share.error)
        }
    }

    @Test func historyDefaultsFollowAccumulation() throws {
        let profile = """
            inter_arrival_time_dist_config: {type: Constant, value: 1}
            prompt_tokens_dist_config: {type: Constant, value: 100}
            max_output_tokens_dist_config: {type: Constant, value: 50}
            conversational_probability: 1
            continuation_probability: 1
            streaming_response_probability: 0.5
            """
        let off = try Self.configuration(profile, maxTurns: 3, duration: 20, accumulate: false)
        #expect(off.workload.profiles[0].history(accumulate: false) == .none)
        #expect(Self.requests(off).requests.allSatisfy { $0.prefixTokens == 0 })
        let on = try Self.configuration(profile, maxTurns: 3, duration: 20)
        // The seed's example: 100, 100 + 50 + 100, 250 + 50 + 100.
        let stream = Self.requests(on).requests
        #expect(stream.filter { $0.sessionID == stream[0].sessionID }.map(\.promptTokens) == [100, 250, 400])
    }

    // MARK: 6. Context window and the 10^9 bound

    @Test(arguments: ["end", "truncate"])
    func contextWindowHolds(_ mode: String) throws {
        let window: Int64 = 32768
        let config = try Self.configuration("""
            inter_arrival_time_dist_config: {type: Exponential, rate: 5}
            prompt_tokens_dist_config: {type: LogNormal, mean: 4000, std: 6000}
            max_output_tokens_dist_config: {type: Uniform, low: 100, high: 2000}
            conversational_probability: 1
            continuation_probability: 0.9
            streaming_response_probability: 0.5
            context_window_tokens: \(window)
            on_context_full: \(mode)
            """, maxTurns: 50, duration: 1000)
        let (requests, ended) = Self.requests(config)
        #expect(requests.allSatisfy { $0.promptTokens <= window })
        let full = ended.filter { $0.reason == .contextFull }
        var last: [UInt64: RequestEvent] = [:]
        var truncated = 0
        for r in requests {  // per session in turn order (as the stream writes them)
            defer { last[r.sessionID] = r }
            #expect(r.promptTokens == r.prefixTokens + r.newInputTokens)
            guard let previous = last[r.sessionID] else { continue }
            let carried = previous.promptTokens + previous.outputTokens
            if mode == "end" {
                #expect(r.prefixTokens == carried)
            } else {
                // The most recent history that fits: all of it, or window − new input.
                #expect(r.prefixTokens == min(carried, window - r.newInputTokens))
                if r.prefixTokens < carried { truncated += 1 }
            }
        }
        print("context window \(mode): \(requests.count) requests, \(full.count) sessions ended context_full, \(truncated) truncated turns")
        if mode == "end" {
            #expect(full.count > 500)
        } else {
            #expect(truncated > 5000)
            // Only a follow-up input above the window on its own (P = 0.6% per
            // turn here) ends a session in this mode.
            #expect(full.count < ended.count / 10)
        }
    }

    @Test func firstPromptAboveTheWindowEndsTheSessionUnsent() throws {
        let config = try Self.configuration("""
            inter_arrival_time_dist_config: {type: Constant, value: 1}
            prompt_tokens_dist_config: {type: Uniform, low: 1, high: 200}
            max_output_tokens_dist_config: {type: Constant, value: 10}
            conversational_probability: 0
            streaming_response_probability: 0.5
            context_window_tokens: 100
            """, duration: 1000)
        var engine = WorkloadEngine(spec: config.workload)
        var last: VirtualNanoseconds = 0
        var unsent = 0
        while let event = engine.next() {
            #expect(event.time >= last)
            last = event.time
            if case .sessionEnded(let e) = event, e.reason == .contextFull {
                #expect(e.turns == 0 && e.totalPromptTokens == 0)
                unsent += 1
            }
        }
        #expect(unsent > 400 && unsent < 600)
    }

    @Test func theTokenBoundEndsSessionsCleanly() throws {
        // Heavy-tailed prompts (Pareto alpha 0.3, conditioned on <= 10^9) and
        // long conversations without a window: some sessions reach the bound
        // of 10^9 accumulated tokens and end context_full; nothing traps.
        let config = try Self.configuration("""
            inter_arrival_time_dist_config: {type: Constant, value: 1}
            prompt_tokens_dist_config: {type: Pareto, shape: 0.3, scale: 1000}
            max_output_tokens_dist_config: {type: Constant, value: 10}
            conversational_probability: 1
            continuation_probability: 1
            streaming_response_probability: 0.5
            follow_up_inter_arrival_time_dist_config: {type: Constant, value: 0.01}
            """, maxTurns: 1000, duration: 200)
        let (requests, ended) = Self.requests(config)
        #expect(requests.allSatisfy { $0.promptTokens <= 1_000_000_000 })
        let full = ended.filter { $0.reason == .contextFull }
        print("token bound: \(full.count) of \(ended.count) sessions ended context_full")
        #expect(full.count > 50)
    }

    @Test func aConfigCertainToCrossTheBoundIsAConfigError() {
        // A config once certain to overflow: 10^9-token prompts, continuation 1.0, many turns.
        do {
            _ = try Self.configuration("""
                inter_arrival_time_dist_config: {type: Constant, value: 1}
                prompt_tokens_dist_config: {type: Constant, value: 1000000000}
                max_output_tokens_dist_config: {type: Constant, value: 10}
                conversational_probability: 1
                continuation_probability: 1.0
                streaming_response_probability: 0.5
                """, maxTurns: 1_000_000)
            Issue.record("accepted")
        } catch {
            let problems = (error as? ConfigError)?.problems ?? []
            #expect(problems.map(\.path) == ["workload.client_profiles[0]"])
            #expect(problems.first?.message.contains("certainly cross the bound of 10^9 tokens: at turn 1000000") == true)
        }
    }
}
