import Foundation
import Testing
import TestSupport
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Agent sessions: every call's timing, prompt and `hash_ids` follow from its
/// predecessors exactly, and a tree stays whole (determinism, shards).
@Suite struct AgentStreamTests {
    static func codingAgent(duration: Double, seed: UInt64 = 42) throws -> Configuration {
        var configuration = try Configuration.load(path: repositoryRoot.appendingPathComponent("config/coding-agent.yaml").path)
        configuration.override(duration: duration, seed: seed)
        return configuration
    }

    static func lines(_ configuration: Configuration) -> [Substring] {
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        var engine = WorkloadEngine(spec: configuration.workload)
        var writer = ByteWriter()
        while let event = engine.next() { encoder.encode(event, into: &writer) }
        return JSONLines.lines(String(decoding: writer.bytes, as: UTF8.self))
    }

    struct Call {
        var id: String
        var session: String
        var turn: Int64
        var sentAt: Int64
        var prompt: Int64
        var newInput: Int64
        var prefix: Int64
        var shared: Int64
        var output: Int64
        var dependsOn: [String]?
        var delay: Int64?
        var call: Int64
        var kind: String
        var toolCalls: Int64
        var root: String?
        var hashIDs: [Substring]
        var profile: String
    }

    static func hashIDs(_ line: Substring) -> [Substring] {
        guard let start = line.range(of: "\"hash_ids\":[") else { return [] }
        let rest = line[start.upperBound...]
        guard let end = rest.firstIndex(of: "]") else { return [] }
        return rest[..<end].split(separator: ",")
    }

    static func parse(_ lines: [Substring]) -> (calls: [String: Call], completions: [String: Int64]) {
        var calls: [String: Call] = [:], completions: [String: Int64] = [:]
        for line in lines {
            let f = RawJSONFields(line)
            switch f.string("type") {
            case "request":
                guard let kind = f.string("call_kind") else { continue }
                let id = f.string("request_id")!
                calls[id] = Call(
                    id: id, session: f.string("session_id")!, turn: f.integer("turn")!, sentAt: f.nanoseconds("sent_at_s")!,
                    prompt: f.integer("prompt_tokens")!, newInput: f.integer("new_input_tokens")!, prefix: f.integer("prefix_tokens")!,
                    shared: f.integer("shared_prefix_tokens") ?? 0, output: f.integer("output_tokens")!,
                    dependsOn: f.requestIDs("depends_on"), delay: f.nanoseconds("delay_s"), call: f.integer("call")!, kind: kind,
                    toolCalls: f.integer("tool_calls")!, root: f.string("root_session_id"), hashIDs: hashIDs(line),
                    profile: f.string("profile")!)
            case "completion":
                completions[f.string("request_id")!] = f.nanoseconds("time_s")!
            default: break
            }
        }
        return (calls, completions)
    }

    /// Checks must-shows 2 and 3 on every request of the stream; returns counts for the report.
    static func checkEveryCall(_ configuration: Configuration, blockTokens: Int64) -> [String: Int] {
        let (calls, completions) = parse(lines(configuration))
        return checkEveryCall(calls, completions: completions, spec: configuration.workload, blockTokens: blockTokens)
    }

    /// The same checks on calls whose completions (by request ID) came from elsewhere (a closed loop's service).
    static func checkEveryCall(_ calls: [String: Call], completions: [String: Int64], spec: WorkloadSpec, blockTokens: Int64) -> [String: Int] {
        let profileIndex = Dictionary(uniqueKeysWithValues: spec.profiles.enumerated().map { ($1.name, $0) })
        var counts: [String: Int] = [:]
        // Subagents spawned by each root call: the subagent sessions whose first call depends on it.
        var spawned: [String: [String]] = [:]
        var lastTurn: [String: Int64] = [:]
        for call in calls.values {
            lastTurn[call.session] = max(lastTurn[call.session] ?? 0, call.turn)
            if call.kind == "subagent", call.turn == 1, let parent = call.dependsOn?.first { spawned[parent, default: []].append(call.session) }
        }
        for call in calls.values {
            counts["calls", default: 0] += 1
            // Timing: sent = latest completion among depends_on + delay_s, to the nanosecond.
            if let dependsOn = call.dependsOn {
                let done = dependsOn.compactMap { completions[$0] }
                guard done.count == dependsOn.count, let delay = call.delay else {
                    Issue.record("\(call.id): a dependency without a completion, or no delay_s")
                    continue
                }
                #expect(call.sentAt == done.max()! + delay, "\(call.id): sent \(call.sentAt), dependencies done \(done.max()!), delay \(delay)")
                counts["timed", default: 0] += 1
            } else {
                #expect(call.turn == 1 && call.kind != "agent", "\(call.id): only a session's first call depends on nothing")
            }
            let history = spec.profiles[profileIndex[call.profile]!].history(accumulate: spec.accumulateConversationalTokens)
            checkPredecessor(call, calls: calls, spawned: spawned, lastTurn: lastTurn, blockTokens: blockTokens, history: history,
                             counts: &counts)
            // A tool batch: delay_s is its slowest call's latency, the batch the engine drew after the predecessor.
            if call.toolCalls > 0 {
                let own = UInt64(call.session, radix: 16)!
                let latencies = agentToolLatencies(spec: spec, profile: profileIndex[call.profile]!, session: own,
                                                   turn: Int32(call.turn - 1), root: call.root == nil)
                #expect(latencies?.count == Int(call.toolCalls), "\(call.id): \(String(describing: latencies)) for \(call.toolCalls) tool calls")
                let slowest = Int64(((latencies?.max() ?? -1) * 1e9).rounded())
                #expect(call.delay == slowest, "\(call.id): delay_s \(String(describing: call.delay)) ns, slowest tool call \(slowest) ns")
                counts["batches", default: 0] += 1
            }
        }
        return counts
    }

