import TestSupport
import Foundation
import Testing
import WorkloadDaemon
import WorkloadBench
import WorkloadConfig

extension DaemonIntegrationTests {
    @Suite("run --mode realtime", .quietMachine)
    struct Realtime {
        /// One-turn sessions at 333.3/s: session_started, request and session_ended make
        /// about 1,000 events per second.
        static let yaml = """
            workload:
              total_duration: 10
              random_seed: 11
              client_profiles:
                - profile_name: one_shot
                  inter_arrival_time_dist_config: {type: Exponential, rate: 333.3333333}
                  prompt_tokens_dist_config: {type: Constant, value: 200}
                  max_output_tokens_dist_config: {type: Constant, value: 100}
                  conversational_probability: 0
                  streaming_response_probability: 0.5
            clock:
              mode: realtime
              start: "2026-01-01T00:00:00Z"
            metrics:
              listen: "127.0.0.1:0"
            """

        /// 10 s is enough: what is checked is the histogram's shape, that every paced event is
        /// recorded and that virtual time never runs ahead of the wall clock, none of which
        /// grows with the length of the run (it was 30 s).
        @Test("about 1,000 events/s for 10 s: the lateness histogram is well formed and has ~10,000 recordings")
        func latenessAtAThousandEventsPerSecond() async throws {
            let configuration = try Configuration.parse(yaml: Self.yaml)
            let events = try generatedLines(configuration).count
            // 3,333 sessions ± 58 (Poisson), three events each: ± 173 events, allowed 3.5 times that.
            #expect(abs(events - 10_000) < 600, "the profile gives ~1,000 events/s: \(events) in 10 s")

            let (status, scrapes, took) = try await onThread {
                var options = RunOptions()
                options.sink = .null
                let run = DaemonRun(configuration: configuration, options: options)
                guard let port = run.waitForMetricsPort() else {
                    return (run.waitForStatus(timeout: 60), [MetricsScraper.Scrape](), run.duration)
                }
                let scraper = MetricsScraper(port: port, interval: 0.5)
                let status = run.waitForStatus(timeout: 60)
                return (status, scraper.finish(), run.duration)
            }
            #expect(status == 0)
            // The last scrape before the server closed: within the final second of the run.
            let last = try #require(scrapes.last)
            let metrics = try Exposition(parsing: last.body)
            let name = "llm_workload_pacing_lateness_seconds"
            // A histogram: cumulative buckets that never decrease, +Inf equal to the count.
            let buckets = metrics.samples.filter { $0.name == name + "_bucket" }
            let bounds = buckets.map { $0.labels["le"] == "+Inf" ? Double.infinity : Double($0.labels["le"] ?? "") ?? .nan }
            #expect(buckets.count >= 10 && bounds == bounds.sorted() && !bounds.contains { $0.isNaN }, "\(bounds)")
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value }, "cumulative")
            let count = try #require(metrics.value(name + "_count"))
            #expect(buckets.last?.labels["le"] == "+Inf" && buckets.last?.value == count)
            // Figures for the reader, not assertions: wall-clock speed is bench's business.
            let median = zip(bounds, buckets).first { $0.1.value >= count / 2 }?.0 ?? .nan
            print("realtime 1,000 events/s: pacing lateness median bucket <= \(median * 1e3) ms, count \(Int(count)) of \(events) events at \(last.at) s; run took \(took.map { "\($0)" } ?? "?")")
            #expect(last.at > 8, "scraped near the end of the 10 s run")
            #expect(count > 0.9 * 10_000 && count <= Double(events), "every paced event is recorded: \(count)")
            // Paced, not run ahead: the virtual time reached by the last scrape is about the wall time.
            let virtual = try #require(metrics.value("llm_workload_virtual_time_seconds"))
            #expect(virtual <= last.at + 1, "virtual time \(virtual) s never runs ahead of the wall clock (\(last.at) s)")
        }
    }
}
