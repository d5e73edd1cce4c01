import Foundation
import Testing

@Suite(.timeLimit(.minutes(10))) struct GenerateTests {
    @Test func sameSeedSameBytesForEveryTargetAndOtherSeedDiffers() async throws {
        let file = try temporaryFile("determinism.jsonl")
        let base = ["generate", "--config", "config/example.yaml", "--duration", "120", "--seed", "1"]
        let toFile = try await runCLI(base + ["--out", file.path])
        #expect(toFile.status == 0, "\(toFile.stderr)")
        let fileBytes = try Data(contentsOf: file)
        let toStdout = try await runCLI(base + ["--out", "-"])
        let again = try await runCLI(base)
        #expect(fileBytes.count > 10_000)
        #expect(toStdout.stdout == fileBytes)
        #expect(again.stdout == fileBytes)
        let otherSeed = try await runCLI(["generate", "--config", "config/example.yaml", "--duration", "120", "--seed", "2"])
        #expect(otherSeed.stdout != fileBytes)
    }

    @Test func statsSummarisesAStream() async throws {
        let stream = try await runCLI(["generate", "--config", "config/example.yaml", "--duration", "200", "--seed", "3"])
        let result = try await runCLI(["stats", "-"], stdin: stream.stdout)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("requests"))
        #expect(result.output.contains("interactive_chat"))
        // The new-session rate it reports is near 5/s.
        let line = result.output.split(separator: "\n").first { $0.hasPrefix("sessions") } ?? ""
        let rate = line.split(separator: "(").dropFirst().first?.split(separator: "/").first.flatMap { Double($0) } ?? 0
        #expect(abs(rate - 5) < 0.5, "\(line)")
    }

    @Test func sampleSummaryAndDraws() async throws {
        let draws = try await runCLI(["sample", "--dist", "{\"type\": \"Uniform\", \"low\": 1, \"high\": 6, \"is_int\": true}", "-n", "1000", "--seed", "4"])
        #expect(draws.status == 0)
        let values = draws.output.split(separator: "\n").compactMap { Int($0) }
        #expect(values.count == 1000)
        #expect(Set(values) == Set(1...6))
        let summary = try await runCLI(["sample", "--dist", "{type: Exponential, rate: 2}", "-n", "20000", "--summary"])
        #expect(summary.output.contains("count 20000"))
        let meanLine = summary.output.split(separator: "\n").first { $0.hasPrefix("mean") } ?? ""
        let mean = Double(meanLine.split(separator: " ").last ?? "") ?? 0
        // Mean 0.5, standard error 0.5 / sqrt(20000) = 0.0035: 4 SE.
        #expect(abs(mean - 0.5) < 0.015, "\(summary.output)")
    }
}