    /// Prompts and hash_ids against the predecessor: the call before in the same session.
    static func checkPredecessor(_ call: Call, calls: [String: Call], spawned: [String: [String]], lastTurn: [String: Int64],
                                 blockTokens: Int64, history: HistoryMode, counts: inout [String: Int]) {
        guard call.turn > 1 else {
            // A session's first call: its shared prefixes only (a subagent's context is fresh).
            #expect(call.prefix == call.shared, "\(call.id): first call carries \(call.prefix), shared \(call.shared)")
            return
        }
        guard let previous = calls["\(call.session)-\(call.turn - 1)"] else {
            Issue.record("\(call.id): no predecessor")
            return
        }
        if call.kind == "user" && history == .none {
            // A user turn without history: a fresh job, its shared prefixes and the user's message.
            #expect(call.prefix == call.shared, "\(call.id): a user turn without history carries \(call.prefix)")
            var common = 0
            while common < min(call.hashIDs.count, previous.hashIDs.count) && call.hashIDs[common] == previous.hashIDs[common] { common += 1 }
            #expect(common == Int(call.shared / blockTokens), "\(call.id): shares \(common) blocks, its shared prefix has \(call.shared / blockTokens)")
            counts["fresh user turns", default: 0] += 1
            return
        }
        #expect(call.prefix == previous.prompt + previous.output, "\(call.id): prefix \(call.prefix), predecessor \(previous.prompt) + \(previous.output)")
        #expect(call.prompt == previous.prompt + previous.output + call.newInput, "\(call.id): prompt")
        if call.kind == "agent" && call.toolCalls == 0 {
            // A join: waits for every subagent the predecessor spawned, and carries their answers.
            let children = spawned[previous.id] ?? []
            let lasts = children.map { "\($0)-\(lastTurn[$0]!)" }
            #expect(Set(call.dependsOn ?? []) == Set(lasts) && !lasts.isEmpty, "\(call.id): joins \(String(describing: call.dependsOn)), subagents' last calls \(lasts)")
            #expect(call.delay == 0, "\(call.id): a join has delay_s 0")
            let answers = lasts.compactMap { calls[$0]?.output }.reduce(0, +)
            #expect(call.newInput == answers, "\(call.id): new input \(call.newInput), the subagents' answers \(answers)")
            counts["joins", default: 0] += 1
        }
        // hash_ids: exactly the predecessor's complete blocks are shared.
        let complete = Int(previous.prompt / blockTokens)
        var common = 0
        while common < min(call.hashIDs.count, previous.hashIDs.count) && call.hashIDs[common] == previous.hashIDs[common] { common += 1 }
        #expect(common == complete, "\(call.id): shares \(common) blocks with its predecessor, which has \(complete) complete")
        #expect(call.hashIDs.count == Int((call.prompt + blockTokens - 1) / blockTokens), "\(call.id): one ID per block")
        counts["prompts", default: 0] += 1
    }

    /// Ten virtual minutes of config/coding-agent.yaml, every request checked (must-shows 2 and 3).
    @Test func everyCallIsTimedAndGrownFromItsPredecessorsExactly() throws {
        let counts = Self.checkEveryCall(try Self.codingAgent(duration: 600), blockTokens: 512)
        print("coding-agent 600 s: \(counts.sorted { $0.key < $1.key })")
        #expect((counts["calls"] ?? 0) > 1_000 && (counts["batches"] ?? 0) > 800 && (counts["joins"] ?? 0) > 5, "\(counts)")
    }

