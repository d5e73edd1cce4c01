import Foundation
import Glibc
import Logging
import Testing
import WorkloadConfig
import TestSupport
import WorkloadKafka

/// The daemon against a real Kafka-protocol broker over TCP (noida-db, a separate Rust
/// implementation), where every other Kafka test talks to librdkafka's own mock cluster,
/// i.e. the same library on both ends. Each test starts its own broker on a free port.
///
/// What the mock cannot show: a broker that does not auto-create topics. librdkafka's mock
/// cluster creates any topic a client asks metadata for (with its default partition count),
/// so a run against it never finds a topic missing; here a run whose topics are missing
/// exits 78 and leaves the broker without them, and `kafka.create_topics` makes them
/// with the partition count asked for.
@Suite("real broker (noida-db over TCP)", .needs(.noidaDB), .integration, .tags(.integration), .serialized, .timeLimit(.minutes(10)))
struct RealBrokerTests {
    static let logger = Logger(label: "real-broker-test") { _ in SwiftLogNoOpLogHandler() }
    static let start = "2026-01-01T00:00:00Z"

    static func broker() async throws -> NoidaBroker {
        let executable = try ExternalTool.noidaDB.require()
        // Its start-up polls the port: on a thread of its own, not the cooperative pool.
        return try await onThread { try NoidaBroker(executable: executable) }
    }

    /// The example with a fixed start, and `create_topics` when given.
    static func config(_ name: String, createTopics: String? = nil) throws -> URL {
        var tree = try ConfigTree(file: "config/example.yaml")
        try tree.set("clock.start", yaml: "'\(start)'")
        try tree.set("metrics.listen", yaml: "''")
        if let createTopics { try tree.set("kafka.create_topics", yaml: createTopics) }
        return try temporaryFile("real-broker-\(name).yaml", contents: try tree.yaml())
    }

    static func partitionCounts(_ bootstrap: String) throws -> [String: Int32] {
        try KafkaAdmin(bootstrapServers: bootstrap, logger: logger).topicPartitionCounts(timeoutMs: 10_000)
            .filter { !$0.key.hasPrefix("__") }
    }

    /// Equal, or the first line that differs printed (not two arrays of bytes).
    static func sameBytes(_ got: Data, _ expected: Data) -> Bool {
        guard got != expected else { return true }
        let a = got.split(separator: 0x0A), b = expected.split(separator: 0x0A)
        let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        print("""
            streams differ at line \(index + 1) of \(b.count) expected (\(a.count) read):
              read:     \(index < a.count ? String(decoding: a[index], as: UTF8.self).prefix(300) : "(end)")
              expected: \(index < b.count ? String(decoding: b[index], as: UTF8.self).prefix(300) : "(end)")
            """)
        return false
    }

    @Test("CreateTopics (Admin API): N partitions each, a second create finds them, an impossible request is refused")
    func adminCreatesTopicsWithPartitions() async throws {
        let broker = try await Self.broker()
        let admin = try KafkaAdmin(bootstrapServers: broker.bootstrap, logger: Self.logger)
        let wanted = [NewTopic(name: "one", partitions: 1, replicationFactor: 1),
                      NewTopic(name: "four", partitions: 4, replicationFactor: 1),
                      NewTopic(name: "twelve", partitions: 12, replicationFactor: 1)]
        #expect(try admin.createTopics(wanted, timeoutMs: 10_000) == [.created, .created, .created], "\(broker.log)")
        #expect(try Self.partitionCounts(broker.bootstrap) == ["one": 1, "four": 4, "twelve": 12])
        #expect(try admin.createTopics([wanted[1]], timeoutMs: 10_000) == [.alreadyExists])
        // Three replicas on a one-broker cluster cannot be placed.
        let impossible = try admin.createTopics([NewTopic(name: "three-replicas", partitions: 1, replicationFactor: 3)], timeoutMs: 10_000)
        guard case .failed(let error) = impossible.first else {
            Issue.record("three replicas on one broker: \(impossible)")
            return
        }
        #expect(error.isRefusedRequest, "\(error)")
    }

    /// The daemon's publish path end to end: start-up against missing topics, creating them, publishing
    /// (idempotent producer, acks=all, zstd, explicit partitions, four headers), and reading it back.
    @Test("missing topics: 78 naming topic and key; with create_topics N partitions, and consume yields generate's bytes")
    func missingTopicsThenCreatedThenRoundTrip() async throws {
        let broker = try await Self.broker()
        let plain = try Self.config("plain")
        let creating = try Self.config("create", createTopics: "{partitions: 5, replication_factor: 1}")
        let common = ["--duration", "60", "--seed", "3"]
        // The run ID derives from the configuration's text: generate reads the file the publishing run reads.
        let generated = try await runCLI(["generate", "--config", creating.path, "--out", "-"] + common)
        #expect(generated.status == 0, "\(generated.stderr)")
        let run = ["run", "--brokers", broker.bootstrap, "--mode", "accelerated", "--speed", "max"] + common

        // The processes are waited for on a thread of their own, off Swift's cooperative pool.
        let (refused, afterRefusal, created, afterCreation, consumed) = try await onThread {
            let refused = try runCLIBlocking(run + ["--config", plain.path], timeout: 60)
            let afterRefusal = try Self.partitionCounts(broker.bootstrap)
            let created = try runCLIBlocking(run + ["--config", creating.path], timeout: 120)
            let afterCreation = try Self.partitionCounts(broker.bootstrap)
            let consumed = try runCLIBlocking(["consume", "--brokers", broker.bootstrap, "--from-beginning", "--exit-at-end"], timeout: 60)
            return (refused, afterRefusal, created, afterCreation, consumed)
        }
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("llm.requests (kafka.topics.requests)") && refused.stderr.contains("llm.sessions (kafka.topics.sessions)"),
                "\(refused.stderr)")
        #expect(refused.stderr.contains("kafka.create_topics"), "the message says how to have them created")
        #expect(afterRefusal.isEmpty, "a refused start creates nothing")

