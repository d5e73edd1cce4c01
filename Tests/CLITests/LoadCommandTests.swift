import Foundation
import Testing

/// `load` through the command line: bad `load` input exits 78 with key path
/// and value; a `load` stream is deterministic; `stats` prints windowed rates.
@Suite(.timeLimit(.minutes(10))) struct LoadCommandTests {
    static func example(replacing old: String, with new: String) throws -> String {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/day-long.yaml"), encoding: .utf8)
        #expect(text.contains(old))
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test func badLoadExits78NamingKeyPathAndValue() async throws {
        let cases: [(String, String, String, String)] = [
            ("peak", "peak_to_trough: 2.0", "peak_to_trough: 0.5", "workload.load.diurnal.peak_to_trough: must be between 1 and 1000000 (got 0.5)"),
            ("states", "        - {multiplier: 2.0, mean_duration_s: 60}\n", "", "workload.load.bursts.states: an MMPP needs at least two states (got 1)"),
            ("ramp", "ramp_s: 300", "ramp_s: 1000", "workload.load.spikes[0].ramp_s: both ramps must fit in duration_s = 1800 (got 1000)"),
        ]
        for (name, old, new, message) in cases {
            let file = try temporaryFile("bad-load-\(name).yaml", contents: try Self.example(replacing: old, with: new))
            for command in [["validate", "--config", file.path], ["generate", "--config", file.path, "--out", "/dev/null"]] {
                let result = try await runCLI(command)
                #expect(result.status == 78, "\(name) \(command[0]): status \(result.status), \(result.stderr)")
                #expect(result.stderr.contains(message), "\(result.stderr)")
            }
        }
    }

    @Test func dayLongStreamIsDeterministic() async throws {
        let base = ["generate", "--config", "config/day-long.yaml", "--duration", "600", "--seed", "5"]
        let first = try await runCLI(base)
        let again = try await runCLI(base)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.count > 100_000)
        #expect(first.stdout == again.stdout)
        let text = String(decoding: first.stdout, as: UTF8.self)
        #expect(text.hasPrefix("{\"type\":\"session_started\""))
        #expect(text.contains("\"began_before_run\":true,\"began_at_s\":-"))
    }

    /// The figures of one stats row ("  all sessions: 1 s: 5.01/s CV ... | 60 s: ...") for a window.
    static func figures(_ output: String, row: String, window: String) -> [String: Double] {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("  \(row):") }),
              let cell = line.split(separator: "|").first(where: { $0.contains(" \(window): ") || $0.hasSuffix(": \(window)") || $0.contains(": \(window):") })
        else { return [:] }
        let words = cell.split(separator: " ").map(String.init)
        var result: [String: Double] = [:]
        for (index, word) in words.enumerated() where index + 1 < words.count {
            if ["CV", "peak", "IDC", "lag1"].contains(word) { result[word] = Double(words[index + 1]) }
            if word.hasSuffix("/s") { result["rate"] = Double(word.dropLast(2)) }
        }
        return result
    }

    @Test func statsPrintsWindowedRatesThatFitAPoissonStream() async throws {
        // The example without load: sessions are Poisson at 5/s, so over 1 s
        // windows the IDC is 1 (SE sqrt(2/n) = 0.041 for n = 1200) and the
        // lag-1 autocorrelation 0 (SE 1/sqrt(n) = 0.029).
        let stream = try await runCLI(["generate", "--config", "config/example.yaml", "--duration", "1200", "--seed", "3"])
        let result = try await runCLI(["stats", "-"], stdin: stream.stdout)
        #expect(result.status == 0, "\(result.stderr)")
        let sessions = Self.figures(result.output, row: "all sessions", window: "1 s")
        #expect(abs((sessions["rate"] ?? 0) - 5) < 4 * (5.0 / 1200).squareRoot(), "\(result.output)")
        #expect(abs((sessions["IDC"] ?? 0) - 1) < 4 * 0.041, "\(sessions)")
        #expect(abs(sessions["lag1"] ?? 1) < 4 * 0.029, "\(sessions)")
        #expect(!Self.figures(result.output, row: "interactive_chat requests", window: "60 s").isEmpty, "\(result.output)")
    }
}
