import TestSupport
import Foundation
import Glibc
import Logging
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig

/// The fields of an event line these tests look at.
private struct StreamEvent: Decodable {
    var type: String
    var seq: UInt64?
    var sessionId: String?
    var reason: String?
    var turns: Int?

    static func decode(_ lines: [Substring]) throws -> [StreamEvent] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try lines.map { try decoder.decode(StreamEvent.self, from: Data($0.utf8)) }
    }
}

/// What a stream stopped by SIGTERM must satisfy: consecutive seqs from 0 (nothing lost
/// or repeated), some sessions ended by the shutdown, and every session that started
/// also ended, exactly once. Returns the problems found.
private func shutdownStreamProblems(_ events: [StreamEvent]) -> [String] {
    var problems: [String] = []
    let seqs = events.compactMap(\.seq).sorted()
    if seqs != Array(0..<UInt64(events.count)) {
        problems.append("seqs are not 0..<\(events.count): \(seqs.count) seqs, \(Set(seqs).count) unique, max \(seqs.last ?? 0)")
    }
    if !events.contains(where: { $0.type == "session_ended" && $0.reason == "shutdown" }) {
        problems.append("no session_ended with reason shutdown")
    }
    let started = events.filter { $0.type == "session_started" }.compactMap(\.sessionId)
    let ended = events.filter { $0.type == "session_ended" }.compactMap(\.sessionId)
    if Set(started).count != started.count || Set(ended).count != ended.count {
        problems.append("a session started or ended twice")
    }
    if Set(started) != Set(ended) {
        problems.append("\(Set(started).subtracting(ended).count) sessions never ended, \(Set(ended).subtracting(started).count) ended without starting")
    }
    return problems
}

private func silentLogger() -> Logger {
    Logger(label: "cli-test") { _ in SwiftLogNoOpLogHandler() }
}

/// Reads `topics` (name, partitions) from the beginning until `count` data records (not
/// watermarks) arrived in all or `timeout` passed, then until nothing new came for half a
/// second, to catch duplicates.
private func consumeData(bootstrap: String, topics: [(String, Int32)], count: Int, timeout: Double = 30) throws -> [ConsumedRecord] {
    let consumers = try topics.map { topic, partitions in
        let consumer = try KafkaConsumer(bootstrapServers: bootstrap, logger: silentLogger())
        try consumer.assignAll(topic: topic, partitionCount: partitions)
        return consumer
    }
    let deadline = Date().addingTimeInterval(timeout)
    var records: [ConsumedRecord] = []
    var lastArrival = Date()
    while Date() < deadline {
        if records.count >= count && Date().timeIntervalSince(lastArrival) >= 0.5 { break }
        for consumer in consumers {
            do {
                if let record = try consumer.poll(timeoutMs: 20) {
                    lastArrival = Date()
                    if record.header("event-type") != Array("watermark".utf8) { records.append(record) }
                }
            } catch {
                if error.isFatal { throw error }
            }
        }
    }
    return records
}

/// The sum of `llm_workload_events_generated_total` over its series, or 0 when the
/// scrape fails.
private func generatedEvents(port: UInt16) -> Double {
    guard let (status, body) = try? httpGet(port: port, path: "/metrics"), status == 200,
          let exposition = try? Exposition(parsing: body) else { return 0 }
    return exposition.samples.filter { $0.name == "llm_workload_events_generated_total" }.reduce(0) { $0 + $1.value }
}

/// `llm-workload run` as a process: signals, sd_notify, /metrics and /healthz.
@Suite("run (the binary)", .timeLimit(.minutes(10)))
struct RunProcessTests {
    @Test("SIGTERM during a realtime run to stdout: exit 0, every open session ends with reason shutdown")
    func sigtermToStdout() async throws {
        let (status, stdout, stderr) = try await onThread {
            let daemon = try DaemonProcess(["run", "--config", "config/example.yaml", "--seed", "5", "--mode", "realtime",
                                            "--sink", "stdout", "--metrics-listen", ""])
            // About 20 events/s: 2 s in, conversational sessions are waiting for their next turn.
            _ = daemon.wait(upTo: 20) { daemon.stdout.split(separator: "\n").count >= 40 || !daemon.isRunning }
            daemon.send(SIGTERM)
            return (daemon.waitForExit(timeout: 20), daemon.stdout, daemon.stderr)
        }
        #expect(status == 0, "\(stderr)")
        let lines = stdout.split(separator: "\n")
        #expect(lines.count >= 40)
        let events = try StreamEvent.decode(lines)
        let problems = shutdownStreamProblems(events)
        #expect(problems.isEmpty, "\(problems)")
        #expect(stderr.contains("stop requested"), "the stop was logged")
    }

