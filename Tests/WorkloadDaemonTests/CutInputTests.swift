import Testing
import WorkloadConfig
import WorkloadModel

/// `cut_input_to_window`: a new input that does not fit beside the shared
/// prefixes is cut to what fits (a client trimming what it pastes), so a first
/// turn over the window is sent instead of ending its session unsent.
@Suite struct CutInputTests {
    static func yaml(cut: Bool) -> String {
        """
        workload:
          total_duration: 60
          random_seed: 2
          max_turns_per_session: 3
          prefix_pools:
            - {name: system, items: 1, tokens_dist_config: {type: Constant, value: 3000}, popularity: {type: Uniform}}
          client_profiles:
            - profile_name: p
              weight: 1
              inter_arrival_time_dist_config: {type: Exponential, rate: 2}
              prompt_tokens_dist_config: {type: Uniform, low: 100, high: 2000, is_int: true}
              max_output_tokens_dist_config: {type: Constant, value: 50}
              follow_up_inter_arrival_time_dist_config: {type: Constant, value: 1}
              conversational_probability: 1
              continuation_probability: 1
              streaming_response_probability: 0
              context_window_tokens: 4000
              on_context_full: truncate
              prefixes: [{pool: system, per: session}]
        \(cut ? "      cut_input_to_window: true" : "")
        """
    }

    static func run(cut: Bool) throws -> (requests: [RequestEvent], ended: [SessionEndedEvent]) {
        var engine = WorkloadEngine(spec: try Configuration.parse(yaml: yaml(cut: cut)).workload)
        var requests: [RequestEvent] = [], ended: [SessionEndedEvent] = []
        while let event = engine.next() {
            if case .request(let r) = event { requests.append(r) }
            if case .sessionEnded(let e) = event { ended.append(e) }
        }
        return (requests, ended)
    }

    @Test func aFirstTurnOverTheWindowIsCutNotDropped() throws {
        let plain = try Self.run(cut: false)
        let cut = try Self.run(cut: true)
        // The same sessions, the same draws: without the key, first inputs above 1,000 tokens end their sessions unsent.
        let unsent = plain.ended.filter { $0.turns == 0 && $0.reason == .contextFull }.count
        #expect(unsent > 20)
        #expect(cut.ended.allSatisfy { $0.turns > 0 })
        #expect(cut.ended.count == plain.ended.count)
        // Every prompt within the window; every new input at most the room beside the 3,000-token system prompt.
        #expect(cut.requests.allSatisfy { $0.promptTokens <= 4000 && $0.newInputTokens <= 1000 && $0.newInputTokens >= 1 })
        // Turns that fitted keep their draws: the plain run's first turns are among the cut run's.
        let firstInputs = Set(cut.requests.filter { $0.turn == 1 }.map { "\($0.sessionID) \($0.newInputTokens)" })
        #expect(plain.requests.filter { $0.turn == 1 }.allSatisfy { firstInputs.contains("\($0.sessionID) \($0.newInputTokens)") })
        #expect(cut.requests.filter { $0.turn == 1 }.count == plain.requests.filter { $0.turn == 1 }.count + unsent)
    }
}
