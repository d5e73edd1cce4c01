import Foundation

/// `stats`: the agent figures `validate` expects, measured on a stream's
/// requests that carry `call_kind` (per profile): LLM calls per user turn
/// (the root chains and the subagents apart), tool calls per batch, tool
/// time per user turn (the sum of the root chain's `delay_s` after tool
/// batches), prompt growth per call and the share of prompt tokens that are
/// prefix (cacheable).
package struct AgentStatistics: Sendable {
    package struct Profile: Sendable {
        package var userTurns = 0
        package var rootCalls = 0
        package var subagentCalls = 0
        package var batches = 0
        package var toolCalls = 0
        package var toolSecondsPerTurn: [Double] = []
        package var growth = RunningMoments()
        package var prefixTokens = 0.0
        package var promptTokens = 0.0
    }

    package var profiles: [String: Profile] = [:]
    /// Each session's last prompt, and each root session's tool time in its current user turn.
    var lastPrompt: [String: Double] = [:]
    var turnTools: [String: (profile: String, seconds: Double)] = [:]

    package init() {}

    mutating func add(request event: StreamLine) {
        guard let kind = event.callKind.map(StreamLine.decode), let session = event.sessionName else { return }
        let name = event.profileName ?? "?"
        let prompt = event.promptTokens ?? 0
        let tools = event.toolCalls ?? 0
        var profile = profiles[name, default: .init()]
        profile.promptTokens += prompt
        profile.prefixTokens += event.prefixTokens ?? 0
        if kind == "user" {
            if let open = turnTools[session] { profiles[open.profile, default: .init()].toolSecondsPerTurn.append(open.seconds) }
            turnTools[session] = (name, 0)
            profile.userTurns += 1
        } else if let previous = lastPrompt[session] {
            profile.growth.add(prompt - previous)
        }
        if kind == "subagent" { profile.subagentCalls += 1 } else { profile.rootCalls += 1 }
        if tools > 0 {
            profile.batches += 1
            profile.toolCalls += tools
            if kind == "agent" { turnTools[session]?.seconds += event.delay ?? 0 }
        }
        lastPrompt[session] = prompt
        profiles[name] = profile
    }

    func reportLines() -> [String] {
        guard !profiles.isEmpty else { return [] }
        var lines = ["agents (measured):"]
        for (name, p) in profiles.sorted(by: { $0.key < $1.key }) {
            // User turns still open at the end count too (their tool time so far).
            var times = p.toolSecondsPerTurn + turnTools.values.filter { $0.profile == name }.map(\.seconds)
            times.sort()
            let turns = Double(Swift.max(1, p.userTurns))
            let mean = times.isEmpty ? 0 : times.reduce(0, +) / Double(times.count)
            let p99 = times.isEmpty ? 0 : times[Int(0.99 * Double(times.count - 1))]
            lines.append(String(format: "  %@: LLM calls per user turn %.4g (root chain %.4g, subagents %.4g) over %d user turns; tool calls per batch %.4g",
                                name, Double(p.rootCalls + p.subagentCalls) / turns, Double(p.rootCalls) / turns,
                                Double(p.subagentCalls) / turns, p.userTurns, p.batches > 0 ? Double(p.toolCalls) / Double(p.batches) : 0))
            lines.append(String(format: "    tool time per user turn mean %.4g s, p99 %.4g s; prompt growth per call %.4g tokens; cacheable share of prompt tokens (prefix_tokens / prompt_tokens) %.2f%%",
                                mean, p99, p.growth.mean, p.promptTokens > 0 ? 100 * p.prefixTokens / p.promptTokens : 0))
        }
        return lines
    }
}
