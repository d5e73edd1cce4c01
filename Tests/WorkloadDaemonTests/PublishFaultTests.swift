import Foundation
import Logging
import Testing
import WorkloadDaemon
import WorkloadKafka
@testable import WorkloadConfig

extension DaemonIntegrationTests {
    /// `faults`: over about 100,000 events each kind's count is within 4
    /// standard errors of N·p, and `consume` finds exactly the late records
    /// and duplicates the run says it injected, and nothing of the dropped.
    @Suite("faults: late, duplicate and dropped records")
    struct PublishFaults {
        static let yaml = """
            workload:
              total_duration: 100
              random_seed: 11
              client_profiles:
                - profile_name: one_shot
                  inter_arrival_time_dist_config: {type: Exponential, rate: 333.3333333}
                  prompt_tokens_dist_config: {type: Constant, value: 200}
                  max_output_tokens_dist_config: {type: Constant, value: 100}
                  conversational_probability: 0
                  streaming_response_probability: 0.5
            clock: {mode: accelerated, speed: max, start: "2026-01-01T00:00:00Z", watermark_interval_s: 0.5}
            metrics: {listen: ""}
            faults:
              late: {probability: 0.01, delay_s_dist_config: {type: Exponential, rate: 1}}
              duplicate: {probability: 0.001}
              drop: {probability: 0.001}
            """

        @Test("100,000 events: counts within 4 SE; consume sees exactly the injected late records and duplicates", .timeLimit(.minutes(10)))
        func faultCountsAndConsume() async throws {
            let fixture = try DaemonKafkaFixture()
            let configuration = fixture.configure(try Configuration.parse(yaml: Self.yaml))
            let generated = try generatedLines(configuration)
            let n = Double(generated.count)
            #expect(generated.count > 95_000)
            let (status, announcements) = try await onThread { [configuration] in
                let run = DaemonRun(configuration: configuration, options: RunOptions())
                return (run.waitForStatus(timeout: 120), run.announcements)
            }
            #expect(status == 0)
            let line = try #require(announcements.first { $0.hasPrefix("faults injected: ") }, "\(announcements)")
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let (late, duplicated, dropped) = (numbers[0], numbers[1], numbers[2])
            for (count, p, kind) in [(late, 0.01, "late"), (duplicated, 0.001, "duplicated"), (dropped, 0.001, "dropped")] {
                let se = (n * p * (1 - p)).squareRoot()
                print("faults: \(kind) \(count) of \(Int(n)), expected \(n * p) ± \(se) (z \((Double(count) - n * p) / se))")
                #expect(abs(Double(count) - n * p) <= 4 * se, "\(kind) \(count) vs \(n * p) ± \(se)")
            }

            var released: [String] = []
            // The timeout only guards a hang (`ended` is checked): on two loaded cores a debug
            // build took over 60 s to read the 100,000 records back.
            let summary = try await onThread { [fixture] in
                var seen: [String] = []
                let options = ReferenceConsumer.Options(brokers: fixture.cluster.bootstrapServers, topics: [fixture.topics.requests, fixture.topics.sessions],
                                                        fromBeginning: true, exitAtEnd: true, timeoutSeconds: 300)
                let summary = try ReferenceConsumer.run(options, stop: StopSignal(), logger: Logger(label: "consume")) { seen.append(String(decoding: $0, as: UTF8.self)) }
                return (summary, seen)
            }
            released = summary.1
            print("consume: released \(summary.0.released), late \(summary.0.lateEvents), duplicates \(summary.0.duplicateEvents), ended \(summary.0.ended)")
            #expect(summary.0.ended)
            #expect(summary.0.lateEvents == late && summary.0.duplicateEvents == duplicated)
            #expect(released.count == generated.count - dropped + duplicated)
            // What is missing is exactly the dropped records: every other generated line arrived as it was.
            let arrived = Set(released)
            #expect(generated.filter { !arrived.contains($0) }.count == dropped)
            #expect(arrived.isSubset(of: Set(generated)))
        }

        @Test func badProbabilitiesAreRefused() {
            let yaml = configYAML(top: "faults: {late: {probability: 0.6, delay_s_dist_config: {type: Constant, value: -1}}, duplicate: {probability: 1.2}, drop: {probability: 0.5}}")
            #expect(problems(yaml) == [
                "faults.late.delay_s_dist_config.value: a time must be >= 0 (got -1)",
                "faults.duplicate.probability: must be a probability in [0, 1] (got 1.2)",
                "faults.late: late, duplicate and drop probabilities must add up to at most 1 (got 1.1)",
            ], "\(problems(yaml))")
        }
    }
}