        #expect(created.status == 0, "\(created.stderr)\n\(broker.log.suffix(2000))")
        #expect(created.stderr.contains("created the missing topics") && created.stderr.contains("llm.requests, llm.sessions"),
                "\(created.stderr)")
        #expect(afterCreation == ["llm.requests": 5, "llm.sessions": 5])

        #expect(consumed.status == 0, "\(consumed.stderr)")
        #expect(consumed.stderr.contains("every producer's stream has ended"), "\(consumed.stderr)")
        #expect(consumed.stdout.count > 10_000)
        #expect(Self.sameBytes(consumed.stdout, generated.stdout), "consume yields exactly generate's stream")

        // Record by record: the key is the session, the partition murmur2(key) mod 5, the four headers,
        // and every partition of both topics ends with a final watermark.
        let records = try await onThread { try ResumeKillLoopTests.readAll(broker.bootstrap) }
        var wrong: [String] = []
        var finals = Set<String>()
        for record in records {
            let type = String(decoding: record.header("event-type") ?? [], as: UTF8.self)
            #expect(record.header("schema-version") == Array("1".utf8) && record.header("run-id") != nil
                    && record.header("virtual-time") != nil, "headers of \(record.topic)/\(record.partition)@\(record.offset)")
            if type == "watermark" {
                if String(decoding: record.value, as: UTF8.self).contains("\"final\":true") { finals.insert("\(record.topic)/\(record.partition)") }
                continue
            }
            let session = String(decoding: record.value, as: UTF8.self).firstRange(of: "\"session_id\":\"").map {
                String(String(decoding: record.value, as: UTF8.self)[$0.upperBound...].prefix { $0 != "\"" })
            }
            let partition = record.key.withUnsafeBytes { Murmur2.partition(forKey: $0, partitionCount: 5) }
            let key = String(decoding: record.key, as: UTF8.self)
            if session != key || partition != record.partition {
                wrong.append("\(record.topic)/\(record.partition)@\(record.offset) key \(key) session \(session ?? "-")")
            }
            if (type == "request") != (record.topic == "llm.requests") { wrong.append("\(type) on \(record.topic)") }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #expect(finals.count == 10, "a final watermark on each of 2 x 5 partitions: \(finals.sorted())")
        #expect(records.filter { $0.header("event-type") != Array("watermark".utf8) }.count == generated.stdout.split(separator: 0x0A).count)
    }

    /// SIGTERM mid-run, then the same command again with the same state directory: the restart
    /// continues the run from its checkpoint and the broker ends up with every event once.
    @Test("run --state-dir: SIGTERM mid-run, restart continues, consume yields generate's bytes")
    func sigtermThenResume() async throws {
        let broker = try await Self.broker()
        let config = try Self.config("resume", createTopics: "{partitions: 3, replication_factor: 1}")
        let common = ["--config", config.path, "--duration", "300", "--seed", "7"]
        let generated = try await runCLI(["generate"] + common + ["--out", "-"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let state = try temporaryFile("real-broker-state-\(UUID().uuidString.prefix(8))")
        let run = ["run"] + common + ["--brokers", broker.bootstrap, "--mode", "accelerated", "--speed", "60", "--state-dir", state.path]

        let (first, second, consumed) = try await onThread { () throws -> (ProcessResult, ProcessResult, CommandResult) in
            let daemon = try TestProcess(binary.path, run, workingDirectory: repositoryRoot.path)
            _ = daemon.wait(upTo: 30) { daemon.stderr.contains("generating") || !daemon.isRunning }
            usleep(2_000_000)
            daemon.send(SIGTERM)
            let first = daemon.finish(timeout: 60)
            let second = try runProcessBlocking(binary.path, run, workingDirectory: repositoryRoot.path, timeout: 120)
            let consumed = try runCLIBlocking(["consume", "--brokers", broker.bootstrap, "--from-beginning", "--exit-at-end"], timeout: 60)
            return (first, second, consumed)
        }
        #expect(first.status == 0 && !first.timedOut, "a SIGTERM ends the first start cleanly: \(first.stderr.suffix(1500))")
        #expect(second.status == 0 && !second.timedOut, "\(second.stderr.suffix(1500))")
        #expect(second.stderr.contains("continuing run"), "the restart continues the run: \(second.stderr.suffix(1500))")
        #expect(consumed.status == 0, "\(consumed.stderr)")
        #expect(Self.sameBytes(consumed.stdout, generated.stdout), "consume yields exactly generate's stream after the restart")
    }
}
