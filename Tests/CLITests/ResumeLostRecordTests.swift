import Foundation
import Glibc
import Logging
import Testing
import WorkloadKafka

/// A permanent produce error (MESSAGE_TOO_LARGE, injected into one Produce request of
/// the mock cluster) while `run --state-dir` is killed and restarted: librdkafka goes on
/// with the partition's later records, so the failed ones are missing below records
/// Kafka holds. Exactly once cannot be had back: every restart must refuse to go on
/// (exit 69) naming the missing seqs, and never finish the run with exit 0.
@Suite("run --state-dir: a record lost for good is never hidden", .serialized, .timeLimit(.minutes(10)))
struct ResumeLostRecordTests {
    struct Outcome: Sendable {
        var statuses: [Int32?] = []
        var stderrs: [String] = []
        var records: [ConsumedRecord] = []
    }

    static func scenario(seed: UInt64) throws -> Outcome {
        let cluster = try MockCluster(brokers: 1, logger: Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() })
        try cluster.createTopic("llm.requests", partitions: 3)
        try cluster.createTopic("llm.sessions", partitions: 3)
        let state = try temporaryFile("state-lost-\(getpid())-\(seed)")
        try? FileManager.default.removeItem(at: state)
        let run = ["run", "--config", ResumeKillLoopTests.config.path, "--duration", "600", "--seed", "7", "--brokers",
                   cluster.bootstrapServers, "--mode", "accelerated", "--speed", "40", "--metrics-listen", "", "--state-dir", state.path]
        var outcome = Outcome()
        var moments = ResumeKillLoopTests.Moments(state: seed)
        for start in 0..<4 {
            let daemon = try DaemonProcess(run)
            _ = daemon.waitForStderrLine(containing: "generating", timeout: 30)
            if start == 1 {
                // One Produce request fails for good: error 10, MESSAGE_TOO_LARGE.
                usleep(700_000)
                cluster.pushRequestErrors(apiKey: 0, errors: [10])
            }
            usleep(UInt32(moments.next(in: 0.5...2.0) * 1e6))
            daemon.send(SIGKILL)
            outcome.statuses.append(daemon.waitForExit(timeout: 30))
            outcome.stderrs.append(daemon.stderr)
        }
        let last = try DaemonProcess(run)
        outcome.statuses.append(last.waitForExit(timeout: 120))
        outcome.stderrs.append(last.stderr)
        outcome.records = try ResumeKillLoopTests.readAll(cluster.bootstrapServers)
        return outcome
    }

    /// The seqs a refusal names ("(seq 1264, 1265 and 3 more)").
    static func named(_ stderr: String) -> [Int64] {
        guard let range = stderr.range(of: "of its events (seq ") else { return [] }
        return stderr[range.upperBound...].prefix { $0 != ")" }.split(separator: ",")
            .compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }

    @Test("a permanent produce error in a SIGKILL loop: never exit 0 with a gap; the refusal names exactly what is missing")
    func lostRecordIsNamedNotHidden() async throws {
        let generated = try await runCLI(["generate", "--config", ResumeKillLoopTests.config.path, "--duration", "600", "--seed", "7", "--out", "-"])
        let expected = generated.stdout.split(separator: 0x0A).compactMap { ResumeKillLoopTests.integer("seq", in: Array($0)) }
        let outcome = try await onThread { try Self.scenario(seed: 24) }
        let data = outcome.records.filter { $0.header("event-type") != Array("watermark".utf8) && $0.header("event-type") != Array("skipped".utf8) }
        let seqs = data.compactMap { ResumeKillLoopTests.integer("seq", in: $0.value) }
        let held = Set(seqs)
        let failedFirst = outcome.stderrs[1].contains("Kafka failed a record for good") || outcome.stderrs[1].contains("kafka delivery failed")
        let top = seqs.max() ?? -1
        let gaps = expected.filter { $0 <= top && !held.contains($0) }
        let last = outcome.statuses.last ?? nil
        let named = Self.named(outcome.stderrs.last ?? "")
        print("lost record: exit statuses \(outcome.statuses); the injected error hit: \(failedFirst); \(seqs.count) data records in Kafka (generate: \(expected.count)), \(gaps.count) gaps below seq \(top): \(gaps.prefix(20)); the last start names \(named.count): \(named.prefix(20))")
        #expect(failedFirst, "the injected error failed a record: \(outcome.stderrs[1].suffix(2_000))")
        #expect(seqs.count == held.count, "no seq twice")
        if last == 0 {
            #expect(seqs.count == expected.count && held == Set(expected), "exit 0 only with generate's stream entire: \(gaps.count) gaps")
        } else {
            #expect(last == 69, "\(outcome.stderrs.last ?? "")")
            #expect(!named.isEmpty, "the refusal names the missing seqs")
            #expect(named.allSatisfy { !held.contains($0) && $0 <= top }, "each named seq is missing, below records Kafka holds")
            #expect(Set(named).isSubset(of: Set(gaps)))
            // Every start after the loss refused the same way: none generated past it.
            for (index, stderr) in outcome.stderrs.enumerated().dropFirst(2) {
                #expect(outcome.statuses[index] == 69 && Self.named(stderr) == named, "start \(index + 1): \(outcome.statuses[index].map(String.init) ?? "killed")")
            }
        }
    }
}
