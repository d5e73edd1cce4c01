import Foundation
import Glibc
import Logging
import Testing
import WorkloadKafka

/// `run --state-dir` against an external `llm-workload dev-kafka`,
/// stopped three times at seeded random moments and restarted each time, leaves exactly
/// `generate`'s stream in Kafka.
@Suite("run --state-dir: restarts are invisible", .serialized, .timeLimit(.minutes(10)))
struct ResumeKillLoopTests {
    /// SplitMix64: the test's seeded moments.
    struct Moments {
        var state: UInt64
        mutating func next(in range: ClosedRange<Double>) -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Double(z >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
        }
    }

    struct Scenario: Sendable {
        var statuses: [Int32?] = []
        var moments: [Double] = []
        var continued = 0
        /// "not published again: N events" per start.
        var skipped: [Int] = []
        var consumed = CommandResult(status: -1, stdout: Data(), stderr: "")
        var records: [ConsumedRecord] = []
    }

    static let config: URL = {
        let text = try! String(contentsOf: repositoryRoot.appendingPathComponent("config/conversations.yaml"), encoding: .utf8)
        return try! temporaryFile("resume-conversations.yaml", contents: text + "\nclock:\n  start: \"2026-01-01T00:00:00Z\"\n")
    }()

    static func scenario(signal: Int32, seed: UInt64) throws -> Scenario {
        let kafka = try DaemonProcess(["dev-kafka", "--partitions", "3"])
        // "mock Kafka cluster (3 brokers) at HOST:PORT,...; topics ..." (standard output is buffered).
        let line = try #require(kafka.waitForStderrLine(containing: "mock Kafka cluster", timeout: 20))
        let at = try #require(line.range(of: ") at "))
        let bootstrap = String(line[at.upperBound...].prefix { $0 != ";" })
        let state = try temporaryFile("state-\(signal)-\(seed)")
        try? FileManager.default.removeItem(at: state)
        let run = ["run", "--config", config.path, "--duration", "600", "--seed", "7", "--brokers", bootstrap,
                   "--mode", "accelerated", "--speed", "40", "--metrics-listen", "", "--state-dir", state.path]
        var scenario = Scenario()
        var moments = Moments(state: seed)
        for _ in 0..<3 {
            let daemon = try DaemonProcess(run)
            _ = daemon.waitForStderrLine(containing: "generating", timeout: 30)
            let moment = moments.next(in: 0.2...2.0)
            scenario.moments.append(moment)
            usleep(UInt32(moment * 1e6))
            daemon.send(signal)
            scenario.statuses.append(daemon.waitForExit(timeout: 30))
            if daemon.stderr.contains("continuing run") { scenario.continued += 1 }
            scenario.skipped.append(skippedCount(daemon.stderr))
        }
        let last = try DaemonProcess(run)
        scenario.statuses.append(last.waitForExit(timeout: 120))
        if last.stderr.contains("continuing run") { scenario.continued += 1 }
        scenario.skipped.append(skippedCount(last.stderr))
        scenario.consumed = try runCLIBlocking(["consume", "--brokers", bootstrap, "--from-beginning", "--exit-at-end"], timeout: 60)
        scenario.records = try readAll(bootstrap)
        return scenario
    }

