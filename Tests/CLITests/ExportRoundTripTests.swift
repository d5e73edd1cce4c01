import Foundation
import Testing
import WorkloadDaemon
import WorkloadModel
import WorkloadConfig

/// What `generate --format` writes replays to the same
/// times, tokens and hash_ids.
@Suite(.timeLimit(.minutes(10))) struct ExportRoundTripTests {
    static let profileConfig = """
        workload:
          total_duration: 120
          random_seed: 3
          client_profiles:
            - profile_name: chat
              inter_arrival_time_dist_config: {type: Exponential, rate: 5.0}
              prompt_tokens_dist_config: {type: LogNormal, mean: 600, sigma: 400, is_int: true}
              max_output_tokens_dist_config: {type: Uniform, low: 10, high: 500, is_int: true}
              conversational_probability: 0.5
              streaming_response_probability: 1.0
        """

    @Test func mooncakeExportOfAReplayReplaysToTheSameRows() async throws {
        let original = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(TraceFixtures.mooncake, "mooncake")))
        let exported = try temporaryFile("export.mooncake.jsonl")
        let config = try temporaryFile("export-mooncake.yaml", contents: TraceFixtures.yaml(TraceFixtures.mooncake, "mooncake"))
        let result = try await runCLI(["generate", "-c", config.path, "--format", "mooncake", "-o", exported.path])
        #expect(result.status == 0, "\(result.stderr)")
        let again = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(exported.path, "mooncake")))
        #expect(again.count == original.count)
        for ((a, aIDs), (b, bIDs)) in zip(original, again) {
            #expect(a.time / 1_000_000 == b.time / 1_000_000)
            #expect(a.promptTokens == b.promptTokens && a.outputTokens == b.outputTokens && aIDs == bIDs)
            #expect(a.turn == b.turn)
        }
    }

    @Test func azureExportOfAGeneratedStreamReplaysToTheSameTimesAndTokens() async throws {
        let configuration = try Configuration.parse(yaml: Self.profileConfig)
        var engine = WorkloadEngine(spec: configuration.workload)
        var original: [RequestEvent] = []
        while let event = engine.next() { if case .request(let r) = event { original.append(r) } }
        let exported = try temporaryFile("export.azure.csv")
        let config = try temporaryFile("export-azure.yaml", contents: Self.profileConfig)
        let result = try await runCLI(["generate", "-c", config.path, "--format", "azure", "-o", exported.path])
        #expect(result.status == 0, "\(result.stderr)")
        let again = TraceFixtures.requests(try TraceFixtures.events(TraceFixtures.yaml(exported.path, "azure")))
        #expect(again.count == original.count && original.count > 400)
        let first = original[0].time
        for (a, (b, _)) in zip(original, again) {
            // Azure keeps 100 ns digits: each time is rounded to them.
            #expect(abs((a.time - first) - b.time) <= 100)
            #expect(a.promptTokens == b.promptTokens && a.outputTokens == b.outputTokens)
        }
    }

    @Test func mooncakeExportWithoutHashIDsIsAUsageError() async throws {
        let config = try temporaryFile("export-nohash.yaml", contents: Self.profileConfig)
        let result = try await runCLI(["generate", "-c", config.path, "--format", "mooncake", "-o", "/dev/null"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--format mooncake needs hash_ids"), "\(result.stderr)")
    }

    @Test func convertKeepsAzureAndMooncakeRowsByteForByte() async throws {
        for (path, format, name) in [(TraceFixtures.azure, "azure", "conv.csv"), (TraceFixtures.mooncake, "mooncake", "conv.jsonl")] {
            let out = try temporaryFile("converted-" + name)
            let result = try await runCLI(["convert", "--from", format, "--to", format, path, out.path])
            #expect(result.status == 0, "\(result.stderr)")
            let original = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\r\n", with: "\n")
            let converted = try String(contentsOf: out, encoding: .utf8)
            #expect(converted == original || converted == original + "\n")
        }
    }
}
