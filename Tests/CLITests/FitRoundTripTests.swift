import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadModel
import WorkloadTraces

/// The round trip: each example configuration (and the fixtures written for
/// bursts, diurnal load, prefixes with a context window, a context window behind one fixed system prompt, and
/// strong correlation, alone and under sessions' history) runs `hours` hours (`strong-correlation` a day), is exported as a trace (Mooncake when
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
        /// Hours the configuration runs for its export (`hours` unless its 600 s IDC needs more windows).
        var hours = FitRoundTripTests.hours
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
        // Poisson arrivals: its 600 s IDC is noise alone, read at 24% per stream over six hours (its fitted
        // configuration over seeds 1 to 200: mean 1.461, sd 0.353, against its export's 1.385), so the mean of
        // three seeds is 14% and twice that nearly the whole tolerance; the table's seeds drew 2.1 of it
        // above (1.90). A day gives 143 windows: 6.9%, the tolerance 4.4 of it.
        Case(path: "Tests/Fixtures/roundtrip/strong-correlation.yaml", format: .azure, hours: 24),
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
    /// and four of these configurations missed it by their seeds alone. Twice the standard error meets a
    /// model whose expected figure is the export's 19 times in 20, so across eleven configurations one
    /// may miss on its seeds: `strong-correlation` (Poisson, its 600 s IDC noise alone, and cheap) runs a
    /// day, where the tolerance is 4.4 standard errors (about 30 s more); a day of every configuration would take
    /// about four times the round trip's six or seven minutes.
    static let hours = 6.0

    /// `hours` of `path` exported in `format`, and the fit of that export.
    static func roundTrip(_ path: String, format: TraceFormat, hours: Double = FitRoundTripTests.hours) throws -> FitResult {
        var configuration = try Configuration.load(path: repositoryRoot.appendingPathComponent(path).path)
        configuration.workload.totalDuration = hours * 3600
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("roundtrip-\(getpid())-\((path as NSString).lastPathComponent).\(format.rawValue)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try ReplayGenerator.writeGenerated(configuration, format: format, to: try FileOutput(path: file))
        let read = try RequestSample.read(path: file, format: format, skipBadRows: false)
        return try TraceFitter.fit(read.sample, blockTokens: read.blockTokens, source: (path as NSString).lastPathComponent, format: format)
    }

    /// Within the span the fit replays the export's 600 s blocks less the generator's own noise, so the
    /// fitted configuration's expected 600 s IDC is its export's. Held on `strong-correlation` over six
    /// hours (Poisson, the export a high draw: 1.385): the mean over `runs` seeds must be within three
    /// standard errors of it, the seeds' and that of the noise the fit read (about 1, from one flat-schedule
    /// stream per calibration seed: sqrt(2 / (streams (k - 1))); overlapping windows do a little better,
    /// 11% measured). The fit is deterministic, so its noise read is one draw: 0.934 here, and over 200 seeds
    /// the fitted configuration gives 1.461 (sd 0.353), 1 - 0.934 over the export as the blocks' identity
    /// says; read from twelve streams (0.989), 1.407 (sd 0.342). It fails where the blocks are replayed whole
    /// (about 2.4).
    static let runs = 60

    @Test func theFittedConfigurationsSixHundredSecondIDCIsItsExportsOnAverage() throws {
        let result = try Self.roundTrip("Tests/Fixtures/roundtrip/strong-correlation.yaml", format: .azure)
        let spec = try Configuration.parse(yaml: result.yaml, source: "<fitted>").workload
        let values = (1...Self.runs).map { seed in
            var seeded = spec
            seeded.seed = UInt64(seed)
            return FitFigures(RequestSample.generate(seeded, span: result.real.span)).idc600
        }
        let n = Double(values.count), mean = values.reduce(0, +) / n
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let noise = (2 / (Double(TraceFitter.calibrationSeeds.count) * Double(result.real.windows600 - 1))).squareRoot()
        let tolerance = 3 * (sd * sd / n + noise * noise).squareRoot()
        print(String(format: "strong-correlation, six hours: export 600 s IDC %.3f, fitted over %d seeds %.3f (sd %.3f), tolerance %.3f",
                     result.real.idc600, values.count, mean, sd, tolerance))
        #expect(abs(mean - result.real.idc600) <= tolerance, "expected 600 s IDC \(mean) against the export's \(result.real.idc600), tolerance \(tolerance)")
    }

    @Test(arguments: cases)
    func aConfigurationFittedBackFromItsExportMeetsTheTable(_ c: Case) throws {
        let result = try Self.roundTrip(c.path, format: c.format, hours: c.hours)
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
