import Foundation
import Testing
import TestSupport
@testable import WorkloadConfig
import WorkloadModel
import WorkloadTraces

/// `turns_by_first_prompt`: a session's turn law follows the band of its first
/// prompt (closed form per band, within 4 standard errors), `fit`'s bands
/// recover the laws a stream was generated with, a checkpoint keeps a
/// session's band, and bad bands are configuration errors naming key and value.
@Suite(.serialized) struct TurnBandsTests {
    static let yaml = profileYAML(seed: 5, maxTurns: 8, conversational: 0.9, continuation: 0.8, bands: """
        - {up_to_tokens: 2500, conversational_probability: 0.2, continuation_probability: 0.3}
        - {up_to_tokens: 5000, conversational_probability: 0.6, continuation_probability: [0.5, 0.7]}
        """)

    /// One profile, first prompts uniform on 1 ... 10,000, the given laws and `turns_by_first_prompt` bands (YAML list items).
    static func profileYAML(seed: Int, maxTurns: Int, conversational: Double, continuation: Double, bands: String) -> String {
        """
        workload:
          total_duration: 300
          random_seed: \(seed)
          max_turns_per_session: \(maxTurns)
          client_profiles:
            - profile_name: p
              weight: 1
              inter_arrival_time_dist_config: {type: Exponential, rate: 40}
              prompt_tokens_dist_config: {type: Uniform, low: 1, high: 10000, is_int: true}
              max_output_tokens_dist_config: {type: Constant, value: 10}
              follow_up_inter_arrival_time_dist_config: {type: Constant, value: 0.01}
              conversational_probability: \(conversational)
              continuation_probability: \(continuation)
              streaming_response_probability: 0
              turns_by_first_prompt:
        \(bands.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
        """
    }

    /// Per session not cut by the horizon: its first prompt, its turns, and whether its start said conversational.
    static func sessions(_ spec: WorkloadSpec) -> [(first: Int64, turns: Int, conversational: Bool)] {
        var engine = WorkloadEngine(spec: spec)
        var first: [UInt64: Int64] = [:], flag: [UInt64: Bool] = [:]
        var out: [(first: Int64, turns: Int, conversational: Bool)] = []
        while let event = engine.next() {
            switch event {
            case .sessionStarted(let e): flag[e.sessionID] = e.conversational
            case .request(let r) where r.turn == 1: first[r.sessionID] = r.newInputTokens
            case .sessionEnded(let e) where e.reason != .horizon:
                if let prompt = first[e.sessionID] { out.append((prompt, Int(e.turns), flag[e.sessionID] ?? false)) }
            default: break
            }
        }
        return out
    }