    /// History carried across user turns (`full`), a context window that may end a
    /// session, four subagents at once: the same exact rules, a user turn growing from the
    /// previous turn's last call.
    static let fullHistory = """
        workload:
          total_duration: 600
          random_seed: 7
          max_turns_per_session: 5
          prefix_pools:
            - {name: system, items: 3, tokens_dist_config: {type: Uniform, low: 2000, high: 4000}, popularity: {type: Uniform}}
            - {name: subagent_system, items: 2, tokens_dist_config: {type: Constant, value: 1000}, popularity: {type: Uniform}}
          kv_blocks: {block_tokens: 64}
          service_model:
            ttft_s_dist_config: {type: LogNormal, mean: 0.5, std: 0.3}
            tpot_s_dist_config: {type: Uniform, low: 0.01, high: 0.03}
            emit_completions: true
          client_profiles:
            - profile_name: coder
              inter_arrival_time_dist_config: {type: Exponential, rate: 0.2}
              prompt_tokens_dist_config: {type: LogNormal, mean: 200, std: 100}
              max_output_tokens_dist_config: {type: Uniform, low: 50, high: 400}
              conversational_probability: 0.8
              streaming_response_probability: 1.0
              follow_up_after: completion
              follow_up_inter_arrival_time_dist_config: {type: Exponential, rate: 0.1}
              context_window_tokens: 40000
              prefixes: [{pool: system, per: client}]
              agent:
                llm_calls_per_turn_dist_config: {type: Uniform, low: 1, high: 12}
                tool_calls_per_batch_dist_config: {type: Uniform, low: 1, high: 4}
                tool_latency_s_dist_config: {type: LogNormal, mean: 1.0, std: 2.0}
                tool_result_tokens_dist_config: {type: LogNormal, mean: 300, std: 300}
                subagents:
                  probability: 0.1
                  count_dist_config: {type: Uniform, low: 1, high: 4}
                  llm_calls_dist_config: {type: Uniform, low: 1, high: 6}
                  prefixes: [{pool: subagent_system, per: session}]
        """

    @Test func fullHistoryAcrossUserTurnsIsExactToo() throws {
        let counts = Self.checkEveryCall(try Configuration.parse(yaml: Self.fullHistory), blockTokens: 64)
        print("full history 600 s: \(counts.sorted { $0.key < $1.key })")
        #expect((counts["calls"] ?? 0) > 2_000 && (counts["joins"] ?? 0) > 20 && counts["fresh user turns"] == nil, "\(counts)")
    }

    /// The same stream twice; and the shards' union is the stream, each agent tree in one shard.
    @Test func deterministicAndShardsKeepWholeTrees() throws {
        let configuration = try Self.codingAgent(duration: 600)
        let first = Self.lines(configuration), second = Self.lines(configuration)
        #expect(first == second)
        var engine = WorkloadEngine(spec: configuration.workload)
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        var shards: [[Substring]] = [[], [], []]
        var writer = ByteWriter()
        while let event = engine.next() {
            writer.removeAll()
            encoder.encode(event, into: &writer)
            let line = Substring(String(decoding: writer.bytes.dropLast(), as: UTF8.self))
            for index in 0..<3 where withSessionKey(event.sessionID, { Shard(index: Int32(index), count: 3).owns(sessionKey: $0) }) {
                shards[index].append(line)
            }
        }
        let union = shards.flatMap { $0 }.sorted { RawJSONFields($0).integer("seq")! < RawJSONFields($1).integer("seq")! }
        #expect(union == first)
        // Every line of a tree (its root's and its subagents') is in the shard of the root's session.
        var shardOfSession: [String: Int] = [:]
        var subagentLines = 0
        for (index, lines) in shards.enumerated() {
            for line in lines {
                let f = RawJSONFields(line)
                guard let session = f.string("session_id") else { continue }
                if f.string("root_session_id") == nil { shardOfSession[session] = index }
            }
        }
        for (index, lines) in shards.enumerated() {
            for line in lines {
                guard let root = RawJSONFields(line).string("root_session_id") else { continue }
                subagentLines += 1
                #expect(shardOfSession[root] == index, "a subagent's event in shard \(index), its root's in \(String(describing: shardOfSession[root]))")
            }
        }
        #expect(subagentLines > 100, "\(subagentLines) subagent events")
    }
}
