import Foundation

/// `stats` figures of conversations: first prompts apart from later turns' new
/// input, and the Spearman correlation of new input vs output tokens.
public struct ConversationStatistics: Sendable {
    public var firstPrompts: [Double] = []
    public var laterNewInput: [Double] = []
    public var newInput: [Double] = []
    public var output: [Double] = []

    public init() {}

    mutating func add(request object: [String: Any]) {
        guard let turn = (object["turn"] as? NSNumber)?.intValue,
              let input = (object["new_input_tokens"] as? NSNumber)?.doubleValue else { return }
        if turn == 1 {
            if let prompt = (object["prompt_tokens"] as? NSNumber)?.doubleValue { firstPrompts.append(prompt) }
        } else {
            laterNewInput.append(input)
        }
        if let tokens = (object["output_tokens"] as? NSNumber)?.doubleValue {
            newInput.append(input)
            output.append(tokens)
        }
    }

    /// Spearman's rank correlation of new input and output tokens (nan below two requests).
    public var inputOutputSpearman: Double { RankCorrelation.spearman(newInput, output) }

    func reportLines(quantiles: ([Double]) -> String) -> [String] {
        [
            "first prompts \(quantiles(firstPrompts))",
            "later new input \(quantiles(laterNewInput)) (turns >= 2)",
            String(format: "spearman(new input, output) %.4f", inputOutputSpearman),
        ]
    }
}
