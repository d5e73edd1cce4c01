import Foundation
import Glibc
import Logging
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig

/// The stop's one budget and a stop while connecting, on the binary with real signals.
@Suite("run: bounded stops", .serialized, .timeLimit(.minutes(10)))
struct ShutdownTests {
    /// Runs the daemon against a mock cluster, takes every broker down once the queue
    /// is busy, lets the outage fill the queue, then sends `signals` (the first at once,
    /// each further one `gap` seconds later). Returns the exit status, the standard
    /// error and the seconds from the first signal to the exit.
    private func stopDuringOutage(flushTimeout: Int, signals: Int, gap: Double = 0.3) async throws
        -> (status: Int32?, stderr: String, seconds: Double) {
        let cluster = try MockCluster(brokers: 3, logger: Logger(label: "mock") { _ in SwiftLogNoOpLogHandler() })
        let topics = KafkaTopics()
        try cluster.createTopic(topics.requests, partitions: 4, replicationFactor: 3)
        try cluster.createTopic(topics.sessions, partitions: 3, replicationFactor: 3)
        // A small producer queue, so that the outage fills it and closing the open
        // sessions has to wait for room: that wait and the flush share the budget.
        let example = try String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8)
        let config = try temporaryFile("outage-stop-\(flushTimeout).yaml", contents: example + """

            kafka:
              flush_timeout_s: \(flushTimeout)
              librdkafka: {queue.buffering.max.messages: "300", reconnect.backoff.max.ms: "500"}
            """)
        let bootstrap = cluster.bootstrapServers
        return try await onThread { () -> (Int32?, String, Double) in
            let daemon = try DaemonProcess(["run", "--config", config.path, "--seed", "5", "--mode", "accelerated",
                                            "--speed", "50", "--brokers", bootstrap, "--metrics-listen", "127.0.0.1:0"])
            _ = daemon.waitForMetricsPort()
            usleep(300_000)
            for broker in 1...cluster.brokerCount { try cluster.setBrokerDown(broker) }
            usleep(1_500_000)  // the queue fills and the generator waits for room
            let stopped = Date()
            for index in 0..<signals {
                if index > 0 { usleep(UInt32(gap * 1e6)) }
                daemon.send(SIGTERM)
            }
            let status = daemon.waitForExit(timeout: 30)
            let seconds = Date().timeIntervalSince(stopped)
            for broker in 1...cluster.brokerCount { try cluster.setBrokerUp(broker) }
            return (status, daemon.stderr, seconds)
        }
    }

    @Test("SIGTERM during an outage with flush_timeout_s 3: exit within 4 s, the undelivered count logged")
    func sigtermDuringOutage() async throws {
        let (status, stderr, stopSeconds) = try await stopDuringOutage(flushTimeout: 3, signals: 1)
        print("SIGTERM during an outage, flush_timeout_s 3: exited after \(stopSeconds) s")
        let summary = stderr.split(separator: "\n").first { $0.hasPrefix("published ") } ?? ""
        print("  \(summary)")
        #expect(status == 69, "undelivered events are not success: \(stderr)")
        #expect(stopSeconds < 4, "one budget of 3 s for waiting for room and flushing together")
        // "published N events (D records delivered incl. watermarks, F failed, U undelivered) over ..."
        let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count >= 4 && numbers[3] > 0, "the undelivered count is logged: \(summary)")
        #expect(stderr.contains("not every event was delivered"), "\(stderr)")
    }

    @Test("a second SIGTERM while the first waits out an outage: exit 143 at once, without the flush")
    func secondSignalEscalates() async throws {
        // A 20 s budget: the first signal alone would wait for it (the brokers stay down).
        let (status, stderr, stopSeconds) = try await stopDuringOutage(flushTimeout: 20, signals: 2, gap: 0.3)
        print("second SIGTERM 0.3 s after the first, flush_timeout_s 20: exited after \(stopSeconds) s, status \(status.map(String.init) ?? "signal")")
        #expect(status == 128 + SIGTERM, "\(stderr)")
        #expect(stopSeconds < 2, "the second signal does not wait for the 20 s budget")
        #expect(stderr.contains("second stop signal"), "\(stderr)")
        #expect(!stderr.contains("published "), "no summary: it exited without flushing")
    }

    @Test("SIGTERM while connecting to an unreachable broker: exit 0 within 1 s")
    func sigtermWhileConnecting() async throws {
        let (status, stderr, stopSeconds) = try await onThread { () -> (Int32?, String, Double) in
            // Port 9 (discard) on loopback: nothing listens, so the connection is refused forever.
            let daemon = try DaemonProcess(["run", "--config", "config/example.yaml", "--brokers", "127.0.0.1:9",
                                            "--metrics-listen", "127.0.0.1:0"])
            usleep(800_000)  // well into the 30 s connection wait
            let stopped = Date()
            daemon.send(SIGTERM)
            let status = daemon.waitForExit(timeout: 40)
            return (status, daemon.stderr, Date().timeIntervalSince(stopped))
        }
        print("SIGTERM while connecting: exited after \(stopSeconds) s")
        #expect(status == 0, "\(stderr)")
        #expect(stopSeconds < 1, "the stop ends the connection wait at once")
        #expect(stderr.contains("stopped while connecting"), "\(stderr)")
    }
}
