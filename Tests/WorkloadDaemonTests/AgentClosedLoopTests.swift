import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadDaemon
import WorkloadModel
import WorkloadTraces

/// `config/coding-agent.yaml` with `feedback`, paced `max`, at `rate` sessions a second.
/// `latency`: the network's (the generator's lookahead for an agent's next call).
func agentLoopConfiguration(duration: Double, rate: Double = 0.2, timeout: Double = 600, latency: Double? = nil,
                            seed: UInt64 = 42) throws -> Configuration {
    var text = try String(contentsOf: daemonRepositoryRoot.appendingPathComponent("config/coding-agent.yaml"), encoding: .utf8)
    if let latency {
        text = text.replacingOccurrences(of: "  bytes_per_token_estimate_for_network: 4\n",
                                         with: "  bytes_per_token_estimate_for_network: 4\n  network: {latency_s: \(latency)}\n")
    }
    text = text.replacingOccurrences(of: "inter_arrival_time_dist_config: {type: Exponential, rate: 0.2}",
                                     with: "inter_arrival_time_dist_config: {type: Exponential, rate: \(rate)}")
    // The service answers; the run emits no modeled completions of its own.
    text = text.replacingOccurrences(of: "emit_completions: true", with: "emit_completions: false")
    text += "\nclock: {mode: accelerated, speed: max}\nfeedback: {topic: llm.completions, timeout_s: \(timeout), lookahead_s: 1}\n"
    var configuration = try Configuration.parse(yaml: text, source: "coding-agent+feedback")
    configuration.override(duration: duration, seed: seed)
    return configuration
}