    static func skippedCount(_ stderr: String) -> Int {
        guard let range = stderr.range(of: "not published again: ") else { return 0 }
        return Int(stderr[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// Every record of both topics, in partition order.
    static func readAll(_ bootstrap: String) throws -> [ConsumedRecord] {
        let consumer = try KafkaConsumer(bootstrapServers: bootstrap, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        var ends: [String: Int64] = [:]
        var topics: [(topic: String, partitionCount: Int32)] = []
        for topic in ["llm.requests", "llm.sessions"] {
            let count = try consumer.partitionCount(topic: topic, timeoutMs: 10_000)
            topics.append((topic, count))
            for partition in 0..<count {
                let range = try consumer.offsetRange(topic: topic, partition: partition, timeoutMs: 10_000)
                if !range.isEmpty { ends["\(topic)/\(partition)"] = range.upperBound - 1 }
            }
        }
        try consumer.assign(topics)
        var records: [ConsumedRecord] = []
        let deadline = Date().addingTimeInterval(60)
        while !ends.isEmpty && Date() < deadline {
            guard let record = try consumer.poll(timeoutMs: 100) else { continue }
            records.append(record)
            let name = "\(record.topic)/\(record.partition)"
            if let end = ends[name], record.offset >= end { ends[name] = nil }
        }
        return records
    }

    static func integer(_ name: String, in value: [UInt8]) -> Int64? {
        let text = String(decoding: value, as: UTF8.self)
        guard let range = text.range(of: "\"\(name)\":") else { return nil }
        return Int64(text[range.upperBound...].prefix { $0.isNumber })
    }

    static func check(_ scenario: Scenario, signal: String, generated: CommandResult) {
        print("\(signal) at \(scenario.moments.map { String(format: "%.2f s", $0) }) after start; exit statuses \(scenario.statuses); \(scenario.continued) starts continued; events Kafka already held, skipped per start: \(scenario.skipped)")
        print("  consume: \(scenario.consumed.stderr.split(separator: "\n").last ?? "")")
        #expect(scenario.statuses.last == 0, "the last start finishes the run")
        #expect(scenario.continued == 3, "every restart continues the run")
        #expect(scenario.consumed.status == 0, "\(scenario.consumed.stderr)")
        #expect(scenario.consumed.stderr.contains(" 0 behind their producer's watermark"), "every watermark's promise holds")
        #expect(scenario.consumed.stderr.contains("every producer's stream has ended"))
        let lines = scenario.consumed.stdout.split(separator: 0x0A)
        let expected = generated.stdout.split(separator: 0x0A)
        #expect(lines.count == expected.count, "no duplicate, no gap: \(lines.count) lines, generate has \(expected.count)")
        #expect(scenario.consumed.stdout == generated.stdout, "exactly generate's bytes")

        // In Kafka itself: per partition (so per session) data seqs strictly increase,
        // and this producer's watermarks never go back in time.
        var lastSeq: [String: Int64] = [:]
        var lastWatermark: [String: Int64] = [:]
        var backwards = 0, watermarkBackwards = 0, data = 0
        for record in scenario.records {
            let name = "\(record.topic)/\(record.partition)"
            let value = record.value
            if record.header("event-type") == Array("watermark".utf8) {
                let text = String(decoding: value, as: UTF8.self)
                guard let range = text.range(of: "\"time_s\":"),
                      let seconds = Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." }) else { continue }
                let nanoseconds = Int64((seconds * 1e9).rounded())
                if nanoseconds < lastWatermark[name, default: .min] { watermarkBackwards += 1 }
                lastWatermark[name] = nanoseconds
            } else if let seq = integer("seq", in: value) {
                data += 1
                if seq <= lastSeq[name, default: -1] { backwards += 1 }
                lastSeq[name] = seq
            }
        }
        #expect(data == expected.count, "data records in Kafka: \(data)")
        #expect(backwards == 0, "seqs go back \(backwards) times within a partition")
        #expect(watermarkBackwards == 0, "watermarks go back \(watermarkBackwards) times within a partition")
    }

    static func generated() async throws -> CommandResult {
        try await runCLI(["generate", "--config", config.path, "--duration", "600", "--seed", "7", "--out", "-"])
    }

    @Test("SIGKILL three times at seeded moments: exactly generate's stream")
    func sigkillLoop() async throws {
        let generated = try await Self.generated()
        #expect(generated.status == 0)
        let scenario = try await onThread { try Self.scenario(signal: SIGKILL, seed: 2026) }
        Self.check(scenario, signal: "SIGKILL", generated: generated)
        #expect(scenario.statuses.dropLast() == [nil, nil, nil], "each kill lands while the run is going")
    }

    @Test("SIGTERM three times at seeded moments: exactly generate's stream, sessions continue")
    func sigtermLoop() async throws {
        let generated = try await Self.generated()
        let scenario = try await onThread { try Self.scenario(signal: SIGTERM, seed: 11) }
        Self.check(scenario, signal: "SIGTERM", generated: generated)
        #expect(scenario.statuses == [0, 0, 0, 0], "a resumable stop exits 0: \(scenario.statuses)")
        #expect(!scenario.consumed.stdout.split(separator: 0x0A).contains { $0.contains(Array("\"shutdown\"".utf8)) },
                "no session was closed with shutdown")
    }
}
