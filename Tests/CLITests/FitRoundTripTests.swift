import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadModel
import WorkloadTraces

/// The round trip: each example configuration (and the fixtures written for
/// bursts, diurnal load, prefixes with a context window and strong
/// correlation, alone and under sessions' history) runs one hour, is exported as a trace (Mooncake when it has
/// KV blocks, Azure otherwise), fitted back, and judged with `fit`'s own
/// table against that export. A figure listed in `knownMisses` is expected
/// to miss, for the reason given; it must still miss (so the list shrinks
/// when a fix lands) and every other figure must be met.
@Suite(.serialized, .long, .tags(.long), .timeLimit(.minutes(10))) struct FitRoundTripTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        var format: TraceFormat
        /// Figure name to the reason it is not met.
        var knownMisses: [String: String] = [:]
        var testDescription: String { (path as NSString).lastPathComponent }
    }

    static let cases: [Case] = [
        Case(path: "config/example.yaml", format: .azure),
        Case(path: "config/day-long.yaml", format: .azure),
        Case(path: "config/mixed-fleet.yaml", format: .azure),
        Case(path: "config/conversations.yaml", format: .azure),
        Case(path: "config/chat-closed.yaml", format: .azure),
        Case(path: "config/prefixes.yaml", format: .mooncake, knownMisses: [
            "KS prompt tokens": "0.129: sessions of one client that share a system prompt of several blocks are merged by the hash-chain session rule, so first prompts and turns are misread",
            "IDC of counts, 600 s": "8.17 vs 3.18: the merged sessions are few and long, and the schedule follows their smeared starts",
            "block reuse, overall": "26.4% vs 76.3%: no prefix model for per-client prompts of several blocks (the session rule merges them)"]),
        Case(path: "Tests/Fixtures/roundtrip/bursts-diurnal.yaml", format: .azure, knownMisses: [
            "IDC of counts, 600 s": "28.9 vs 52.3 (met before the denoised schedule): the denoised candidate scored best on the calibration seeds (0.166 against 0.67-0.75) and misses on the table's; with bursts the 600 s IDC of one hour moves by tens of percent from seed to seed, so choosing among candidates on three seeds follows that noise"]),
        Case(path: "Tests/Fixtures/roundtrip/strong-correlation.yaml", format: .azure, knownMisses: [
            "IDC of counts, 600 s": "0.78 vs 1.59: the export is a Poisson stream (IDC 1 at every window); over one hour its 600 s IDC comes from five whole windows, a relative standard error of about 70% (40% for the mean of three seeds), and 1.59 is that noise, which the denoised schedule rightly does not replay"]),
        // Strong negative correlation under history: one copula step reached -0.441 against the export's
        // -0.494 (the miss trace B showed); the second, secant step meets it.
        Case(path: "Tests/Fixtures/roundtrip/correlated-sessions.yaml", format: .mooncake, knownMisses: [
            "IDC of counts, 600 s": "3.5 vs 1.6: sessions of 2 requests on average make the source's own 600 s IDC about sum n^2 / sum n = 3; the export's 1.6 from five whole windows (relative standard error about 70%) is a low draw of it, which a model of the load does not replay"]),
        Case(path: "Tests/Fixtures/roundtrip/prefixes-window.yaml", format: .mooncake, knownMisses: [
            "request rate (/s)": "6.96 vs 7.22 (-3.7%, met before the denoised schedule): not investigated yet",
            "KS prompt tokens": "0.281: fit has no context window (prompts pile at the maximum) and merges sessions sharing a long system prompt",
            "IDC of counts, 600 s": "15.7 vs 4.93: the merged sessions are few and long, and the schedule follows their smeared starts",
            "lag-1 autocorr. of minute counts": "0.379 vs 0.108: as IDC 600 s",
            "block reuse, overall": "51.5% vs 83.8%: no prefix model for mostly-shared blocks, no context window"]),
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