/// `<session>-<turn>`, as a request ID spells it.
func requestID(_ key: CompletionKey) -> String {
    let hex = String(key.session, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex + "-\(key.turn)"
}

/// Agent sessions in a closed loop, in one process: the engine and the
/// reference service (`InProcessLoop`).
@Suite struct AgentClosedLoopTests {
    /// The loop's stream as lines, and its service's completions by request ID.
    static func calls(_ loop: InProcessLoop, _ configuration: Configuration) -> (calls: [String: AgentStreamTests.Call], completions: [String: Int64]) {
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        var writer = ByteWriter()
        for event in loop.events { encoder.encode(event, into: &writer) }
        let lines = String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n")
        let completions = Dictionary(uniqueKeysWithValues: loop.completions.values.map { (requestID($0.key), $0.time) })
        return (AgentStreamTests.parse(lines).calls, completions)
    }

    /// With replicas enough that none waits, the service's completions are the
    /// service model's: the loop gives the model's agent stream, every event
    /// but the modeled completions (which the loop's service publishes instead).
    @Test func anIdleServiceGivesTheServiceModelsAgentStream() throws {
        let configuration = try agentLoopConfiguration(duration: 900)
        var modeled = configuration
        modeled.feedback = nil
        modeled.override(ConfigurationOverrides())
        let unnumbered = { (events: [Event]) -> [Event] in
            events.filter { $0.completion == nil }.map { $0.withSeq(0) }
        }
        let model = unnumbered(eventsOf(modeled))
        let loop = InProcessLoop(configuration, replicas: 10_000)
        #expect(!loop.deadlocked)
        let requests = model.compactMap(\.request)
        #expect(requests.count > 2_000 && requests.contains { $0.subagent != 0 }, "\(requests.count) requests")
        let mine = unnumbered(loop.events)
        #expect(mine.count == model.count)
        let first = zip(mine, model).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(first == nil, "first difference at \(first ?? 0): \(first.map { "\(mine[$0]) vs \(model[$0])" } ?? "")")
    }

    /// A busy service (each call waits for a replica): every call is sent exactly
    /// `delay_s` after the latest of its dependencies' completions as the service
    /// published them, and its prompt and hash_ids grow from its predecessor's.
    @Test func callsFollowTheServicesCompletionsExactly() throws {
        let configuration = try agentLoopConfiguration(duration: 900)
        let loop = InProcessLoop(configuration, replicas: 24)
        #expect(!loop.deadlocked)
        let (calls, completions) = Self.calls(loop, configuration)
        let counts = AgentStreamTests.checkEveryCall(calls, completions: completions, spec: configuration.workload, blockTokens: 512)
        let ended = loop.events.compactMap(\.ended)
        let model = InProcessLoop(configuration, replicas: 10_000)
        print("coding agent, 24 replicas, 900 s: \(counts.sorted { $0.key < $1.key }), \(loop.rounds) rounds; requests \(calls.count) (idle service: \(model.events.compactMap(\.request).count)); ends \(Dictionary(grouping: ended, by: \.reason).mapValues(\.count))")
        #expect((counts["timed"] ?? 0) > 1_500 && (counts["joins"] ?? 0) > 3 && (counts["batches"] ?? 0) > 1_000, "\(counts)")
        // The loop pushes back: calls wait for replicas, so fewer are sent than with an idle service.
        #expect(calls.count < model.events.compactMap(\.request).count)
        #expect(zip(loop.events, loop.events.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(ended.count == loop.events.compactMap(\.started).count)
    }

    @Test func whenCompletionsArriveCannotChangeTheAgentStream() throws {
        let configuration = try agentLoopConfiguration(duration: 600)
        let prompt = InProcessLoop(configuration, replicas: 24).events
        let late = InProcessLoop(configuration, replicas: 24, withholding: 7)
        #expect(late.rounds > 0)
        #expect(prompt.compactMap(\.request).count > 1_000)
        #expect(prompt == late.events)
    }

    /// A call answered `error` ends its tree: its session at the completion,
    /// `failed`; no later call of the tree is sent; every other session of the
    /// tree ends `failed` too (at its next step), and no other tree fails.
    @Test func aFailedCallEndsItsWholeTree() throws {
        let configuration = try agentLoopConfiguration(duration: 900)
        let failing = { (key: CompletionKey) -> Bool in
            var rng = SplitMix64Test(state: key.session ^ UInt64(key.turn))
            return rng.next() % 40 == 0
        }
        let loop = InProcessLoop(configuration, replicas: 10_000, status: { failing($0) ? .error : .ok })
        #expect(!loop.deadlocked)
        var failures: [CompletionKey: VirtualNanoseconds] = [:]
        for (key, done) in loop.completions where failing(key) { failures[key] = done.time }
        let trees = Self.checkTreesEnd(loop, failures: failures, reason: .failed)
        #expect(trees.failed > 10 && trees.withSubagents > 0, "\(trees)")
        #expect(loop.events.compactMap(\.ended).count == loop.events.compactMap(\.started).count)
    }

    /// A call the service drops ends its session `no_response` at its arrival
    /// + `timeout_s`, and its tree as a failed call does.
    @Test func aDroppedCallEndsItsWholeTreeNoResponseAtTheTimeout() throws {
        // A dropped call holds the watermark back until its timeout; a 5 ms link moves the loop on in fewer rounds.
        let configuration = try agentLoopConfiguration(duration: 900, timeout: 20, latency: 0.005)
        #expect(configuration.workload.network.latencySeconds == 0.005)
        let service = ReferenceService(spec: configuration.workload, replicas: 10_000, dropFraction: 0.02)
        let loop = InProcessLoop(configuration, replicas: 10_000, dropFraction: 0.02)
        #expect(!loop.deadlocked)
        var failures: [CompletionKey: VirtualNanoseconds] = [:]
        // Dropped, or answered after the timeout (a long answer).
        for r in loop.events.compactMap(\.request) {
            let key = CompletionKey(session: r.ownSessionID, turn: r.turn)
            guard service.drops(session: key.session, turn: key.turn) || loop.completions[key]!.time > r.time + 20_000_000_000 else { continue }
            failures[key] = r.time + 20_000_000_000
        }
        let trees = Self.checkTreesEnd(loop, failures: failures, reason: .noResponse)
        print("dropped calls: \(failures.count) in \(trees.failed) trees, \(loop.rounds) rounds")
        #expect(trees.failed > 10, "\(trees)")
    }

    /// In virtual time the link's latency is the generator's lookahead for an
    /// agent's next call: 0 is refused, naming the key and the value.
    @Test func anAgentProfileUnderFeedbackNeedsALinkLatency() throws {
        #expect(throws: (any Error).self) { try agentLoopConfiguration(duration: 60, latency: 0) }
        do {
            _ = try agentLoopConfiguration(duration: 60, latency: 0)
        } catch {
            #expect("\(error)".contains("workload.network.latency_s") && "\(error)".contains("(got 0)"), "\(error)")
        }
        #expect(try agentLoopConfiguration(duration: 60, latency: 0.001).workload.externalCompletions != nil)
    }

    /// Checks how the trees with a failing call (`failures`: when each failed) ended; returns how many there were.
    static func checkTreesEnd(_ loop: InProcessLoop, failures: [CompletionKey: VirtualNanoseconds],
                              reason: SessionEndReason) -> (failed: Int, withSubagents: Int) {
        let horizon = Int64(900e9)
        // The events of a tree carry its root's session ID.
        var firstFailure: [UInt64: VirtualNanoseconds] = [:]
        var rootOf: [UInt64: UInt64] = [:]
        for r in loop.events.compactMap(\.request) { rootOf[r.ownSessionID] = r.sessionID }
        for (key, time) in failures {
            guard let root = rootOf[key.session] else { continue }
            firstFailure[root] = min(firstFailure[root] ?? .max, time)
        }
        var withSubagents = 0
        for end in loop.events.compactMap(\.ended) {
            let own = AgentLinks.sessionID(root: end.sessionID, subagent: end.subagent)
            guard let failed = firstFailure[end.sessionID] else {
                #expect(end.reason != reason, "a session of a tree with no failing call ended \(end.reason)")
                continue
            }
            // A session of the tree that ended before it failed (an earlier subagent) ended as it would have.
            guard end.time >= failed else { continue }
            if end.subagent != 0 { withSubagents += 1 }
            // The failing call's own session ends at its failure; the others at their next step, or at the run's end.
            let ownFailure = failures.filter { $0.key.session == own }.map(\.value).min()
            if let ownFailure, ownFailure == failed {
                #expect(end.reason == reason && end.time == failed, "\(own): ended \(end.reason) at \(end.time), failed at \(failed)")
            } else {
                #expect(end.reason == reason || (end.reason == .horizon && end.time >= horizon), "\(own): ended \(end.reason)")
                #expect(end.time >= failed)
            }
        }
        for r in loop.events.compactMap(\.request) {
            guard let failed = firstFailure[r.sessionID] else { continue }
            #expect(r.sentAt <= failed, "\(r.ownSessionID)-\(r.turn) sent at \(r.sentAt), after its tree failed at \(failed)")
        }
        return (firstFailure.count, withSubagents)
    }
}

extension DaemonIntegrationTests {
    @Suite("agents in a closed loop over Kafka")
    struct AgentLoop {
        @Test("service-model and run --speed max with feedback on the coding agent: every call sent exactly delay_s after the latest published completion among its depends_on")
        func everyCallFollowsThePublishedCompletions() async throws {
            let configuration = try agentLoopConfiguration(duration: 300)
            let loop = try await onThread { try KafkaLoopRun(duration: 300, replicas: 6, base: configuration) }
            print("agents over Kafka: \(loop.stream.count) events in \(loop.wallSeconds) s wall; served \(String(describing: loop.served))")
            #expect(loop.status == 0)
            #expect(loop.consumed.ended)
            #expect(loop.consumed.lateEvents == 0)
            var completions: [String: Int64] = [:]
            for line in loop.completions {
                let fields = RawJSONFields(Substring(line))
                if let id = fields.text("request_id"), let time = fields.text("time_s") { completions[String(id)] = exactNanoseconds(time) }
            }
            let calls = AgentStreamTests.parse(loop.stream.map { Substring($0) }).calls
            let counts = AgentStreamTests.checkEveryCall(calls, completions: completions, spec: configuration.workload, blockTokens: 512)
            print("agents over Kafka: \(counts.sorted { $0.key < $1.key })")
            #expect((counts["timed"] ?? 0) > 150 && (counts["batches"] ?? 0) > 120 && (counts["joins"] ?? 0) > 0, "\(counts)")
        }
    }
}

extension Event {
    var completion: CompletionEvent? { if case .completion(let e) = self { e } else { nil } }

    /// The event with sequence number `seq`.
    func withSeq(_ seq: UInt64) -> Event {
        switch self {
        case .request(var e): e.seq = seq; return .request(e)
        case .sessionStarted(var e): e.seq = seq; return .sessionStarted(e)
        case .sessionEnded(var e): e.seq = seq; return .sessionEnded(e)
        case .completion(var e): e.seq = seq; return .completion(e)
        }
    }
}
