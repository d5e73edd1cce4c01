import Foundation
import Glibc
import Logging
import Testing
import WorkloadKafka

/// A restarted process that dies soon after it started: its first checkpoint must
/// carry partition offsets (from the read-back at its start), or the next start
/// reads back the whole run, and a crash loop crawls.
@Suite("run --state-dir: a restart's first checkpoint bounds the next read-back", .serialized, .timeLimit(.minutes(10)))
struct ResumeOffsetsTests {
    static func readBack(_ stderr: String) -> Int? {
        guard let range = stderr.range(of: "records_read_back=") else { return nil }
        return Int(stderr[range.upperBound...].prefix { $0.isNumber })
    }

    /// Records in both topics (only this run writes there).
    static func recordCount(_ bootstrap: String) throws -> Int64 {
        let consumer = try KafkaConsumer(bootstrapServers: bootstrap, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        var total: Int64 = 0
        for topic in ["llm.requests", "llm.sessions"] {
            for partition in 0..<(try consumer.partitionCount(topic: topic, timeoutMs: 10_000)) {
                total += Int64(try consumer.offsetRange(topic: topic, partition: partition, timeoutMs: 10_000).count)
            }
        }
        return total
    }

    /// 0.5 s: the second start dies before or just after its first checkpoint; 1.5 s: after it.
    @Test("killed 4 s in, restarted and killed soon after, restarted: the third start reads back a few seconds, not the run",
          arguments: [0.5, 1.5])
    func firstCheckpointCarriesOffsets(secondRun: Double) async throws {
        let generated = try await runCLI(["generate", "--config", ResumeKillLoopTests.config.path, "--duration", "600", "--seed", "7", "--out", "-"])
        let (statuses, stderrs, records, before) = try await onThread { () throws -> ([Int32?], [String], [ConsumedRecord], Int64) in
            let cluster = try MockCluster(brokers: 1, logger: Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() })
            try cluster.createTopic("llm.requests", partitions: 3)
            try cluster.createTopic("llm.sessions", partitions: 3)
            let state = try temporaryFile("state-offsets-\(getpid())-\(Int(secondRun * 10))")
            try? FileManager.default.removeItem(at: state)
            let run = ["run", "--config", ResumeKillLoopTests.config.path, "--duration", "600", "--seed", "7", "--brokers",
                       cluster.bootstrapServers, "--mode", "accelerated", "--speed", "40", "--metrics-listen", "", "--state-dir", state.path]
            var statuses: [Int32?] = [], stderrs: [String] = []
            for seconds in [4.0, secondRun] {
                let daemon = try DaemonProcess(run)
                _ = daemon.waitForStderrLine(containing: "generating", timeout: 30)
                usleep(UInt32(seconds * 1e6))
                daemon.send(SIGKILL)
                statuses.append(daemon.waitForExit(timeout: 30))
                stderrs.append(daemon.stderr)
            }
            let before = try Self.recordCount(cluster.bootstrapServers)
            let last = try DaemonProcess(run)
            statuses.append(last.waitForExit(timeout: 120))
            stderrs.append(last.stderr)
            return (statuses, stderrs, try ResumeKillLoopTests.readAll(cluster.bootstrapServers), before)
        }
        let data = records.filter { $0.header("event-type") != Array("watermark".utf8) }.count
        let second = Self.readBack(stderrs[1]) ?? -1, third = Self.readBack(stderrs[2]) ?? -1
        print("read back: second start \(second) records, third start \(third) of the \(before) records Kafka held before it; Kafka holds \(records.count) records (\(data) data) at the end; statuses \(statuses)")
        #expect(statuses == [nil, nil, 0], "\(stderrs.last ?? "")")
        #expect(second > 0 && third > 0)
        // The first start's checkpoints cover about 3 of its 4 s (some 2,500 records): the third start reads back
        // from the second start's first checkpoint, which lies above them, not from the run's beginning.
        #expect(third + 1_000 < Int(before), "the third start reads from the second start's first checkpoint, not the run's beginning")
        let lines = generated.stdout.split(separator: 0x0A)
        let seqs = records.filter { $0.header("event-type") != Array("watermark".utf8) }.compactMap { ResumeKillLoopTests.integer("seq", in: $0.value) }
        #expect(seqs.count == lines.count && Set(seqs).count == seqs.count, "every event once: \(seqs.count) of \(lines.count)")
    }
}