    @Test(.statistics, .background, .tags(.statistics))
    func sessionLengthFollowsTheBandOfItsFirstPrompt() throws {
        let spec = try Configuration.parse(yaml: Self.yaml).workload
        let profile = spec.profiles[0]
        let sessions = Self.sessions(spec)
        #expect(sessions.count > 10_000)
        // A session's start says whether it is conversational as its band decided.
        #expect(sessions.allSatisfy { $0.conversational == ($0.turns >= 2) })
        let bands = profile.conversation.turnBands
        let laws = bands.map { $0.turnCounts(maxTurns: 8) } + [TurnCountDistribution(maxTurns: 8, conversationalProbability: 0.9, continuationProbability: 0.8)]
        let shares = profile.turnBandShares
        for (index, law) in laws.enumerated() {
            let low = index == 0 ? 0 : bands[index - 1].upToTokens
            let high = index < bands.count ? bands[index].upToTokens : .max
            let turns = sessions.filter { $0.first > low && $0.first <= high }.map { Double($0.turns) }
            let n = Double(turns.count)
            let mean = turns.reduce(0, +) / n
            let sd = (law.secondMoment - law.mean * law.mean).squareRoot()
            print("band \(index): \(turns.count) sessions, mean turns \(mean) vs \(law.mean) (SE \(sd / n.squareRoot()))")
            #expect(abs(mean - law.mean) <= 4 * sd / n.squareRoot(), "band \(index): mean turns \(mean) vs \(law.mean)")
            let share = n / Double(sessions.count)
            #expect(abs(share - shares[index]) <= 4 * (shares[index] * (1 - shares[index]) / Double(sessions.count)).squareRoot(),
                    "band \(index): share \(share) vs \(shares[index])")
        }
        // The mixture the figures use.
        let mixture = profile.turnCounts(maxTurns: 8)
        let all = sessions.map { Double($0.turns) }
        let sd = (mixture.secondMoment - mixture.mean * mixture.mean).squareRoot()
        #expect(abs(all.reduce(0, +) / Double(all.count) - mixture.mean) <= 4 * sd / Double(all.count).squareRoot())
    }

    /// `fit`'s bands, read off the stream's sessions: three bands cut near the
    /// generating bounds, each band's law within 4 standard errors of the truth.
    @Test(.statistics, .background, .tags(.statistics))
    func fittedBandsRecoverTheGeneratingLaws() throws {
        let spec = try Configuration.parse(yaml: Self.yaml).workload
        let sessions = Self.sessions(spec)
        let fitted = try #require(TurnBands(firstPrompts: sessions.map { Double($0.first) }, turns: sessions.map(\.turns)))
        #expect(fitted.bands.count == 3, "\(fitted.bands.map(\.upToTokens))")
        guard fitted.bands.count == 3 else { return }
        #expect(abs(fitted.bands[0].upToTokens - 2500) <= 150 && abs(fitted.bands[1].upToTokens - 5000) <= 150)
        let truth: [(c: Double, p: [Double])] = [(0.2, [0.3]), (0.6, [0.5, 0.7]), (0.9, [0.8])]
        for (band, law) in zip(fitted.bands, truth) {
            let n = Double(band.sessions)
            let c = band.law.conversationalProbability
            #expect(abs(c - law.c) <= 4 * (law.c * (1 - law.c) / n).squareRoot(), "c \(c) vs \(law.c) over \(band.sessions) sessions")
            // After turn 2 about n c sessions are at risk; after turn 3 n c p2.
            let p2 = band.law.continuation[0]
            #expect(abs(p2 - law.p[0]) <= 4 * (law.p[0] * (1 - law.p[0]) / (n * law.c)).squareRoot(), "p2 \(p2) vs \(law.p[0])")
            if law.p.count > 1, band.law.continuation.count > 1 {
                let p3 = band.law.continuation[1]
                #expect(abs(p3 - law.p[1]) <= 4 * (law.p[1] * (1 - law.p[1]) / (n * law.c * law.p[0])).squareRoot(), "p3 \(p3) vs \(law.p[1])")
            }
        }
        // One law for all: no bands.
        let flat = sessions.filter { $0.first > 5000 }
        #expect(TurnBands(firstPrompts: flat.map { Double($0.first) }, turns: flat.map(\.turns)) == nil)
    }

    /// Two bands with the same mean turns (1 + c / (1 - p) = 2.5) whose sessions go
    /// on past the first turn at different rates (c 0.3 and 0.5) stay apart: the
    /// mean alone cannot tell them (its standard error is wide where sessions
    /// run long), the share going on can.
    @Test(.statistics, .background, .tags(.statistics))
    func bandsThatGoOnAtDifferentRatesStayApart() throws {
        let yaml = Self.profileYAML(seed: 11, maxTurns: 40, conversational: 0.5, continuation: 0.666667, bands: """
            - {up_to_tokens: 5000, conversational_probability: 0.3, continuation_probability: 0.8}
            """)
        let sessions = Self.sessions(try Configuration.parse(yaml: yaml).workload)
        let fitted = try #require(TurnBands(firstPrompts: sessions.map { Double($0.first) }, turns: sessions.map(\.turns)))
        #expect(fitted.bands.count == 2, "\(fitted.bands.map(\.upToTokens))")
        guard fitted.bands.count == 2 else { return }
        let (low, high) = (fitted.bands[0], fitted.bands[1])
        // The means alone are within the merge distance: the test tells the rules apart.
        let meanZ = abs(low.meanTurns - high.meanTurns) / (low.standardError * low.standardError + high.standardError * high.standardError).squareRoot()
        #expect(meanZ <= TurnBands.mergeZ, "mean turns \(low.meanTurns) vs \(high.meanTurns): \(meanZ) standard errors")
        #expect(abs(low.upToTokens - 5000) <= 150)
        for (band, c) in [(low, 0.3), (high, 0.5)] {
            let n = Double(band.sessions)
            #expect(abs(band.law.conversationalProbability - c) <= 4 * (c * (1 - c) / n).squareRoot(),
                    "c \(band.law.conversationalProbability) vs \(c) over \(band.sessions) sessions")
        }
    }

    /// A session's band is part of the checkpoint: an engine restored at several points continues byte for byte.
    @Test func aRestoredEngineKeepsEachSessionsBand() throws {
        var configuration = try Configuration.parse(yaml: Self.yaml)
        configuration.override(duration: 20, seed: 3)
        let spec = configuration.workload
        var reference = WorkloadEngine(spec: spec)
        var expected: [Event] = []
        while let event = reference.next() { expected.append(event) }
        var engine = WorkloadEngine(spec: spec)
        var produced: [Event] = []
        while true {
            if produced.count % 997 == 500 { engine = try WorkloadEngine(spec: spec, restoring: engine.checkpoint()) }
            guard let event = engine.next() else { break }
            produced.append(event)
        }
        #expect(produced.count == expected.count && produced.elementsEqual(expected) { "\($0)" == "\($1)" })
    }

    @Test func badBandsAreReportedWithKeyAndValue() {
        let p = "workload.client_profiles[0].turns_by_first_prompt"
        #expect(problems(configYAML(profile: """
            turns_by_first_prompt:
              - {up_to_tokens: 0, conversational_probability: 0.5, continuation_probability: 0.5}
              - {up_to_tokens: 300, conversational_probability: 1.5, continuation_probability: [0.5, 2]}
              - {up_to_tokens: 200, conversational_probability: 0.5, continuation_probability: 0.5}
              - {up_to_tokens: 400, conversational_probability: 0.5, continuation: 0.5}
            """)) == [
            "\(p)[0].up_to_tokens: must be between 1 and 1000000000 (got 0)",
            "\(p)[1].conversational_probability: must be a probability in [0, 1] (got 1.5)",
            "\(p)[1].continuation_probability[1]: must be a probability in [0, 1] (got 2)",
            "\(p)[2].up_to_tokens: must be above the previous band's 300 (bounds increase; got 200)",
            "\(p)[3].continuation: unknown key (did you mean 'continuation_probability'?)",
            "\(p)[3].continuation_probability: missing (expected a probability or a list of probabilities by depth)",
        ])
        #expect(problems(configYAML(profile: "turns_by_first_prompt: []")) == ["\(p): expected a list of 1 to 64 bands {up_to_tokens, conversational_probability, continuation_probability} (got a list, 0 bands)"])
    }

    @Test func theEffectiveConfigurationWithBandsLoadsBack() throws {
        let original = try Configuration.parse(yaml: Self.yaml)
        let reloaded = try Configuration.parse(yaml: original.effectiveYAML)
        #expect(reloaded.workload == original.workload)
        #expect(original.conversationReport.joined().contains("simulated"))
    }
}