    @Test("SIGTERM during a realtime run to Kafka (mock cluster in the test, over loopback): exit 0, every event once")
    func sigtermToKafka() async throws {
        let cluster = try MockCluster(brokers: 3, logger: silentLogger())
        let topics = KafkaTopics()
        let partitions: [String: Int32] = [topics.requests: 4, topics.sessions: 3]
        for (topic, count) in partitions { try cluster.createTopic(topic, partitions: count) }
        let bootstrap = cluster.bootstrapServers

        let (status, stderr, records) = try await onThread {
            let daemon = try DaemonProcess(["run", "--config", "config/example.yaml", "--seed", "5", "--mode", "realtime",
                                            "--brokers", bootstrap, "--metrics-listen", "127.0.0.1:0"])
            // The metrics address is announced once the producer is connected; stop once
            // at least 30 events went out (about 2.5 s at the example's rate), by the
            // metrics rather than by the clock, so a busy machine cannot make it too early.
            if let port = daemon.waitForMetricsPort() {
                _ = daemon.wait(upTo: 30) { generatedEvents(port: port) >= 30 || !daemon.isRunning }
            }
            daemon.send(SIGTERM)
            let status = daemon.waitForExit(timeout: 40)
            // "published N events (...)": N data records to read back.
            let summary = daemon.stderr.split(separator: "\n").first { $0.hasPrefix("published ") } ?? ""
            let published = summary.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            let records = try consumeData(bootstrap: bootstrap, topics: [(topics.requests, 4), (topics.sessions, 3)],
                                          count: published)
            return (status, daemon.stderr, records)
        }
        #expect(status == 0, "\(stderr)")
        let summary = stderr.split(separator: "\n").first { $0.hasPrefix("published ") } ?? ""
        let published = summary.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
        #expect(records.count == published, "\(summary)")
        #expect(published >= 30)
        let events = try StreamEvent.decode(records.map { Substring(String(decoding: $0.value, as: UTF8.self)) })
        let problems = shutdownStreamProblems(events)
        #expect(problems.isEmpty, "\(problems)")
        let misplaced = records.filter { record in
            record.partition != Murmur2.partition(forKey: record.key, partitionCount: partitions[record.topic] ?? 1)
        }
        #expect(misplaced.isEmpty)
    }

    @Test("sd_notify: READY=1, STATUS=, WATCHDOG=1 every half WATCHDOG_USEC, STOPPING=1, EXTEND_TIMEOUT_USEC=, in that order")
    func sdNotify() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llm-workload-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notify").path
        let socket = try NotifySocket(name: path, abstract: false, receiveTimeout: 0.2)

