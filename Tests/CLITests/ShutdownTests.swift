import Foundation
import Glibc
import Logging
import Testing
import WorkloadDaemon
import WorkloadKafka

/// The stop's one budget and a stop while connecting, on the binary with real signals.
@Suite("run: bounded stops", .serialized)
struct ShutdownTests {
    @Test("SIGTERM during an outage with flush_timeout_s 3: exit within 4 s, the undelivered count logged")
    func sigtermDuringOutage() async throws {
        let cluster = try MockCluster(brokers: 3, logger: Logger(label: "mock") { _ in SwiftLogNoOpLogHandler() })
        let topics = KafkaTopics()
        try cluster.createTopic(topics.requests, partitions: 4, replicationFactor: 3)
        try cluster.createTopic(topics.sessions, partitions: 3, replicationFactor: 3)
        // A small producer queue, so that the outage fills it and closing the open
        // sessions has to wait for room: that wait and the flush share the 3 s.
        let example = try String(contentsOf: repositoryRoot.appendingPathComponent("config/example.yaml"), encoding: .utf8)
        let config = try temporaryFile("outage-stop.yaml", contents: example + """

            kafka:
              flush_timeout_s: 3
              librdkafka: {queue.buffering.max.messages: "300", reconnect.backoff.max.ms: "500"}
            """)
        let bootstrap = cluster.bootstrapServers
        let (status, stderr, stopSeconds) = try await onThread { () -> (Int32?, String, Double) in
            let daemon = try DaemonProcess(["run", "--config", config.path, "--seed", "5", "--mode", "accelerated",
                                            "--speed", "50", "--brokers", bootstrap, "--metrics-listen", "127.0.0.1:0"])
            _ = daemon.waitForMetricsPort()
            usleep(300_000)
            for broker in 1...cluster.brokerCount { try cluster.setBrokerDown(broker) }
            usleep(1_500_000)  // the queue fills and the generator waits for room
            let stopped = Date()
            daemon.send(SIGTERM)
            let status = daemon.waitForExit(timeout: 30)
            let seconds = Date().timeIntervalSince(stopped)
            for broker in 1...cluster.brokerCount { try cluster.setBrokerUp(broker) }
            return (status, daemon.stderr, seconds)
        }
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
