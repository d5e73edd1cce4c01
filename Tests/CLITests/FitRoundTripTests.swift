import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadModel
import WorkloadTraces

/// The round trip: each example configuration (and the fixtures written for
/// bursts, diurnal load, prefixes with a context window, a context window behind one fixed system prompt, and
/// strong correlation, alone and under sessions' history) runs one hour, is exported as a trace (Mooncake when it has
/// KV blocks, Azure otherwise), fitted back, and judged with `fit`'s own
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
        // Over one hour a 600 s IDC comes from five whole windows: relative standard error about
        // sqrt(2 / 4) = 70% per stream. The schedule replays the export's 600 s block levels, less the
        // generator's own noise (`BlockReplay`), so its expected 600 s IDC is the export's; the rows
        // below marked "seed noise" give the fitted configuration's figure over seeds 1 to 12.
        Case(path: "config/chat-closed.yaml", format: .azure),
        // The prompts of `prefixes` and `prefixes-window` hang on the lengths one seed draws for a few popular
        // pool items: each configuration run with seeds 1, 2, 3 misses its own export's prompts by KS 0.105,
        // 0.085, 0.054 (`prefixes`) and 0.053, 0.174, 0.171 (`prefixes-window`). The fit lists the families it
        // sees with their lengths and sessions (`item_tokens`, `item_weights`) and writes variant lengths at
        // their share of the sessions' lengths: KS 0.026 and 0.021 (0.073 and 0.056 with one length law).
        Case(path: "config/prefixes.yaml", format: .mooncake, window: 10000, knownMisses: [
            "block reuse, across sessions": "17.96% vs 20.56%: the export's true sessions share 16.5% across and the chain rule reads 18.0% (later turns 59.4% against their true 61.0%; before first turns inside a shared document were followed, 26.8% and 49.5%, and 28.8% generated); the fitted pools draw shared items for more sessions than that",
            "IDC of counts, 600 s": "6.50 vs 3.18, seed noise: the export is a low draw of its source (config/prefixes.yaml over seeds 1 to 36: 0.61 to 13.7, mean 4.32, sd 3.31); met (3.37) on other draws of the fitted configuration's streams"]),
        Case(path: "Tests/Fixtures/roundtrip/bursts-diurnal.yaml", format: .azure, knownMisses: [
            "IDC of counts, 600 s": "34.3 vs 52.3 (-34.4%), seed noise: seeds 1 to 12 give 23.4 to 87.7, mean 47.0, sd 17.5 (37% per seed, 21% for a mean of three)"]),
        Case(path: "Tests/Fixtures/roundtrip/strong-correlation.yaml", format: .azure),
        // Strong negative correlation under history: one copula step reached -0.441 against the export's
        // -0.494 (the miss trace B showed); the second, secant step meets it.
        Case(path: "Tests/Fixtures/roundtrip/correlated-sessions.yaml", format: .mooncake, knownMisses: [
            "IDC of counts, 600 s": "2.93 vs 1.62: sessions make the source's own 600 s IDC about sum n^2 / sum n = 3, and the export's 1.62 is a low draw of it (five windows); below the generator's own noise no schedule reaches it (the blocks keep none of the export's deviations): seeds 1 to 12 give mean 4.16, sd 2.45"]),
        Case(path: "Tests/Fixtures/roundtrip/prefixes-window.yaml", format: .mooncake, window: 12000, knownMisses: [
            "IDC of counts, 60 s": "7.27 vs 5.56 (+30.9%; +29.5% before families were listed), seed noise: seeds 1 to 12 of the fitted configuration give 4.6 to 8.0, mean 6.51, sd 1.18 (+18.6% on the export's 5.49 counted the same way); before, mean 6.24, sd 0.98",
            "IDC of counts, 600 s": "11.1 vs 4.93 (12.8 before families were listed), seed noise: seeds 1 to 12 give 3.0 to 11.4, mean 7.18, sd 2.53 (counted on the Mooncake export's ms timestamps); seeds 1 to 3 give 8.0, 11.2, 7.9"]),
        // A window and one fixed-length system prompt: the prompt KS can be met (see `prefixes` for why not there).
        Case(path: "Tests/Fixtures/roundtrip/window.yaml", format: .mooncake, window: 8000),
    ]

    /// One hour of `path` exported in `format`, and the fit of that export.
    static func roundTrip(_ path: String, format: TraceFormat) throws -> FitResult {
        var configuration = try Configuration.load(path: repositoryRoot.appendingPathComponent(path).path)
        configuration.workload.totalDuration = 3600
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
        for row in result.table.rows where !row.informational {
            if let reason = c.knownMisses[row.figure] {
                #expect(!row.met, "\(c.path): \(row.figure) is now met (\(row.difference) <= \(row.tolerance)); drop it from the known misses (\(reason))")
            } else {
                #expect(row.met, "\(c.path): \(row.figure): export \(row.real), generated \(row.generated), difference \(row.difference) > \(row.tolerance)")
            }
        }
        #expect(Set(c.knownMisses.keys).isSubset(of: Set(result.table.rows.map(\.figure))), "known misses name the table's figures")
    }
}
