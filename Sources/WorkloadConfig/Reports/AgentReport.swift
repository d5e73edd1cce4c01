import Foundation
import WorkloadModel

/// `validate`'s lines for agent profiles: the expected figures of `AgentFigures`.
extension Configuration {
    var agentReport: [String] {
        guard workload.hasAgents else { return [] }
        var lines = ["agents (closed forms; tool-time p99 from \(AgentFigures.toolTimeSamples) turns drawn from the laws, fixed seed):"]
        for (index, profile) in workload.profiles.enumerated() {
            guard let f = workload.agentFigures(ofProfile: index) else { continue }
            lines.append(String(format: "  %@: LLM calls per user turn %.4g (root chain %.4g, subagents %.4g); tool calls per batch %.4g",
                                profile.name, f.callsPerTurn, f.rootCallsPerTurn, f.subagentCallsPerTurn, f.toolCallsPerBatch))
            lines.append(String(format: "    tool time per user turn mean %.4g s, p99 %.4g s; prompt growth per call %.4g tokens; cacheable share of prompt tokens (prefix_tokens / prompt_tokens) %.2f%%",
                                f.toolSecondsPerTurnMean, f.toolSecondsPerTurnP99, f.promptGrowthPerCall, 100 * f.cacheableShare))
        }
        return lines
    }
}
