import Foundation
import Testing

/// Bad replay input through the command line: configuration problems exit
/// 78 naming the key, trace problems 65 naming file, line and column.
@Suite(.timeLimit(.minutes(10))) struct ReplayBadInputTests {
    @Test func configurationProblemsExit78() async throws {
        let yaml = """
            workload:
              replay: {file: no/such/trace.csv, format: azur, loop: true}
              kv_blocks: {block_tokens: 512}
              max_turns_per_session: 4
            """
        let config = try temporaryFile("replay-bad.yaml", contents: yaml)
        let result = try await runCLI(["generate", "-c", config.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("workload.replay.file: no such file"), "\(result.stderr)")
        #expect(result.stderr.contains("workload.replay.format: must be one of azure, mooncake, burstgpt, jsonl (got azur) (did you mean 'azure'?)"), "\(result.stderr)")
        // Keys of a generated workload are not silently unused beside a replay.
        #expect(result.stderr.contains("workload.kv_blocks: not allowed with workload.replay (the trace is the workload)"), "\(result.stderr)")
        #expect(result.stderr.contains("workload.max_turns_per_session: not allowed with workload.replay"), "\(result.stderr)")
    }

    @Test func traceProblemsExit65AndSkippedRowsAreReported() async throws {
        let trace = try temporaryFile("bad.csv", contents: "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:47.0,3x4,44\n")
        let config = try temporaryFile("replay-bad-row.yaml", contents: TraceFixtures.yaml(trace.path, "azure"))
        let result = try await runCLI(["generate", "-c", config.path, "-o", "/dev/null"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(trace.path):3:23: ContextTokens must be an integer >= 1 (got '3x4')"), "\(result.stderr)")
        let skipping = try temporaryFile("replay-skip.yaml", contents: TraceFixtures.yaml(trace.path, "azure", extra: ", skip_bad_rows: true"))
        let skipped = try await runCLI(["generate", "-c", skipping.path, "-o", "/dev/null"])
        #expect(skipped.status == 0)
        #expect(skipped.stderr.contains("skipped 1 bad rows"), "\(skipped.stderr)")
    }
}
