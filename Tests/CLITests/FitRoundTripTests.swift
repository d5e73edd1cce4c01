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
            "KS prompt tokens": "0.093: the export mixes two profiles (chat sessions with documents, batch requests with a system prompt only) that the fit reads as sessions with and without a shared variant, and its turns truncated at the 10,000-token window start new chains, read as first turns",
            "IDC of counts, 600 s": "4.79 vs 3.18: the export is near-Poisson at 600 s; the schedule replays its minute-count noise as slow variation",
            "Spearman(prompt, output)": "0.114 vs 0.180: the correlation comes from the two profiles' outputs (written per profile now) and lengths; one copula step does not reach it"]),
        Case(path: "Tests/Fixtures/roundtrip/bursts-diurnal.yaml", format: .azure),
        Case(path: "Tests/Fixtures/roundtrip/strong-correlation.yaml", format: .azure, knownMisses: [
            "IDC of counts, 600 s": "0.78 vs 1.59: the export is a Poisson stream (IDC 1 at every window); over one hour its 600 s IDC comes from five whole windows, a relative standard error of about 70% (40% for the mean of three seeds), and 1.59 is that noise, which the denoised schedule rightly does not replay"]),
        // Strong negative correlation under history: one copula step reached -0.441 against the export's
        // -0.494 (the miss trace B showed); the second, secant step meets it.
        Case(path: "Tests/Fixtures/roundtrip/correlated-sessions.yaml", format: .mooncake, knownMisses: [
            "IDC of counts, 600 s": "3.5 vs 1.6: sessions of 2 requests on average make the source's own 600 s IDC about sum n^2 / sum n = 3; the export's 1.6 from five whole windows (relative standard error about 70%) is a low draw of it, which a model of the load does not replay"]),
        Case(path: "Tests/Fixtures/roundtrip/prefixes-window.yaml", format: .mooncake, knownMisses: [
            "KS prompt tokens": "0.059: turns truncated at the 12,000-token window start new chains (their blocks past the shared prefix are new), read as first turns at the window that the first-prompt law spreads"]),
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
