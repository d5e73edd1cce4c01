import Foundation
import Testing
import WorkloadDaemon
import WorkloadTraces

/// `stats` separates first prompts from later turns' new input and
/// reports the Spearman correlation of new input vs output tokens.
@Suite struct ConversationStatisticsTests {
    @Test func firstAndLaterTurnsAndTheRankCorrelation() {
        var stats = StreamStatistics()
        let requests: [(turn: Int, prompt: Int, input: Int, output: Int)] = [
            (1, 100, 100, 40), (2, 250, 10, 30), (1, 300, 300, 20), (2, 330, 5, 10),
        ]
        for r in requests {
            let line = #"{"type":"request","time_s":1.0,"profile":"p","turn":\#(r.turn),"prompt_tokens":\#(r.prompt),"new_input_tokens":\#(r.input),"output_tokens":\#(r.output)}"#
            let accepted = stats.add(line: Data(line.utf8))
            #expect(accepted)
        }
        #expect(stats.conversation.firstPrompts == [100, 300])
        #expect(stats.conversation.laterNewInput == [10, 5])
        // New input 100, 10, 300, 5 against output 40, 30, 20, 10: ranks (3, 2, 4, 1) and (4, 3, 2, 1),
        // Σd² = 6, so rho = 1 − 6·6 / (4·15) = 0.4.
        #expect(abs(stats.conversation.inputOutputSpearman - 0.4) < 1e-12)
        let report = stats.report()
        #expect(report.contains("first prompts mean 200.00, p50 200"))
        #expect(report.contains("later new input mean 7.50"))
        #expect(report.contains("spearman(new input, output) 0.4000"))
    }

    /// A constant output law leaves the rank correlation undefined: the report says why instead of "nan".
    @Test func anUndefinedRankCorrelationIsSaidSo() {
        var stats = StreamStatistics()
        for (input, turn) in [(100, 1), (10, 2), (300, 1)] {
            let line = #"{"type":"request","time_s":1.0,"profile":"p","turn":\#(turn),"prompt_tokens":\#(input),"new_input_tokens":\#(input),"output_tokens":200}"#
            let accepted = stats.add(line: Data(line.utf8))
            #expect(accepted)
        }
        let report = stats.report()
        #expect(report.contains("spearman(new input, output) n/a: new input or output never varies"), "\(report)")
        #expect(!report.lowercased().contains("nan"))
        let emptyReport = StreamStatistics().report()
        #expect(emptyReport.contains("spearman(new input, output) n/a: fewer than two requests"), "\(emptyReport)")
    }
}
