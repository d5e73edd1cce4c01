import Foundation
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig
import WorkloadTraces
import TestSupport

/// `validate`'s agent figures against one hour of config/coding-agent.yaml, and
/// against the published figures the file is calibrated to.
@Suite struct AgentStatisticsTests {
    /// Mean and standard error of a sample.
    static func meanAndError(_ values: [Double]) -> (mean: Double, error: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, (variance / n).squareRoot())
    }

    /// Per user turn of the root chains sent in the first half of the run (so
    /// that nearly all of them end within it): its calls (subagents included),
    /// its prefix and prompt tokens; and every batch size.
    struct Turns {
        var calls: [UInt64: Double] = [:]
        var prefix: [UInt64: Double] = [:]
        var prompt: [UInt64: Double] = [:]
        var batches: [Double] = []
    }

    static func measure(_ configuration: Configuration, before cut: VirtualNanoseconds) -> Turns {
        var engine = WorkloadEngine(spec: configuration.workload)
        var turns = Turns()
        var userTurn: [UInt64: UInt64] = [:]          // root session -> its current user turn's key
        var turnOfCall: [UInt64: UInt64] = [:]        // (root session, request turn) -> user turn key
        var turnOfSubagent: [UInt64: UInt64] = [:]    // subagent's own session -> user turn key
        func key(_ session: UInt64, _ turn: Int32) -> UInt64 { session ^ (UInt64(UInt32(turn)) &* 0x9E37_79B9_7F4A_7C15) }
        while let event = engine.next() {
            guard case .request(let r) = event, r.callKind != .none else { continue }
            let turnKey: UInt64?
            switch r.callKind {
            case .user:
                let fresh = key(r.sessionID, r.turn)
                userTurn[r.sessionID] = r.sentAt < cut ? fresh : nil
                turnKey = userTurn[r.sessionID]
            case .agent, .join: turnKey = userTurn[r.sessionID]
            case .subagentStart:
                turnKey = turnOfCall[key(r.sessionID, r.agentLinks.spawningTurn)]
                turnOfSubagent[r.ownSessionID] = turnKey
            default: turnKey = turnOfSubagent[r.ownSessionID]
            }
            if r.subagent == 0 { turnOfCall[key(r.sessionID, r.turn)] = turnKey }
            guard let turnKey else { continue }
            turns.calls[turnKey, default: 0] += 1
            turns.prefix[turnKey, default: 0] += Double(r.prefixTokens)
            turns.prompt[turnKey, default: 0] += Double(r.promptTokens)
            if r.toolCalls > 0 { turns.batches.append(Double(r.toolCalls)) }
        }
        return turns
    }

    @Test(.statistics, .background, .tags(.statistics)) func anHourMatchesValidateAndValidateMatchesThePublishedFigures() throws {
        let configuration = try AgentStreamTests.codingAgent(duration: 3600)
        let figures = try #require(configuration.workload.agentFigures(ofProfile: 0))
        // Published: 7.83 LLM calls per user turn, 1.12 tool calls per batch, 85.7% of prompt tokens cached.
        for (what, expected, published) in [("calls per user turn", figures.callsPerTurn, 7.83),
                                             ("tool calls per batch", figures.toolCallsPerBatch, 1.12),
                                             ("cacheable share", figures.cacheableShare, 0.857)] {
            print("validate \(what): \(expected), published \(published)")
            #expect(abs(expected / published - 1) < 0.05, "validate's \(what) \(expected) is not within 5% of \(published)")
        }

        let turns = Self.measure(configuration, before: 1_800_000_000_000)
        let calls = Self.meanAndError(Array(turns.calls.values))
        let batches = Self.meanAndError(turns.batches)
        // The share is a ratio of sums over turns: its standard error by the delta method.
        let keys = Array(turns.prompt.keys)
        let prefix = keys.map { turns.prefix[$0]! }, prompt = keys.map { turns.prompt[$0]! }
        let share = prefix.reduce(0, +) / prompt.reduce(0, +)
        let n = Double(keys.count)
        let residual = zip(prefix, prompt).reduce(0) { $0 + ($1.0 - share * $1.1) * ($1.0 - share * $1.1) }
        let shareError = (residual * n / (n - 1)).squareRoot() / prompt.reduce(0, +)
        for (what, measured, error, expected) in [("calls per user turn", calls.mean, calls.error, figures.callsPerTurn),
                                                  ("tool calls per batch", batches.mean, batches.error, figures.toolCallsPerBatch),
                                                  ("cacheable share", share, shareError, figures.cacheableShare)] {
            let z = (measured - expected) / error
            print("coding-agent 1 h: \(what) measured \(measured) ± \(error), validate \(expected), z = \(z)")
            #expect(abs(z) < 4, "\(what): measured \(measured) ± \(error), validate \(expected)")
        }
        #expect(turns.calls.count > 1_000, "\(turns.calls.count) user turns")
    }

    /// `stats` counts the agent figures of a stream: its calls per user turn and
    /// tool calls per batch are exactly the stream's own counts.
    @Test func statsMeasuresTheAgentFigures() throws {
        let configuration = try AgentStreamTests.codingAgent(duration: 300)
        var stats = StreamStatistics()
        var users = 0, calls = 0, batches = 0, toolCalls = 0
        for line in AgentStreamTests.lines(configuration) {
            let added = stats.add(line: Data(line.utf8))
            #expect(added)
            let fields = RawJSONFields(line)
            guard let kind = fields.string("call_kind") else { continue }
            calls += 1
            if kind == "user" { users += 1 }
            if let tools = fields.integer("tool_calls"), tools > 0 { batches += 1; toolCalls += Int(tools) }
        }
        let report = stats.report()
        let expected = String(format: "LLM calls per user turn %.4g", Double(calls) / Double(users))
        #expect(report.contains(expected), "\(expected) in \(report)")
        #expect(report.contains(String(format: "tool calls per batch %.4g", Double(toolCalls) / Double(batches))), "\(report)")
    }
}
