import Foundation
import Glibc
import Testing
import WorkloadKafka

/// Exactly-once resume when other runs share the topics: the
/// checkpoint records the producer's acknowledged offsets, so a restart reads
/// back from there, not only the last 256 records of each partition.
@Suite("run --state-dir: resume exactly once on topics other runs keep writing to", .serialized, .timeLimit(.minutes(10)))
struct ResumeBusyTopicsTests {
    struct Outcome: Sendable {
        var killedStatus: Int32?
        var otherStatus: Int32?
        var lastStatus: Int32?
        var lastStderr = ""
        var records: [ConsumedRecord] = []
    }

    static func scenario(killAfter seconds: Double) throws -> Outcome {
        let kafka = try DaemonProcess(["dev-kafka", "--partitions", "3"])
        let line = try #require(kafka.waitForStderrLine(containing: "mock Kafka cluster", timeout: 20))
        let at = try #require(line.range(of: ") at "))
        let bootstrap = String(line[at.upperBound...].prefix { $0 != ";" })
        let state = try temporaryFile("state-busy-\(getpid())-\(Int(seconds * 10))")
        try? FileManager.default.removeItem(at: state)
        let config = ResumeKillLoopTests.config.path
        let run = ["run", "--config", config, "--duration", "600", "--seed", "7", "--brokers", bootstrap,
                   "--mode", "accelerated", "--speed", "40", "--metrics-listen", "", "--state-dir", state.path]
        var outcome = Outcome()
        // Run A, killed mid-run: before its first checkpoint, or after some (with records after the last one).
        let first = try DaemonProcess(run)
        _ = first.waitForStderrLine(containing: "generating", timeout: 30)
        usleep(UInt32(seconds * 1e6))
        first.send(SIGKILL)
        outcome.killedStatus = first.waitForExit(timeout: 30)
        // Run B (another seed) writes thousands of records to every partition of both topics.
        let other = try DaemonProcess(["run", "--config", config, "--duration", "600", "--seed", "8", "--brokers", bootstrap,
                                       "--mode", "accelerated", "--speed", "max", "--metrics-listen", ""])
        outcome.otherStatus = other.waitForExit(timeout: 120)
        // A again, to its end.
        let last = try DaemonProcess(run)
        outcome.lastStatus = last.waitForExit(timeout: 120)
        outcome.lastStderr = last.stderr
        outcome.records = try ResumeKillLoopTests.readAll(bootstrap)
        return outcome
    }

    /// 0.3 s: before the first checkpoint (the read-back starts at the start
    /// offsets); 6 s: from a checkpoint (at its offsets, the higher bound).
    @Test("killed, then 256+ records of another run on every partition, then restarted: each event exactly once",
          arguments: [0.3, 6.0])
    func resumeReadsBackFromTheCheckpointsOffsets(killAfter: Double) async throws {
        let generated = try await runCLI(["generate", "--config", ResumeKillLoopTests.config.path, "--duration", "600", "--seed", "7", "--out", "-"])
        #expect(generated.status == 0)
        let lines = generated.stdout.split(separator: 0x0A)
        let firstLine = String(decoding: try #require(lines.first), as: UTF8.self)
        let runID = try #require(firstLine.range(of: "\"run_id\":\"").map { String(firstLine[$0.upperBound...].prefix { $0 != "\"" }) })
        let outcome = try await onThread { try Self.scenario(killAfter: killAfter) }
        #expect(outcome.killedStatus == nil, "the kill lands while A runs")
        #expect(outcome.otherStatus == 0 && outcome.lastStatus == 0, "\(outcome.lastStderr)")

        var otherPerPartition: [String: Int] = [:]
        var seqs: [Int64] = []
        for record in outcome.records where record.header("event-type") != Array("watermark".utf8) {
            if record.header("run-id") == Array(runID.utf8) {
                if let seq = ResumeKillLoopTests.integer("seq", in: record.value) { seqs.append(seq) }
            } else {
                otherPerPartition["\(record.topic)/\(record.partition)", default: 0] += 1
            }
        }
        print("other run's records per partition: \(otherPerPartition.sorted { $0.key < $1.key }); A's data records \(seqs.count), generate \(lines.count)")
        print(outcome.lastStderr.split(separator: "\n").filter { $0.contains("continuing run") || $0.contains("not published again") }.joined(separator: "\n"))
        #expect(otherPerPartition.count == 6 && otherPerPartition.values.allSatisfy { $0 > 256 },
                "the other run buries A's records below the last 256 of every partition")
        #expect(ResumeKillLoopTests.skippedCount(outcome.lastStderr) > 0, "the restart found records after its checkpoint")
        let fromSeq = outcome.lastStderr.range(of: "from_seq=").map { Int(outcome.lastStderr[$0.upperBound...].prefix { $0.isNumber }) ?? -1 }
        #expect(killAfter < 1 ? fromSeq == 0 : (fromSeq ?? 0) > 0, "restored from \(killAfter < 1 ? "no checkpoint" : "a checkpoint"): from_seq \(fromSeq ?? -1)")
        #expect(seqs.count == lines.count, "no duplicate, no gap: \(seqs.count) of A's data records, generate has \(lines.count)")
        #expect(Set(seqs).count == seqs.count && Set(seqs) == Set(0..<Int64(lines.count)))
    }
}
