import TestSupport
import Foundation
import Logging
import Testing
import WorkloadDaemon
import WorkloadKafka
import WorkloadConfig

/// What one run under a fault timeline produced.
struct FaultRunResult: Sendable {
    var status: Int32?
    var records: [ConsumedRecord]
    var scrapes: [MetricsScraper.Scrape]
    /// Seconds (on the scrapes' clock) at which the script marked something.
    var marks: [String: Double]
    var announcements: [String]
    var duration: Duration?
    var metricsPort: UInt16?
    /// librdkafka's failed-batch errors, when the run asked for `debug=msg`.
    var produceErrors: [String] = []
    /// From just before the run started to just after it ended.
    var wallClock: ClosedRange<Date>
}

/// Runs the example for `duration` virtual seconds at `speed` against `fixture`,
/// scraping /metrics every 100 ms; once the daemon is connected (it announces its
/// metrics address), `script` injects faults and returns its marks (times from
/// `Date()`). The records are read back after the run, with every broker up.
func runUnderFaults(
    _ fixture: DaemonKafkaFixture, duration: Double, speed: Double, flushTimeout: Double = 30,
    librdkafka: [String: String] = [:], consume: Bool = true,
    script: @escaping @Sendable (MockCluster) throws -> [String: Date]
) async throws -> (result: FaultRunResult, expected: [String], configuration: Configuration) {
    var configuration = fixture.configure(try exampleConfiguration(duration: duration))
    configuration.clock.mode = .accelerated
    configuration.clock.speed = speed
    configuration.kafka.flushTimeoutSeconds = flushTimeout
    // librdkafka logs each failed batch at debug level with debug=msg: kept to show the faults hit.
    configuration.kafka.librdkafka["debug"] = "msg"
    configuration.kafka.librdkafka.merge(librdkafka) { $1 }
    let expected = try generatedLines(configuration)
    let runConfiguration = configuration
    let log = ProduceErrorLog()
    let result = try await onThread {
        let started = Date()
        let run = DaemonRun(configuration: runConfiguration, options: RunOptions(), logger: Logger(label: "daemon") { _ in log })
        guard let port = run.waitForMetricsPort() else {
            _ = run.waitForStatus(timeout: 30)
            return FaultRunResult(status: run.status, records: [], scrapes: [], marks: [:],
                                  announcements: run.announcements, duration: run.duration, wallClock: started...Date())
        }
        let scraper = MetricsScraper(port: port, interval: 0.1)
        let marks = try script(fixture.cluster).mapValues { $0.timeIntervalSince(scraper.start) }
        let status = run.waitForStatus(timeout: 90)
        let ended = Date()
        let scrapes = scraper.finish()
        // A fault test must not leave a broker down for the reader.
        for broker in 1...fixture.cluster.brokerCount { try fixture.cluster.setBrokerUp(broker) }
        let records = consume ? try fixture.consume(expecting: expected) : []
        return FaultRunResult(status: status, records: records, scrapes: scrapes, marks: marks,
                              announcements: run.announcements, duration: run.duration, metricsPort: port,
                              produceErrors: log.produceErrors, wallClock: started...ended)
    }
    #expect(result.metricsPort != nil, "the daemon announces its metrics address once connected: \(result.announcements)")
    return (result, expected, configuration)
}

/// `name`'s value in each scrape taken between `from` and `to` seconds.
func samples(_ name: String, in scrapes: [MetricsScraper.Scrape], from: Double = 0, to: Double = .infinity) -> [Double] {
    scrapes.filter { $0.at >= from && $0.at <= to }.compactMap { try? Exposition(parsing: $0.body).value(name) }
}

/// Leaders pinned so that broker 1 surely leads partitions of both topics (requests 0
/// and 3, sessions 0).
func pinLeaders(_ fixture: DaemonKafkaFixture) throws {
    for (topic, count) in fixture.partitions {
        for partition in 0..<count {
            try fixture.cluster.setPartitionLeader(topic: topic, partition: partition, broker: partition % 3 + 1)
        }
    }
}

extension DaemonIntegrationTests {
    /// The example at speed 40 for 120 virtual seconds: about 3 s of wall time, so faults
    /// injected half a second in land mid-run.
    @Suite("run under Kafka faults", .quietMachine)
    struct Faults {
        @Test("a broker down for 2 s mid-run: exit 0, every event once and in order; the queue depth shows the stall")
        func brokerDown() async throws {
            let fixture = try DaemonKafkaFixture(replicationFactor: 3)
            try pinLeaders(fixture)
            let (result, expected, configuration) = try await runUnderFaults(fixture, duration: 120, speed: 40) { cluster in
                pause(0.5)
                let down = Date()
                try cluster.setBrokerDown(1)
                pause(2)
                let up = Date()
                try cluster.setBrokerUp(1)
                return ["down": down, "up": up]
            }
            #expect(result.status == 0, "\(result.announcements)")
            try checkKafkaStream(result.records, expectedLines: expected, runID: configuration.runID,
                                 topics: fixture.topics, partitions: fixture.partitions, producedDuring: result.wallClock)

            // Broker 1 leads 3 of the 7 partitions: their records wait in the producer
            // while it is down, so the queue depth climbs far above its usual level.
            let down = result.marks["down"] ?? 0, up = result.marks["up"] ?? 0
            let before = samples("llm_workload_producer_queue_depth", in: result.scrapes, to: down)
            let during = samples("llm_workload_producer_queue_depth", in: result.scrapes, from: down + 0.3, to: up)
            let after = samples("llm_workload_producer_queue_depth", in: result.scrapes, from: up + 0.5)
            print("broker down: queue depth before \(before.max() ?? -1), during max \(during.max() ?? -1) (\(during.map { Int($0) })), after \(after.map { Int($0) }), run took \(result.duration.map { "\($0)" } ?? "?")")
            #expect(!before.isEmpty && !during.isEmpty, "scrapes before and during the outage")
            let peak = during.max() ?? 0
            #expect(peak >= 100, "records for the down broker's partitions pile up")
            #expect(peak > 5 * max(1, before.max() ?? 0))
        }

