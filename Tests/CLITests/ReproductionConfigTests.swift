import Foundation
import Testing

/// Configurations an operator reported crashing or stalling
/// (`Tests/Fixtures/repro/`): each loads, or is refused with 78 naming the
/// key and the value, and never dies of a signal.
@Suite(.timeLimit(.minutes(5)))
struct ReproductionConfigTests {
    static func repro(_ name: String) -> String { "Tests/Fixtures/repro/\(name).yaml" }

    @Test func twoDisjointSpikesMultiplyTheRateEachInItsOwnWindow() throws {
        let validate = try runMeasured(["validate", "--config", Self.repro("two_spikes")], timeout: 60)
        #expect(validate.status == 0, "\(validate.stderr.prefix(400))")
        let generate = try runCLI(["generate", "--config", Self.repro("two_spikes")], timeout: 60)
        #expect(generate.status == 0, "\(generate.stderr.prefix(400))")
        let starts = generate.output.split(separator: "\n").filter { $0.contains("\"type\":\"session_started\"") }.compactMap { line -> Double? in
            guard let range = line.range(of: "\"time_s\":") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != "," })
        }
        // Sessions arrive at 5/s, x2 in [60, 90) s and x3 in [200, 230) s:
        // Poisson counts, each within 4 standard errors of its mean.
        for (window, multiplier) in [((0.0, 60.0), 1.0), ((60, 90), 2), ((90, 200), 1), ((200, 230), 3), ((230, 300), 1)] {
            let expected = 5 * multiplier * (window.1 - window.0)
            let count = Double(starts.filter { $0 >= window.0 && $0 < window.1 }.count)
            #expect(abs(count - expected) <= 4 * expected.squareRoot(), "[\(window.0), \(window.1)) s: \(count) sessions, expected \(expected)")
        }
    }

    @Test(arguments: [
        ("normal_max_negative", "workload.client_profiles[0].inter_arrival_time_dist_config.max: a time must be >= 0 (got -1)"),
        ("gamma_huge_shape", "workload.client_profiles[0].prompt_tokens_dist_config.shape: must be > 0 and <= 100000000 (got 1.0e40)"),
    ])
    func anOutOfRangeNumberIsRefusedWith78(name: String, message: String) throws {
        for command in [["validate"], ["generate"], ["run", "--sink", "null", "--speed", "max", "--duration", "1"]] {
            let result = try runMeasured(command + ["--config", Self.repro(name)], timeout: 60)
            #expect(result.status == 78, "\(name) \(command[0]): \(result.status) \(result.stderr.prefix(400))")
            #expect(result.stderr.contains(message), "\(name) \(command[0]): \(result.stderr.prefix(400))")
        }
    }
}
