import Foundation
import WorkloadModel

/// `validate`'s lines for the conversation keys: the effective values, and the
/// expected turns per session, first and later prompts and carried share.
extension Configuration {
    func conversationYAML(_ p: ClientProfile) -> [String] {
        let model = p.conversation
        let history = p.history(accumulate: workload.accumulateConversationalTokens)
        let window = model.contextWindowTokens.map { String($0) } ?? "null   # only the bound of 10^9 tokens"
        let bands = model.turnBands.map { band in
            "{up_to_tokens: \(band.upToTokens), conversational_probability: \(Self.format(band.conversationalProbability)), continuation_probability: [\(band.continuation.map(Self.format).joined(separator: ", "))]}"
        }
        // Only when set, so that the effective configuration of every other profile reads as before.
        var banded = bands.isEmpty ? [] : ["      turns_by_first_prompt: [\(bands.joined(separator: ", "))]   # above the last bound: the profile's own"]
        if model.cutInputToWindow { banded.append("      cut_input_to_window: true") }
        if !model.followUpInputScale.isEmpty {
            banded.append("      follow_up_input_scale_by_turn: [\(model.followUpInputScale.map(Self.format).joined(separator: ", "))]")
        }
        return banded + [
            "      follow_up_input_tokens_dist_config: \(model.followUpInput?.yamlFlow ?? "null")   # null: prompt_tokens_dist_config",
            "      history: \(model.history.map(\.rawValue) ?? "null   # \(history.rawValue), from accumulate_conversational_tokens")",
            "      input_output_correlation: \(Self.format(model.inputOutputCorrelation))",
            "      context_window_tokens: \(window)",
            "      on_context_full: \(model.onContextFull.rawValue)",
        ]
    }

    /// Per profile: turns per session (mean, p50, p90, p99, max), the mean
    /// first and later prompt, and the expected share of carried history.
    var conversationReport: [String] {
        var lines = ["conversations:"]
        for profile in workload.profiles {
            let f = workload.conversationFigures(of: profile)
            let q = f.turnQuantiles
            let how = f.simulated ? " (simulated: \(f.simulatedSessionCount) sessions, fixed seed)" : ""
            lines.append(String(
                format: "  %@: turns/session mean %.4f, p50 %d, p90 %d, p99 %d, max %d; prompt first %.2f, later %.2f; carried history %.2f%% of prompt tokens%@",
                profile.name, f.meanTurns, q[0], q[1], q[2], q[3], f.meanFirstPromptTokens, f.meanLaterPromptTokens,
                100 * f.carriedShare, how))
        }
        return lines
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
