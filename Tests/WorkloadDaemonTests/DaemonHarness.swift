import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig
import WorkloadTraces

/// The parent of the daemon tests that run Kafka or pace in real time. Not serialised: each test
/// case holds ``MachineGate`` shared (`.loadsTheMachine`: at most three run at once, beside the rest
/// of the suite), except the few whose assertions read the wall clock (pacing lateness, fault
/// timelines, health timeouts), which carry `.quietMachine` and hold it alone, so that no other heavy
/// work of this process runs while they do. Run side by side with the CPU-bound tests and no gate,
/// those wall-clock tests failed on a loaded machine; the daemons the tests start run on threads of
/// their own (`DaemonRun`).
@Suite("Daemon integration", .loadsTheMachine, .integration, .tags(.integration), .timeLimit(.minutes(10)))
struct DaemonIntegrationTests {}

/// The repository root (three levels above this file).
let daemonRepositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// 2026-01-01T00:00:00Z: a fixed `clock.start`, so that `run` and `generate` emit the
/// same `time` values.
let fixedClockStart: Int64 = 1_767_225_600_000_000_000

/// Logger for the daemon under test: silent unless DAEMON_TEST_LOG is set (then
/// warnings and up go to standard error).
func daemonTestLogger(_ label: String) -> Logger {
    if ProcessInfo.processInfo.environment["DAEMON_TEST_LOG"] != nil {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }
    return Logger(label: label) { _ in SwiftLogNoOpLogHandler() }
}

/// Keeps librdkafka's per-batch produce errors ("... encountered error: ...", logged at
/// debug level with `debug=msg`) and everything at warning or above, so a fault test can
/// show that its injected faults were hit.
final class ProduceErrorLog: LogHandler, @unchecked Sendable {
    // @unchecked Sendable: the shared state is `entries` (a Mutex); metadata and
    // logLevel are value-copied per Logger as swift-log expects.
    let entries = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let message = "\(event.message)"
        guard event.level >= .warning || message.contains("encountered error") else { return }
        entries.withLock { $0.append(message) }
    }

    /// The error of each failed batch ("Broker: Not leader for partition", ...).
    var produceErrors: [String] {
        entries.withLock { $0 }.compactMap { line in
            line.range(of: "encountered error: ").map { String(line[$0.upperBound...].prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces) }
        }
    }
}

/// `config/example.yaml` with the overrides every daemon test wants: a fixed seed,
/// duration and `clock.start`, an ephemeral metrics port, quick reconnects.
func exampleConfiguration(duration: Double, seed: UInt64 = 7) throws -> Configuration {
    var configuration = try Configuration.load(path: daemonRepositoryRoot.appendingPathComponent("config/example.yaml").path)
    configuration.override(duration: duration, seed: seed)
    configuration.clock.startUnixNanoseconds = fixedClockStart
    configuration.metrics.listen = "127.0.0.1:0"
    // librdkafka's default reconnect backoff grows to 10 s: too slow after a 2 s outage.
    configuration.kafka.librdkafka["reconnect.backoff.max.ms"] = "500"
    return configuration
}

/// The lines `generate` writes for `configuration`, without their newlines.
func generatedLines(_ configuration: Configuration) throws -> [String] {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("llm-workload-daemon-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl")
    defer { try? FileManager.default.removeItem(at: url) }
    _ = try StreamGenerator.write(configuration, to: FileOutput(path: url.path))
    return try jsonLines(at: url)
}

/// The lines of a JSON Lines file, without their newlines.
func jsonLines(at url: URL) throws -> [String] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// Runs `body` on a thread of its own and returns its result. Test scenarios block
/// (sleeping through fault timelines, polling Kafka); on a dedicated thread they
/// neither starve the cooperative pool nor get delayed by other tests that block it.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "daemon-test-scenario"
        thread.start()
    }
}

/// Runs `body` (an async test body that blocks: it waits on in-process daemons, consumers or
/// child processes synchronously) on threads of its own, so that the body's blocking holds
/// neither of the cooperative pool's threads -- two on two cores -- which every other test needs.
/// Unlike `onThread`, the body keeps the test's task context, so `#expect` inside it is recorded
/// against the test.
func onScenarioExecutor<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(ThreadsExecutor(name: "daemon-test-scenario")) { try await body() }
}

/// Sleeps the calling thread.
func pause(_ seconds: Double) {
    Thread.sleep(forTimeInterval: seconds)
}

/// One `Daemon.runBlocking` on a thread of its own, with what it announced and how it
/// ended. Its `StopSignal` has no signal handlers: tests set it directly.
final class DaemonRun: Sendable {
    let stop = StopSignal()
    private let state = Mutex<State>(State())
    private let started = ContinuousClock.now

    private struct State {
        var announcements: [String] = []
        var status: Int32?
        var finishedAfter: Duration?
    }

    init(configuration: Configuration, options: RunOptions, clock: any WallClock = SystemWallClock(),
         logger: Logger = daemonTestLogger("daemon")) {
        let thread = Thread { [self] in
            let status = Daemon.runBlocking(
                configuration: configuration, options: options, stop: stop, clock: clock, logger: logger,
                executor: ThreadsExecutor(name: "daemon-under-test"), announce: { line in self.state.withLock { $0.announcements.append(line) } })
            let elapsed = ContinuousClock.now - started
            state.withLock {
                $0.status = status
                $0.finishedAfter = elapsed
            }
        }
        thread.name = "daemon-under-test"
        thread.start()
    }

