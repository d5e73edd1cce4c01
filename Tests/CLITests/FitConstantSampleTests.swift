import Foundation
import Testing

/// A trace whose follow-up gaps are all the same 5 s (the example's Constant follow-up):
/// the Gamma candidate's shape is astronomically large, which made each of its CDF
/// evaluations millions of series terms and `fit` run for minutes.
@Suite(.timeLimit(.minutes(10)))
struct FitConstantSampleTests {
    @Test("fit on a 900-request BurstGPT export of config/example.yaml finishes and writes a configuration that validates")
    func nearlyConstantFollowUpGaps() async throws {
        let trace = try temporaryFile("example-900.csv").path
        let config = try temporaryFile("example-900-fit.yaml").path
        let export = try await runMeasured(["generate", "--config", repositoryRoot.appendingPathComponent("config/example.yaml").path, "--requests", "900",
                                      "--format", "burstgpt", "--out", trace], timeout: 60)
        #expect(export.status == 0, "\(export.stderr)")
        // The bound is generous (a debug build on a busy machine): it only catches the old minutes-long search.
        let fit = try await runMeasured(["fit", trace, "--format", "burstgpt", "--out", config], timeout: 100)
        print("fit of 900 requests with constant follow-up gaps: exit \(fit.status) after \(fit.wallSeconds) s")
        #expect(!fit.timedOut, "fit did not finish")
        #expect(fit.status == 0, "\(fit.stderr)")
        let written = try String(contentsOfFile: config, encoding: .utf8)
        #expect(written.contains("follow_up_inter_arrival_time_dist_config"), "\(written)")
        let validate = try await runMeasured(["validate", "--config", config], timeout: 60)
        #expect(validate.status == 0, "\(validate.stderr)")
    }
}
