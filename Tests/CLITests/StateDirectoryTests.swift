import Foundation
import Glibc
import Logging
import Testing
import WorkloadKafka

/// A state directory belongs to one process at a time (a second daemon exits
/// 78 naming the holder's PID); a finished run, restarted, publishes nothing;
/// a corrupt checkpoint or run record is refused with 78 (never read as
/// another state, never a crash). Real processes throughout.
@Suite("run --state-dir: the lock, a finished run, corrupt state", .timeLimit(.minutes(10)))
struct StateDirectoryTests {
    /// Runs the binary; kills it (status nil) if it is still running after `timeout` s.
    static func spawn(_ arguments: [String], timeout: Double = 60) throws -> (status: Int32?, stderr: String) {
        let process = try DaemonProcess(arguments)
        let status = process.waitForExit(timeout: timeout)
        return (status, process.stderr)
    }

    static func freshDirectory(_ name: String) throws -> URL {
        let url = try temporaryFile("\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        return url
    }

    struct LockOutcome: Sendable {
        var holderPID: Int32 = 0
        var lockText = ""
        var second: (status: Int32?, stderr: String) = (nil, "")
        var holderStillRunning = false
        var holderStatus: Int32?
        var third: (status: Int32?, stderr: String) = (nil, "")
    }

    @Test func aSecondDaemonOnAHeldStateDirectoryExits78NamingTheHolder() async throws {
        let state = try Self.freshDirectory("lock-state")
        let run = ["run", "--config", "config/example.yaml", "--embedded-kafka", "--duration", "600", "--seed", "5",
                   "--mode", "accelerated", "--speed", "1", "--metrics-listen", "", "--state-dir", state.path]
        let outcome = try await onThread { () -> LockOutcome in
            var outcome = LockOutcome()
            let holder = try DaemonProcess(run)
            outcome.holderPID = holder.pid
            _ = holder.waitForStderrLine(containing: "generating", timeout: 60)
            outcome.lockText = (try? String(contentsOf: state.appendingPathComponent("lock"), encoding: .utf8)) ?? ""
            outcome.second = try Self.spawn(run, timeout: 30)
            outcome.holderStillRunning = holder.isRunning
            holder.send(SIGTERM)
            outcome.holderStatus = holder.waitForExit(timeout: 30)
            // The holder gone, its lock went with it (the file and its stale PID stay): the next start continues.
            let third = try DaemonProcess(run)
            _ = third.waitForStderrLine(containing: "generating", timeout: 60)
            third.send(SIGTERM)
            outcome.third = (third.waitForExit(timeout: 30), third.stderr)
            return outcome
        }
        #expect(outcome.lockText == "\(outcome.holderPID)\n", "the lock file names its holder")
        #expect(outcome.second.status == 78, "\(outcome.second.stderr)")
        #expect(outcome.second.stderr.contains("in use by another process (PID \(outcome.holderPID))"), "\(outcome.second.stderr)")
        #expect(outcome.second.stderr.contains(state.path))
        #expect(!outcome.second.stderr.contains("generating"), "the second published nothing")
        #expect(outcome.holderStillRunning && outcome.holderStatus == 0)
        #expect(outcome.third.status == 0, "\(outcome.third.stderr)")
        #expect(outcome.third.stderr.contains("continuing run"), "\(outcome.third.stderr)")
    }

    @Test func aFinishedRunRestartedPublishesNothing() async throws {
        let cluster = try MockCluster(brokers: 1, logger: Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() })
        try cluster.createTopic("llm.requests", partitions: 2)
        try cluster.createTopic("llm.sessions", partitions: 2)
        let bootstrap = cluster.bootstrapServers
        let state = try Self.freshDirectory("finished-state")
        let run = ["run", "--config", "config/example.yaml", "--brokers", bootstrap, "--duration", "20", "--seed", "5",
                   "--mode", "accelerated", "--speed", "max", "--metrics-listen", "", "--state-dir", state.path]
        func finals(_ records: [ConsumedRecord]) -> Int {
            records.filter { String(decoding: $0.value, as: UTF8.self).contains("\"final\":true") }.count
        }
        let (first, afterFirst, restarts, afterRestarts) = try await onThread {
            let first = try Self.spawn(run)
            let afterFirst = try ResumeKillLoopTests.readAll(bootstrap)
            let restarts = [try Self.spawn(run), try Self.spawn(run)]
            return (first, afterFirst, restarts, try ResumeKillLoopTests.readAll(bootstrap))
        }
        #expect(first.status == 0, "\(first.stderr)")
        #expect(finals(afterFirst) == 4, "one final watermark per partition of both topics")
        for restart in restarts {
            #expect(restart.status == 0, "\(restart.stderr)")
            #expect(restart.stderr.contains("is complete"), "\(restart.stderr)")
            #expect(restart.stderr.contains("published 0 events"), "\(restart.stderr)")
        }
        #expect(afterRestarts.count == afterFirst.count, "records: \(afterFirst.count) -> \(afterRestarts.count)")
        #expect(finals(afterRestarts) == 4)
    }