    var announcements: [String] { state.withLock { $0.announcements } }
    var status: Int32? { state.withLock { $0.status } }
    var isFinished: Bool { status != nil }
    /// Wall time from start to the return of `runBlocking`.
    var duration: Duration? { state.withLock { $0.finishedAfter } }

    /// Waits for an announcement containing `text`; nil if none came within `timeout`
    /// seconds (or the run ended without one).
    func waitForAnnouncement(containing text: String, timeout: Double) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (lines, finished) = state.withLock { ($0.announcements, $0.status != nil) }
            if let line = lines.first(where: { $0.contains(text) }) { return line }
            if finished { return nil }
            pause(0.005)
        }
        return nil
    }

    /// The port of "metrics at http://HOST:PORT/metrics", once announced (after the sink
    /// is connected and just before generation starts).
    func waitForMetricsPort(timeout: Double = 30) -> UInt16? {
        guard let line = waitForAnnouncement(containing: "metrics at http://", timeout: timeout),
              let start = line.range(of: "metrics at http://") else { return nil }
        let address = line[start.upperBound...].prefix { $0 != "/" }
        return address.split(separator: ":").last.flatMap { UInt16($0) }
    }

    /// Waits for the exit status; on timeout asks the run to stop and waits a little
    /// more, so a hung run fails the test instead of hanging it.
    func waitForStatus(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status { return status }
            pause(0.01)
        }
        stop.set()
        let grace = Date().addingTimeInterval(10)
        while Date() < grace {
            if status != nil { break }
            pause(0.01)
        }
        return nil
    }
}

/// A mock cluster with the example's topics, created explicitly (4 partitions for
/// requests, 3 for sessions, so the two topics place a session differently; and,
/// when asked, the completions topic).
struct DaemonKafkaFixture {
    let cluster: MockCluster
    let topics: KafkaTopics
    let partitions: [String: Int32]

    init(requestPartitions: Int32 = 4, sessionPartitions: Int32 = 3, completionPartitions: Int32? = nil, replicationFactor: Int32 = 1) throws {
        cluster = try MockCluster(brokers: 3, logger: daemonTestLogger("mock"))
        var topics = KafkaTopics()
        topics.carriesCompletions = completionPartitions != nil
        self.topics = topics
        var partitions = [topics.requests: requestPartitions, topics.sessions: sessionPartitions]
        if let completionPartitions { partitions[topics.completions] = completionPartitions }
        self.partitions = partitions
        for (topic, count) in partitions {
            try cluster.createTopic(topic, partitions: count, replicationFactor: replicationFactor)
        }
    }

    /// `configuration` pointed at this cluster.
    func configure(_ configuration: Configuration) -> Configuration {
        var configuration = configuration
        configuration.kafka.brokers = cluster.bootstrapServers
        return configuration
    }

    /// Every record of both topics, read until the data records of `expectedLines` are
    /// all there and then quiet.
    func consume(expecting expectedLines: [String]) throws -> [ConsumedRecord] {
        try consumeAll(bootstrap: cluster.bootstrapServers,
                       topics: topics.inUse.map { ($0, partitions[$0]!) },
                       minimumData: expectedLines.count)
    }
}

/// Reads every record of `topics` (name, partition count) from the beginning, one
/// consumer per topic polled in turn: at least `minimumData` non-watermark records in all
/// (bounded by `timeout`), then until nothing new came for `quiet`, to catch duplicates
/// and trailing watermarks.
func consumeAll(
    bootstrap: String, topics: [(name: String, partitions: Int32)], minimumData: Int,
    timeout: Double = 10, quiet: Double = 0.5
) throws -> [ConsumedRecord] {
    let consumers = try topics.map { topic in
        let consumer = try KafkaConsumer(bootstrapServers: bootstrap, logger: daemonTestLogger("reader"))
        try consumer.assignAll(topic: topic.name, partitionCount: topic.partitions)
        return consumer
    }
    let deadline = Date().addingTimeInterval(timeout)
    var records: [ConsumedRecord] = []
    var data = 0
    var lastArrival = Date()
    while Date() < deadline {
        if data >= minimumData && Date().timeIntervalSince(lastArrival) >= quiet { break }
        for consumer in consumers {
            do {
                while let record = try consumer.poll(timeoutMs: 10) {
                    records.append(record)
                    if record.header("event-type") != Array("watermark".utf8) { data += 1 }
                    lastArrival = Date()
                }
            } catch {
                if error.isFatal { throw error }
                // Otherwise informational (a broker went away and came back): keep reading.
            }
        }
    }
    return records
}

/// The run's summary line, "published N events (D records delivered incl. watermarks,
/// F failed, U undelivered) over ...", and its numbers in that order (N, D, F, U, ...).
func publishedSummary(_ announcements: [String]) -> (line: String, numbers: [Int]) {
    let line = announcements.first { $0.hasPrefix("published ") } ?? ""
    return (line, line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) })
}
