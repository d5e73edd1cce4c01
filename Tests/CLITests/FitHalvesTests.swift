import Foundation
import Testing
import TestSupport
import WorkloadConfig
import WorkloadTraces

/// A fit that is not tuned to one file: the first and the second half of the
/// rows of each sample trace, each fitted on its own and judged with `fit`'s
/// table against that half. A figure listed in `knownMisses` is expected to
/// miss, for the reason given; it must still miss (so the list shrinks when a
/// fix lands) and every other figure must be met.
@Suite(.serialized, .long, .tags(.long), .timeLimit(.minutes(10))) struct FitHalvesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var format: TraceFormat
        /// 0: the first half of the rows, 1: the second.
        var half: Int
        /// Figure name to the reason it is not met.
        var knownMisses: [String: String] = [:]
        var testDescription: String { "\(name) \(half == 0 ? "first" : "second") half" }
    }

    // Over half an hour a 600 s IDC comes from two or three whole windows: where their variance is noise
    // its relative standard error is about sqrt(2 / (k - 1)) = 100-140% per stream, so a mean of three
    // seeds is off by more than 30% about half the time; the table judges it and says so under it.
    static let cases: [Case] = [
        // Its lag-1 missed (-0.083 vs 0.165) while the generator's 600 s noise read 19% low over an hour
        // (more over half of one) and the replayed blocks kept too much of the half's deviations: 0.140 since.
        Case(name: "mooncake_conversation_trace.jsonl", format: .mooncake, half: 0),
        Case(name: "mooncake_conversation_trace.jsonl", format: .mooncake, half: 1, knownMisses: [
            "IDC of counts, 600 s": "0.37 vs 1.48 from two 600 s windows, below the generator's own 600 s noise from sessions (about 2 over an hour): no schedule reaches it; 11.3 and 1.81 with other session readings",
            "lag-1 autocorr. of minute counts": "-0.068 vs -0.423: the half's minute counts alternate, as admission control makes, which an open-loop generator cannot make"]),
        Case(name: "AzureLLMInferenceTrace_conv.csv", format: .azure, half: 0, knownMisses: [
            "IDC of counts, 600 s": "20.9 vs 10.5 from two 600 s windows (relative standard error about 140% per stream where the variance is noise); the second half's two windows give 122.8 vs 139.5, met"]),
        Case(name: "AzureLLMInferenceTrace_conv.csv", format: .azure, half: 1),
    ]

    /// The rows of one half of `path` (a CSV keeps its header line) written to a temporary file.
    static func halfFile(_ path: String, half: Int, format: TraceFormat) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // The Azure file ends its lines with CR LF, one Character in Swift.
        var lines = text.split(whereSeparator: \.isNewline)
        let header = format == .azure ? [lines.removeFirst()] : []
        let middle = lines.count / 2
        let rows = half == 0 ? lines[..<middle] : lines[middle...]
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("half\(half)-\(getpid())-\((path as NSString).lastPathComponent)").path
        try (header + rows).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test(arguments: cases)
    func eachHalfOfASampleTraceFittedAloneMeetsTheTable(_ c: Case) throws {
        guard let path = TraceFixtures.existing(c.name) else { return }  // ../shared/traces is not beside the clone
        let file = try Self.halfFile(path, half: c.half, format: c.format)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let read = try RequestSample.read(path: file, format: c.format, skipBadRows: false)
        let result = try TraceFitter.fit(read.sample, blockTokens: read.blockTokens, source: c.testDescription, format: c.format)
        print("\(c.testDescription) (\(read.sample.count) rows):\n\(result.table.text)")
        #expect(result.table.row("IDC of counts, 600 s")?.caution != nil, "three 600 s windows carry the caution")
        result.table.expectMet(except: c.knownMisses, label: c.testDescription, against: "half")
    }
}
