import Foundation
import Testing

/// `run` on a `workload.replay` configuration through the command line: it
/// writes what `generate` writes, and reads the trace at start-up as
/// `validate` does (a bad row exits 65 before anything is published).
@Suite(.timeLimit(.minutes(10))) struct ReplayRunCommandTests {
    static func config(_ name: String, _ trace: String, _ format: String) throws -> URL {
        try temporaryFile(name, contents: TraceFixtures.yaml(trace, format) + "\nclock: {start: \"2026-01-01T00:00:00Z\"}\n")
    }

    @Test func runWritesWhatGenerateWrites() async throws {
        let config = try Self.config("replay-run.yaml", TraceFixtures.mooncake, "mooncake")
        let generated = try await runCLI(["generate", "-c", config.path])
        #expect(generated.status == 0, "\(generated.stderr)")
        let out = try temporaryFile("replay-run.jsonl")
        let run = try await runCLI(["run", "-c", config.path, "--mode", "accelerated", "--speed", "max",
                              "--sink", "file:\(out.path)", "--metrics-listen", ""])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Data(contentsOf: out) == generated.stdout, "run and generate write the same bytes")
    }

    @Test func theReplayExampleValidates() async throws {
        let result = try await runCLI(["validate", "-c", "config/replay.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("trace: 400 rows over"), "\(result.output)")
    }

    @Test func badTraceRowExits65AtStartUpLikeValidate() async throws {
        let trace = try temporaryFile("run-bad.csv", contents: "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:47.0,3x4,44\n")
        let config = try Self.config("replay-run-bad.yaml", trace.path, "azure")
        let message = "\(trace.path):3:23: ContextTokens must be an integer >= 1 (got '3x4')"
        let validate = try await runCLI(["validate", "-c", config.path])
        #expect(validate.status == 65 && validate.stderr.contains(message), "\(validate.stderr)")
        let out = try temporaryFile("replay-run-bad.jsonl")
        try? FileManager.default.removeItem(at: out)
        let run = try await runCLI(["run", "-c", config.path, "--speed", "max", "--sink", "file:\(out.path)", "--metrics-listen", ""])
        #expect(run.status == 65 && run.stderr.contains(message), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing was opened or published")
    }

    /// A replay has no engine to checkpoint: a state directory is ignored with a warning, and nothing is written to it.
    @Test func aReplayIgnoresTheStateDirectory() async throws {
        let config = try Self.config("replay-run-state.yaml", TraceFixtures.mooncake, "mooncake")
        let state = try temporaryFile("replay-run-state")
        try? FileManager.default.removeItem(at: state)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let run = try await runCLI(["run", "-c", config.path, "--embedded-kafka", "--speed", "max",
                              "--state-dir", state.path, "--metrics-listen", ""])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("the state directory is ignored: a replay (workload.replay) is not resumable"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state.path).isEmpty, "no run record, no checkpoint")
    }

    @Test func loopOverAZeroSpanTraceIsRefusedByValidateAndRun() async throws {
        let trace = try temporaryFile("run-flat.csv", contents: "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:46.6805900,12,4\n")
        let config = try temporaryFile("replay-run-flat.yaml", contents: TraceFixtures.yaml(trace.path, "azure", extra: ", loop: true"))
        let validate = try await runCLI(["validate", "-c", config.path])
        #expect(validate.status == 65 && validate.stderr.contains("loop: true needs a trace spanning more than 0 s"), "\(validate.stderr)")
        let run = try await runCLI(["run", "-c", config.path, "--speed", "max", "--sink", "null", "--metrics-listen", ""])
        #expect(run.status == 65 && run.stderr.contains("loop: true needs a trace spanning more than 0 s"), "\(run.stderr)")
    }
}
