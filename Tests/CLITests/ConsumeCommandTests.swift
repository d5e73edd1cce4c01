import Foundation
import Logging
import Testing
import WorkloadDaemon
import WorkloadKafka

/// `llm-workload consume` and the refusal, through the binary.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ConsumeCommandTests {
    @Test func usageErrorsExit64() async throws {
        for arguments in [["consume"], ["consume", "--brokers", ""], ["consume", "--brokers", "127.0.0.1:99999"],
                          ["consume", "--brokers", "127.0.0.1:9092", "--topics", ","],
                          ["consume", "--brokers", "127.0.0.1:9092", "--topics", "requests,llm.requests"]] {
            let result = try await runCLI(arguments)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        }
    }

    /// Publishes the example (fixed clock.start) to a mock cluster, reads it back with
    /// `consume --from-beginning --exit-at-end`, and starts the same run again.
    @Test("run, then consume: generate's bytes; the same run again exits 78 naming it")
    func runConsumeAndRefuse() async throws {
        let cluster = try MockCluster(brokers: 3, logger: Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() })
        try cluster.createTopic("llm.requests", partitions: 4)
        try cluster.createTopic("llm.sessions", partitions: 3)
        let bootstrap = cluster.bootstrapServers
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8)
        let config = try temporaryFile("consume-example.yaml", contents: text + "\nclock:\n  start: \"2026-01-01T00:00:00Z\"\n")
        let common = ["--config", config.path, "--duration", "60", "--seed", "3"]
        let generated = try await runCLI(["generate"] + common + ["--out", "-"])
        #expect(generated.status == 0, "\(generated.stderr)")

        let (first, consumed, again) = try await onThread {
            let run = ["run"] + common + ["--brokers", bootstrap, "--mode", "accelerated", "--speed", "max", "--metrics-listen", ""]
            let first = try runCLIBlocking(run)
            let consumed = try runCLIBlocking(["consume", "--brokers", bootstrap, "--from-beginning", "--exit-at-end"], timeout: 60)
            return (first, consumed, try runCLIBlocking(run))
        }
        #expect(first.status == 0, "\(first.stderr)")
        #expect(consumed.status == 0, "\(consumed.stderr)")
        #expect(consumed.stderr.contains("every producer's stream has ended"), "\(consumed.stderr)")
        #expect(consumed.stdout.count > 10_000)
        #expect(consumed.stdout == generated.stdout, "consume yields exactly generate's stream")
        #expect(again.status == 78)
        let runID = try #require(generated.output.firstRange(of: "\"run_id\":\"").map { generated.output[$0.upperBound...].prefix(16) })
        #expect(again.stderr.contains("run \(runID) already has records in Kafka"), "\(again.stderr)")
        #expect(again.stderr.contains("To start a new run"))
    }
}
