import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadModel
import WorkloadTraces

/// The round trip: each example configuration (and the fixtures written for
/// bursts, diurnal load, prefixes with a context window, a context window behind one fixed system prompt, and
/// strong correlation, alone and under sessions' history) runs `hours` hours, is exported as a trace (Mooncake when
/// it has KV blocks, Azure otherwise), fitted back, and judged with `fit`'s own
/// table against that export. A figure listed in `knownMisses` is expected
/// to miss, for the reason given; it must still miss (so the list shrinks
/// when a fix lands) and every other figure must be met.
@Suite(.serialized, .long, .tags(.long), .timeLimit(.minutes(10))) struct FitRoundTripTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        var format: TraceFormat
        /// The context window the export's prompts are cut to (nil: none), which the fit must write
        /// exactly: the cut prompts pile at it.
        var window: Int64? = nil
        /// Figure name to the reason it is not met.
        var knownMisses: [String: String] = [:]
        var testDescription: String { (path as NSString).lastPathComponent }
    }

    static let cases: [Case] = [
        Case(path: "config/example.yaml", format: .azure),
        Case(path: "config/day-long.yaml", format: .azure),
        Case(path: "config/mixed-fleet.yaml", format: .azure),
        // One profile truncates at a 32,768-token window: the prompts pile there.
        Case(path: "config/conversations.yaml", format: .azure, window: 32768),
        Case(path: "config/chat-closed.yaml", format: .azure),
        // The prompts of `prefixes` and `prefixes-window` hang on the lengths one seed draws for a few popular
        // pool items: each configuration run with seeds 1, 2, 3 misses its own export's prompts by KS 0.105,
        // 0.085, 0.054 (`prefixes`) and 0.053, 0.174, 0.171 (`prefixes-window`). The fit lists the families it
        // sees with their lengths and sessions (`item_tokens`, `item_weights`) and writes variant lengths at
        // their share of the sessions' lengths: KS 0.028 and 0.027 over six hours (0.026 and 0.021 over one; 0.073 and
        // 0.056 with one length law).
        // Over six hours its across-session reuse is met too (22.97% vs 23.85%; over one hour 17.96% vs 20.56%).
        Case(path: "config/prefixes.yaml", format: .mooncake, window: 10000),
        Case(path: "Tests/Fixtures/roundtrip/bursts-diurnal.yaml", format: .azure),
        // Poisson arrivals (the source's 600 s IDC over six hours: mean 1.16 over seeds 1 to 8), and the
        // export a high draw of them, which the replayed blocks follow.
        Case(path: "Tests/Fixtures/roundtrip/strong-correlation.yaml", format: .azure, knownMisses: [
            "IDC of counts, 600 s": "1.90 vs 1.39 (+37%), the table's seeds: the fitted configuration over seeds 1 to 100 gives mean 1.49, sd 0.35 (+7% on the export, from the generator's noise read as 0.93 where Poisson gives 1), so the mean of three has a standard error of 0.20 and seeds 1 to 3 (1.91, 1.71, 2.06) are 2.0 of it above"]),
        // Strong negative correlation under history: one copula step reached -0.441 against the export's
        // -0.494 (the miss trace B showed); the second, secant step meets it.
        Case(path: "Tests/Fixtures/roundtrip/correlated-sessions.yaml", format: .mooncake),
        // Over one hour its 60 s IDC was a seed-noise miss (7.27 vs 5.56, +30.9%); over six, 6.03 vs 4.66 (+29.5%).
        Case(path: "Tests/Fixtures/roundtrip/prefixes-window.yaml", format: .mooncake, window: 12000),
        // A window and one fixed-length system prompt: the prompt KS can be met (see `prefixes` for why not there).
        Case(path: "Tests/Fixtures/roundtrip/window.yaml", format: .mooncake, window: 8000),
    ]

    /// Hours each configuration runs for its export. The 600 s IDC of these configurations is mostly
    /// noise, which needs 31 whole windows (`FitTable.fewestWindows`: twice the relative standard error
    /// of the mean of three streams' IDC, sqrt(2 / (3 (k - 1))), within the 30% tolerance) to be judged
    /// on the model rather than on the seeds; an export of six hours has 35
    /// (14% for the mean of three, 24% per stream; measured on the fitted configurations over 12 seeds,
    /// 9-24%). Over one hour, five windows gave 41% for the mean of three (37-65% measured per stream),
    /// and four of these configurations missed it by their seeds alone.
    static let hours = 6.0

    /// `hours` of `path` exported in `format`, and the fit of that export.
    static func roundTrip(_ path: String, format: TraceFormat) throws -> FitResult {
        var configuration = try Configuration.load(path: repositoryRoot.appendingPathComponent(path).path)
        configuration.workload.totalDuration = hours * 3600
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("roundtrip-\(getpid())-\((path as NSString).lastPathComponent).\(format.rawValue)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try ReplayGenerator.writeGenerated(configuration, format: format, to: try FileOutput(path: file))
        let read = try RequestSample.read(path: file, format: format, skipBadRows: false)
        return try TraceFitter.fit(read.sample, blockTokens: read.blockTokens, source: (path as NSString).lastPathComponent, format: format)
    }

    @Test(arguments: cases)
    func aConfigurationFittedBackFromItsExportMeetsTheTable(_ c: Case) throws {
        let result = try Self.roundTrip(c.path, format: c.format)
        print("\(c.path) (\(c.format.rawValue)):\n\(result.table.text)")
        let written = result.yaml.split(separator: "\n").compactMap { line in
            line.trimmingCharacters(in: .whitespaces).hasPrefix("context_window_tokens:") ? Int64(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) : nil
        }
        if let window = c.window {
            #expect(!written.isEmpty && written.allSatisfy { $0 == window }, "\(c.path): fitted windows \(written), true \(window)")
            #expect(result.yaml.contains("on_context_full: truncate") && result.yaml.contains("cut_input_to_window: true"))
        } else {
            #expect(written.isEmpty, "\(c.path): a window \(written) fitted where the export has none")
        }
        result.table.expectMet(except: c.knownMisses, label: c.path, against: "export")
    }
}