        /// One produce request in flight per connection. librdkafka's mock (2.0.2) checks
        /// batch sequence numbers only for transactional producers, so with pipelined
        /// requests it appends the batch after one that an injected error rejected, and
        /// the producer then counts the rejected batch as delivered ("implicitly acked by
        /// subsequent batch success") although it never reached the log. A real broker
        /// rejects that later batch with OUT_OF_ORDER_SEQUENCE_NUMBER and the producer
        /// resends both in order. With one request in flight every injected error is
        /// retried before the next batch goes out, which is what this test is about.
        @Test("retriable produce errors mid-run: exit 0, every event once and in order")
        func retriableErrors() async throws {
            let fixture = try DaemonKafkaFixture(replicationFactor: 3)
            let (result, expected, configuration) = try await runUnderFaults(
                fixture, duration: 120, speed: 40, librdkafka: ["max.in.flight.requests.per.connection": "1"]
            ) { cluster in
                pause(0.5)
                let produce: Int16 = 0
                // NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, and a dropped connection.
                cluster.pushRequestErrors(apiKey: produce, errors: [6, 7, 19, 6, 7, 7, 6])
                pause(1)
                let second = Date()
                cluster.pushRequestErrors(apiKey: produce, errors: [7, -195, 6, 19, 7])
                return ["second": second]
            }
            #expect(result.status == 0, "\(result.announcements)")
            // Each of the 12 injected errors failed one produce request (of one or more batches).
            let errors = result.produceErrors
            print("retriable errors: \(errors.count) failed batches: \(Dictionary(errors.map { ($0, 1) }, uniquingKeysWith: +))")
            #expect(errors.count >= 12, "\(errors)")
            for kind in ["Broker: Not leader for partition", "Broker: Request timed out", "Broker: Not enough in-sync replicas",
                         "Local: Broker transport failure"] {
                #expect(errors.contains(kind), "\(kind) was hit")
            }
            try checkKafkaStream(result.records, expectedLines: expected, runID: configuration.runID,
                                 topics: fixture.topics, partitions: fixture.partitions, producedDuring: result.wallClock)
        }

        @Test("partition leaders move twice mid-run: exit 0, every event once and in order")
        func leaderChange() async throws {
            let fixture = try DaemonKafkaFixture(replicationFactor: 3)
            try pinLeaders(fixture)
            let (result, expected, configuration) = try await runUnderFaults(fixture, duration: 120, speed: 40) { cluster in
                var marks: [String: Date] = [:]
                for (round, shift) in [(1, 1), (2, 2)] {
                    pause(0.7)
                    marks["move \(round)"] = Date()
                    for (topic, count) in fixture.partitions {
                        for partition in 0..<count {
                            try cluster.setPartitionLeader(topic: topic, partition: partition,
                                                           broker: Int32((Int(partition) + shift) % 3 + 1))
                        }
                    }
                }
                return marks
            }
            #expect(result.status == 0, "\(result.announcements)")
            print("leader change: \(result.produceErrors.count) failed batches: \(Dictionary(result.produceErrors.map { ($0, 1) }, uniquingKeysWith: +))")
            #expect(result.produceErrors.contains("Broker: Not leader for partition"), "the old leaders refused batches")
            try checkKafkaStream(result.records, expectedLines: expected, runID: configuration.runID,
                                 topics: fixture.topics, partitions: fixture.partitions, producedDuring: result.wallClock)
        }

        @Test("all brokers down past the run's end: exit 69, events reported undelivered, not success")
        func allBrokersDown() async throws {
            let fixture = try DaemonKafkaFixture(replicationFactor: 3)
            let (result, expected, _) = try await runUnderFaults(
                fixture, duration: 40, speed: 40, flushTimeout: 2, consume: false
            ) { cluster in
                pause(0.3)
                for broker in 1...cluster.brokerCount { try cluster.setBrokerDown(broker) }
                return ["down": Date()]
            }
            #expect(result.status == Daemon.Status.unavailable, "\(result.announcements)")
            let (summary, numbers) = publishedSummary(result.announcements)
            print("all brokers down: \(summary); run took \(result.duration.map { "\($0)" } ?? "?")")
            #expect(numbers.count >= 4, "\(summary)")
            if numbers.count >= 4 {
                #expect(numbers[0] == expected.count, "every event was generated and handed to the sink")
                #expect(numbers[3] > 0, "the ones Kafka never took are reported undelivered")
                #expect(numbers[1] < expected.count, "not all delivered")
            }
            // Bounded: the run (1 s), the 2 s flush bound and the purge.
            #expect(result.duration.map { $0 < .seconds(15) } ?? false)
        }
    }
}
