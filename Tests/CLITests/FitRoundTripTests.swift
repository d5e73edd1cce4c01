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
        // Over one hour a 600 s IDC comes from five whole windows: relative standard error about
        // sqrt(2 / 4) = 70% per stream. The schedule replays the export's 600 s block levels, less the
        // generator's own noise (`BlockReplay`), so its expected 600 s IDC is the export's; the rows
        // below marked "seed noise" give the fitted configuration's figure over seeds 1 to 12.
        Case(path: "config/chat-closed.yaml", format: .azure),
        Case(path: "config/prefixes.yaml", format: .mooncake, knownMisses: [
            "KS prompt tokens": "0.100: the export mixes two profiles (chat sessions with documents, batch requests with a system prompt only) that the fit reads as sessions with and without a shared variant, and its turns truncated at the 10,000-token window start new chains, read as first turns",
            "IDC of counts, 600 s": "4.61 vs 3.18 (+45.1%), seed noise: seeds 1 to 12 give 1.30 to 7.82, mean 4.31, sd 2.53 (59% per seed, 34% for a mean of three); the expected noise (1.75) under-reads the sessions' own 600 s clustering"]),
        Case(path: "Tests/Fixtures/roundtrip/bursts-diurnal.yaml", format: .azure, knownMisses: [
            "IDC of counts, 600 s": "34.3 vs 52.3 (-34.4%), seed noise: seeds 1 to 12 give 23.4 to 87.7, mean 47.0, sd 17.5 (37% per seed, 21% for a mean of three)"]),
        Case(path: "Tests/Fixtures/roundtrip/strong-correlation.yaml", format: .azure),
        // Strong negative correlation under history: one copula step reached -0.441 against the export's
        // -0.494 (the miss trace B showed); the second, secant step meets it.
        Case(path: "Tests/Fixtures/roundtrip/correlated-sessions.yaml", format: .mooncake, knownMisses: [
            "IDC of counts, 600 s": "2.93 vs 1.62: sessions make the source's own 600 s IDC about sum n^2 / sum n = 3, and the export's 1.62 is a low draw of it (five windows); below the generator's own noise no schedule reaches it (the blocks keep none of the export's deviations): seeds 1 to 12 give mean 4.16, sd 2.45"]),
        Case(path: "Tests/Fixtures/roundtrip/prefixes-window.yaml", format: .mooncake, knownMisses: [
            "KS prompt tokens": "0.068: turns truncated at the 12,000-token window start new chains (their blocks past the shared prefix are new), read as first turns at the window that the first-prompt law spreads",
            "IDC of counts, 600 s": "8.03 vs 4.93 (+62.8%), seed noise: seeds 1 to 12 give 1.08 to 12.15, mean 5.01 (the export's figure), sd 3.18 (63% per seed); seeds 1 to 3 give 5.19, 6.82, 12.15"]),
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
