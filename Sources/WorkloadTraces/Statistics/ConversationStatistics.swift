import Foundation

/// `stats` figures of conversations: first prompts apart from later turns' new
/// input, and the Spearman correlation of new input vs output tokens.
package struct ConversationStatistics: Sendable {
    package var firstPrompts: [Double] = []
    package var laterNewInput: [Double] = []
    package var newInput: [Double] = []
    package var output: [Double] = []

    package init() {}

    mutating func add(request event: StreamLine) {
        guard let turn = event.turn, let input = event.newInputTokens else { return }
        if turn == 1 {
            if let prompt = event.promptTokens { firstPrompts.append(prompt) }
        } else {
            laterNewInput.append(input)
        }
        if let tokens = event.outputTokens {
            newInput.append(input)
            output.append(tokens)
        }
    }

    /// Spearman's rank correlation of new input and output tokens (nan below two requests).
    package var inputOutputSpearman: Double { RankCorrelation.spearman(newInput, output) }

    func reportLines(quantiles: ([Double]) -> String) -> [String] {
        [
            "first prompts \(quantiles(firstPrompts))",
            "later new input \(quantiles(laterNewInput)) (turns >= 2)",
            spearmanLine,
        ]
    }

    /// Undefined below two requests or when either side never varies (a constant output law): said so, not "nan".
    private var spearmanLine: String {
        let rho = inputOutputSpearman
        if rho.isFinite { return String(format: "spearman(new input, output) %.4f", rho) }
        return "spearman(new input, output) n/a: " + (newInput.count < 2 ? "fewer than two requests" : "new input or output never varies")
    }
}
