import Foundation
import Testing
import WorkloadConfig
import WorkloadModel
import WorkloadTraces

/// `fit` reads BurstGPT's `Model` column into the profile's `models`, with
/// each model's share of the trace's requests as its weight.
@Suite struct FitModelsTests {
    @Test(.timeLimit(.minutes(10)))
    func burstGPTModelColumnBecomesModels() async throws {
        var rows = ["Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type"]
        var time = 0.0
        for i in 0..<400 {
            // A deterministic spread of gaps and lengths; three of four requests go to ChatGPT.
            time += 0.05 + Double((i * 37) % 100) / 200
            let prompt = 100 + (i * 53) % 400, output = 20 + (i * 29) % 300
            rows.append("\(time),\(i % 4 == 3 ? "GPT-4" : "ChatGPT"),\(prompt),\(output),\(prompt + output),Conversation log")
        }
        let trace = try temporaryFile("burstgpt-models.csv", contents: rows.joined(separator: "\n") + "\n")
        let config = try temporaryFile("burstgpt-models.yaml")
        let fit = try await runCLI(["fit", trace.path, "--format", "burstgpt", "--out", config.path])
        #expect(fit.status == 0, "\(fit.stderr)")
        let text = try String(contentsOf: config, encoding: .utf8)
        #expect(text.contains("models: [{name: \"ChatGPT\", weight: 0.75}, {name: \"GPT-4\", weight: 0.25}]"), "\(text)")
        let spec = try Configuration.load(path: config.path).workload
        #expect(spec.profiles[0].tags.models == [WeightedName(name: "ChatGPT", weight: 0.75), WeightedName(name: "GPT-4", weight: 0.25)])
    }

    /// Exports keep the model: BurstGPT's Model column carries it ("replay" without models).
    @Test func burstGPTExportCarriesTheModel() async throws {
        let config = try temporaryFile("export-models.yaml", contents: """
            workload:
              total_duration: 60
              random_seed: 3
              client_profiles:
                - profile_name: chat
                  inter_arrival_time_dist_config: {type: Exponential, rate: 5.0}
                  prompt_tokens_dist_config: {type: Constant, value: 100}
                  max_output_tokens_dist_config: {type: Constant, value: 50}
                  conversational_probability: 0
                  streaming_response_probability: 0.5
                  models: [{name: big, weight: 0.8}, {name: small, weight: 0.2}]
            """)
        let export = try await runCLI(["generate", "--config", config.path, "--format", "burstgpt"])
        #expect(export.status == 0, "\(export.stderr)")
        let rows = String(decoding: export.stdout, as: UTF8.self).split(separator: "\n").dropFirst()
        let big = rows.filter { $0.contains(",big,") }.count, small = rows.filter { $0.contains(",small,") }.count
        #expect(big + small == rows.count && big > 0 && small > 0, "\(big) big, \(small) small of \(rows.count)")
    }
}