    /// Seeded corruptions of a real checkpoint (and one each of the run record and start offsets), each in a copy of the
    /// state directory: every start exits 78 naming the file and --new-run; the intact copy continues.
    @Test func corruptStateIsRefusedWith78() async throws {
        let state = try Self.freshDirectory("corrupt-state")
        let run = ["run", "--config", "config/example.yaml", "--embedded-kafka", "--duration", "20", "--seed", "5",
                   "--mode", "accelerated", "--speed", "max", "--metrics-listen", ""]
        let first = try await onThread { try Self.spawn(run + ["--state-dir", state.path]) }
        #expect(first.status == 0, "\(first.stderr)")
        let original = try [UInt8](Data(contentsOf: state.appendingPathComponent("checkpoint")))
        let record = try [UInt8](Data(contentsOf: state.appendingPathComponent("run")))
        #expect(original.count > 100)

        var seed: UInt64 = 0x5EED  // a seeded LCG: the same corruptions every run
        func below(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(max(1, n)))
        }
        var cases: [(name: String, file: String, bytes: [UInt8])] = []
        var flipHeader = original; flipHeader[8 + below(32)] ^= 0x10
        cases.append(("flip in the header", "checkpoint", flipHeader))
        var flipEngine = original; flipEngine[64 + below(original.count - 68)] ^= UInt8(1 + below(255))
        cases.append(("flip in the engine", "checkpoint", flipEngine))
        var flipChecksum = original; flipChecksum[original.count - 1 - below(4)] ^= 0x01
        cases.append(("flip in the checksum", "checkpoint", flipChecksum))
        cases.append(("truncated", "checkpoint", Array(original.prefix(below(original.count)))))
        cases.append(("appended", "checkpoint", original + [0, 1, 2]))
        var swapped = original
        let a = 16 + below(40), b = 80 + below(original.count - 120)
        swapped.replaceSubrange(a..<a + 8, with: original[b..<b + 8])
        swapped.replaceSubrange(b..<b + 8, with: original[a..<a + 8])
        cases.append(("swapped regions", "checkpoint", swapped))
        cases.append(("cut and padded", "checkpoint", Array(original.dropLast(3)) + [7, 7, 7]))
        var recordFlip = record
        let recordText = String(decoding: record, as: UTF8.self)
        let digit = try #require(recordText.range(of: "anchor_unix_ns ")).upperBound.utf16Offset(in: recordText) + 3
        recordFlip[digit] = recordFlip[digit] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        cases.append(("a digit of the run record's anchor", "run", recordFlip))
        var startOffsets = try [UInt8](Data(contentsOf: state.appendingPathComponent("start-offsets")))
        let firstDigit = try #require(startOffsets.firstIndex { $0 == UInt8(ascii: " ") }) + 1
        startOffsets[firstDigit] = startOffsets[firstDigit] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        cases.append(("a partition of the start offsets", "start-offsets", startOffsets))

        let directories = try cases.enumerated().map { index, corruption -> URL in
            let copy = try Self.freshDirectory("corrupt-state-\(index)")
            try FileManager.default.copyItem(at: state, to: copy)
            try Data(corruption.bytes).write(to: copy.appendingPathComponent(corruption.file))
            return copy
        }
        let intact = try Self.freshDirectory("corrupt-state-intact")
        try FileManager.default.copyItem(at: state, to: intact)
        let results = try await onThread {
            (try directories.map { try Self.spawn(run + ["--state-dir", $0.path]) }, try Self.spawn(run + ["--state-dir", intact.path]))
        }
        var refused = 0
        for (corruption, (result, directory)) in zip(cases, zip(results.0, directories)) {
            #expect(result.status == 78, "\(corruption.name): \(result.stderr)")
            #expect(result.stderr.contains(directory.appendingPathComponent(corruption.file).path), "\(corruption.name): \(result.stderr)")
            #expect(result.stderr.contains("--new-run"), "\(corruption.name): \(result.stderr)")
            if result.status == 78 { refused += 1 }
        }
        print("corrupt state directories: \(cases.count) spawned, \(refused) refused with 78")
        #expect(results.1.status == 0 && results.1.stderr.contains("is complete"), "the intact copy: \(results.1.stderr)")
    }
}