        let (status, stderr, messages) = try await onThread {
            let daemon = try DaemonProcess(
                ["run", "--config", "config/example.yaml", "--mode", "realtime", "--duration", "2", "--sink", "null",
                 "--metrics-listen", ""],
                environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"])
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(30)
            while daemon.isRunning, messages.count < 1_000, Date() < deadline {
                if let message = socket.receive() { messages.append(message) }
            }
            let status = daemon.waitForExit(timeout: 20)
            while let message = socket.receive() { messages.append(message) }
            return (status, daemon.stderr, messages)
        }
        #expect(status == 0, "\(stderr)")
        let ready = messages.firstIndex(of: "READY=1")
        let firstStatus = messages.firstIndex { $0.hasPrefix("STATUS=") }
        let watchdogs = messages.indices.filter { messages[$0] == "WATCHDOG=1" }
        let stopping = messages.firstIndex(of: "STOPPING=1")
        print("sd_notify: \(messages.count) messages, \(watchdogs.count) WATCHDOG=1: \(messages.filter { $0 != "WATCHDOG=1" })")
        #expect(ready == 0, "READY=1 first: \(messages.prefix(3))")
        #expect(firstStatus.map { $0 > (ready ?? .max) } ?? false, "a STATUS= after READY=1")
        // 2 s with a 200 ms watchdog pinged at half that: about 20.
        #expect(watchdogs.count >= 5, "\(watchdogs.count) WATCHDOG=1")
        #expect(watchdogs.first.map { $0 > (ready ?? .max) } ?? false)
        #expect(stopping.map { $0 > (watchdogs.last ?? .max) } ?? false, "STOPPING=1 after the last WATCHDOG=1")
        if let stopping {
            let after = messages[(stopping + 1)...]
            #expect(after.allSatisfy { $0.hasPrefix("STATUS=") || $0 == "STOPPING=1" || $0.hasPrefix("EXTEND_TIMEOUT_USEC=") },
                    "only status and the stop's extension after STOPPING=1: \(after)")
            // The stop asks systemd for its budget (flush_timeout_s, 30 s by default) plus a 5 s margin.
            let extensions = after.filter { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }.compactMap { Int($0.dropFirst(20)) }
            #expect(extensions.count == 1 && extensions[0] >= 30_000_000 && extensions[0] <= 35_000_000, "\(after)")
        }
    }

    @Test("/metrics during a run parses as Prometheus text with the daemon's families; /healthz is 200")
    func metricsDuringARun() async throws {
        let (status, stderr, metrics, health) = try await onThread {
            let daemon = try DaemonProcess(["run", "--config", "config/example.yaml", "--mode", "realtime", "--duration", "6",
                                            "--sink", "null", "--metrics-listen", "127.0.0.1:0"])
            var metrics: (status: Int, body: String)?
            var health: (status: Int, body: String)?
            if let port = daemon.waitForMetricsPort() {
                // About a second in (15 events at ~12/s), by the metrics rather than the clock.
                _ = daemon.wait(upTo: 5) { generatedEvents(port: port) >= 15 || !daemon.isRunning }
                metrics = try? httpGet(port: port, path: "/metrics")
                health = try? httpGet(port: port, path: "/healthz")
            }
            return (daemon.waitForExit(timeout: 20), daemon.stderr, metrics, health)
        }
        #expect(status == 0, "\(stderr)")
        #expect(health?.status == 200)
        let scrape = try #require(metrics)
        #expect(scrape.status == 200)
        let exposition = try Exposition(parsing: scrape.body)
        #expect(exposition.types["llm_workload_events_generated_total"] == "counter")
        #expect(exposition.types["llm_workload_active_sessions"] == "gauge")
        #expect(exposition.types["llm_workload_virtual_time_seconds"] == "gauge")
        for type in ["request", "session_started", "session_ended"] {
            #expect(exposition.value("llm_workload_events_generated_total", ["type": type, "profile": "interactive_chat"]) != nil,
                    "a series for \(type)")
        }
        // About a second into a realtime run at ~5 sessions/s.
        #expect((exposition.value("llm_workload_events_generated_total", ["type": "session_started", "profile": "interactive_chat"]) ?? 0) > 0)
        #expect((exposition.value("llm_workload_virtual_time_seconds") ?? 0) > 0)
        // Conversational sessions wait 5 s between turns: some are open 1.5 s in.
        #expect((exposition.value("llm_workload_active_sessions") ?? 0) > 0)
        #expect(exposition.types["llm_workload_pacing_lateness_seconds"] == "histogram")
        #expect(exposition.value("llm_workload_up") == 1)
    }

    @Test("SIGHUP during a run is ignored: the run goes on and exits 0")
    func sighupIsIgnored() async throws {
        let (status, stderr, aliveAfter, healthAfter) = try await onThread {
            let daemon = try DaemonProcess(["run", "--config", "config/example.yaml", "--mode", "realtime", "--duration", "4",
                                            "--sink", "null", "--metrics-listen", "127.0.0.1:0"])
            var alive = false
            var health: Int?
            if let port = daemon.waitForMetricsPort() {
                Thread.sleep(forTimeInterval: 0.5)
                daemon.send(SIGHUP)
                Thread.sleep(forTimeInterval: 0.3)
                daemon.send(SIGHUP)
                Thread.sleep(forTimeInterval: 0.5)
                alive = daemon.isRunning
                health = try? httpGet(port: port, path: "/healthz").status
            }
            return (daemon.waitForExit(timeout: 20), daemon.stderr, alive, health)
        }
        #expect(aliveAfter)
        #expect(healthAfter == 200)
        #expect(status == 0, "\(stderr)")
        #expect(stderr.components(separatedBy: "SIGHUP received and ignored").count - 1 == 2, "\(stderr)")
    }
}
