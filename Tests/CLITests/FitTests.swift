import Foundation
import Synchronization
import Testing
import TestSupport
import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces

/// `llm-workload fit`: the fitted
/// configuration reproduces each sample trace within `FitTable`'s tolerances,
/// loads through `validate`, and its HTML report renders in headless Chromium.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FitTests {
    static func fit(_ path: String, _ format: TraceFormat) throws -> FitResult {
        try SampleFits.fit(path, format)
    }

    /// Every row of the table within its tolerance (the figures are the
    /// trace against the mean of seeds 1, 2, 3).
    static func expectMet(_ result: FitResult) {
        print(result.table.text)
        for row in result.table.rows where !row.informational {
            #expect(row.met, "\(row.figure): trace \(row.real), generated \(row.generated), difference \(row.difference) > \(row.tolerance)")
        }
    }

    @Test(.enabled(if: TraceFixtures.fullAzure != nil, "../shared/traces is not beside the clone"))
    func azureSampleIsReproduced() throws {
        let result = try Self.fit(TraceFixtures.fullAzure!, .azure)
        #expect(result.table.rows.count == 8)
        // No sessions, no hash_ids: one profile, no prefixes, no smear correction.
        #expect(!result.yaml.contains("profile_name: documents") && !result.yaml.contains("prefix_pools") && !result.yaml.contains("smear"))
        Self.expectMet(result)
    }

    @Test(.enabled(if: TraceFixtures.fullMooncake != nil, "../shared/traces is not beside the clone"))
    func mooncakeSampleIsReproduced() throws {
        let result = try Self.fit(TraceFixtures.fullMooncake!, .mooncake)
        #expect(result.table.row("block reuse, overall") != nil && result.table.row("share of later turns") != nil)
        #expect(result.yaml.contains("kv_blocks: {block_tokens: 512}"))
        #expect(result.yaml.contains("warm_start: true"))
        // Sessions that start from another session's content: a profile of
        // their own carrying a `documents` pool; the schedule corrected for
        // later turns' smearing.
        #expect(result.yaml.contains("- profile_name: documents") && result.yaml.contains("{name: documents, items: "))
        #expect(result.yaml.contains("prefixes: [{pool: system, per: session}, {pool: documents, per: session}]"))
        #expect(result.yaml.contains("Times a correction for later turns"))
        // Later turns add less the deeper they are: new input by turn.
        #expect(result.yaml.contains("follow_up_input_scale_by_turn: ["))
        Self.expectMet(result)
    }

    @Test func fittedConfigurationValidatesAndReportRendersInChromium() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("fitted.yaml").path
        let report = directory.appendingPathComponent("report.html").path
        let fit = try await runCLI(["fit", TraceFixtures.mooncake, "--format", "mooncake", "--out", config, "--report", report])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.output.contains("goodness of fit") && fit.output.contains("KS prompt tokens"))
        let validate = try await runCLI(["validate", "--config", config])
        #expect(validate.status == 0, "\(validate.stderr)")

        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("Block reuse by position") && html.contains("Requests per minute"))
        // Self-contained: no scripts, no external resources.
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=") && !html.contains("@import"))

        // The screenshot needs chromium, which the README's setup line does not install.
        guard ExternalTool.chromium.shouldRun else {
            print("FitTests: the report's screenshot is skipped: \(ExternalTool.chromium.skipReason)")
            return
        }
        let chromium = try ExternalTool.chromium.require()
        let png = directory.appendingPathComponent("report.png").path
        let shot = try await runProcess(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                             "--user-data-dir=\(directory.path)/profile", "--window-size=1200,1800",
                                             "--screenshot=\(png)", "file://\(report)"], timeout: 120)
        #expect(shot.status == 0, "\(shot.stderr.suffix(1000))")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        // PNG signature, then IHDR: width and height big-endian at bytes 16 and 20.
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(word(16) == 1200 && word(20) == 1800)
        // A blank page compresses to a few KB; six charts and a table do not.
        #expect(bytes.count > 40_000, "screenshot is only \(bytes.count) bytes: blank?")
    }

    @Test func badInputExitsWithItsStatus() async throws {
        let missing = try await runCLI(["fit", "/nonexistent/trace.csv", "--format", "azure", "--out", "/tmp/never.yaml"])
        #expect(missing.status == 65 && missing.stderr.contains("no such file"))
        let format = try await runCLI(["fit", TraceFixtures.azure, "--format", "parquet", "--out", "/tmp/never.yaml"])
        #expect(format.status == 64)
        let wrong = try await runCLI(["fit", TraceFixtures.azure, "--format", "mooncake", "--out", "/tmp/never.yaml"])
        #expect(wrong.status == 65)
    }
}

/// Each sample trace fitted once per test process (a debug-build fit of the
/// Mooncake sample takes minutes): `FitTests` and `FitBeyondSpanTests` judge the same fit.
enum SampleFits {
    static let cache = Mutex<[String: FitResult]>([:])

    static func fit(_ path: String, _ format: TraceFormat) throws -> FitResult {
        if let done = cache.withLock({ $0[path] }) { return done }
        let read = try RequestSample.read(path: path, format: format, skipBadRows: false)
        let result = try TraceFitter.fit(read.sample, blockTokens: read.blockTokens, source: (path as NSString).lastPathComponent, format: format)
        cache.withLock { $0[path] = result }
        return result
    }
}
