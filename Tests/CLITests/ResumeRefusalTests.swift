import Foundation
import Logging
import Testing
import WorkloadKafka

/// Never duplicate by accident, second half: a changed configuration with the same state
/// directory is refused (78, naming the directory, the run and what differs) unless
/// `--new-run`; a state directory needs the Kafka sink.
@Suite("run --state-dir: a changed configuration is refused", .timeLimit(.minutes(10)))
struct ResumeRefusalTests {
    @Test func changedConfigurationRefusedUnlessNewRun() async throws {
        let cluster = try MockCluster(brokers: 1, logger: Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() })
        try cluster.createTopic("llm.requests", partitions: 2)
        try cluster.createTopic("llm.sessions", partitions: 2)
        let bootstrap = cluster.bootstrapServers
        let state = try temporaryFile("refusal-state")
        try? FileManager.default.removeItem(at: state)
        @Sendable func run(_ extra: [String]) throws -> CommandResult {
            try runCLIBlocking(["run", "--config", "config/example.yaml", "--brokers", bootstrap, "--mode", "accelerated",
                        "--speed", "max", "--metrics-listen", "", "--state-dir", state.path] + extra)
        }
        let results = try await onThread { () -> [CommandResult] in
            var results = [try run(["--duration", "20", "--seed", "5"])]
            results.append(try run(["--duration", "20", "--seed", "6"]))
            results.append(try run(["--duration", "30", "--seed", "5"]))
            results.append(try run(["--duration", "20", "--seed", "6", "--new-run"]))
            results.append(try run(["--duration", "20", "--seed", "6"]))
            try Data("not a checkpoint".utf8).write(to: state.appendingPathComponent("checkpoint"))
            results.append(try run(["--duration", "20", "--seed", "6"]))
            return results
        }
        let (first, otherSeed, otherDuration, newRun, again, corrupt) = (results[0], results[1], results[2], results[3], results[4], results[5])
        #expect(first.status == 0, "\(first.stderr)")
        let record = try String(contentsOf: state.appendingPathComponent("run"), encoding: .utf8)
        #expect(record.contains("seed 6"), "the new run's record replaced the old: \(record)")

        #expect(otherSeed.status == 78)
        #expect(otherSeed.stderr.contains("state directory \(state.path) holds run "), "\(otherSeed.stderr)")
        #expect(otherSeed.stderr.contains("seed 5 -> 6"), "\(otherSeed.stderr)")
        #expect(otherSeed.stderr.contains("--new-run"))
        #expect(otherDuration.status == 78)
        #expect(otherDuration.stderr.contains("total_duration 20.0 -> 30.0"), "\(otherDuration.stderr)")
        #expect(!otherDuration.stderr.contains("seed 5"), "only what differs is named")

        #expect(newRun.status == 0, "\(newRun.stderr)")
        #expect(!newRun.stderr.contains("continuing run"))
        // The same configuration again continues the (finished) run and publishes nothing new.
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("continuing run"), "\(again.stderr)")
        #expect(again.stderr.contains("published 0 events"), "\(again.stderr)")

        #expect(corrupt.status == 78)
        #expect(corrupt.stderr.contains("cannot be restored"), "\(corrupt.stderr)")
    }

    @Test func usage() async throws {
        let noDirectory = try await runCLI(["run", "--config", "config/example.yaml", "--new-run"])
        #expect(noDirectory.status == 64)
        #expect(noDirectory.stderr.contains("--new-run needs a state directory"), "\(noDirectory.stderr)")
        let stdout = try await runCLI(["run", "--config", "config/example.yaml", "--sink", "stdout", "--state-dir", "/tmp/x"])
        #expect(stdout.status == 64)
        #expect(stdout.stderr.contains("--state-dir needs --sink kafka"), "\(stdout.stderr)")
    }
}
