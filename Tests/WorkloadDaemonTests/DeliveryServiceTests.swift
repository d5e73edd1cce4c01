import Foundation
import Testing
import TestSupport
@testable import WorkloadDaemon
import WorkloadKafka

extension DaemonIntegrationTests {
    /// The delivery service serves reports while the producing thread never polls (as
    /// when the generator sleeps in the pacer), and its metric syncs, racing the
    /// generator's own, count every report once.
    @Suite("DeliveryService")
    struct DeliveryServiceTests {
        @Test("reports served by the service alone; published counts exact with two threads syncing")
        func servedWhileTheProducerSleeps() async throws {
            let cluster = try MockCluster(brokers: 1, logger: daemonTestLogger("mock"))
            let topics = ["llm.requests", "llm.sessions"]
            for topic in topics { try cluster.createTopic(topic, partitions: 2, replicationFactor: 1) }
            let producer = try KafkaProducer(
                configuration: ProducerConfiguration(bootstrapServers: cluster.bootstrapServers,
                                                     properties: ["linger.ms": "1"]),
                logger: daemonTestLogger("producer"))
            try producer.waitUntilConnected(timeoutMs: 5_000)
            let metrics = DaemonMetrics(profiles: ["chat"], topics: topics, version: "test")
            let service = DeliveryService(producer: producer, metrics: metrics)
            let serving = Task { await onDedicatedThread(name: "test.delivery") { service.serve() } }

            let count = 2_000
            let handles = try topics.map { try producer.topic($0) }
            let names = KafkaHeaderNames(["n"])
            for i in 0..<count {
                try Array("\(i)".utf8).withUnsafeBytes { bytes in
                    try withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: 1) { values in
                        values.initializeElement(at: 0, to: bytes)
                        try producer.produce(to: handles[i % 2], partition: Int32(i % 2), key: bytes, value: bytes,
                                             headerNames: names, headerValues: UnsafeBufferPointer(values))
                    }
                }
                // The "generator" syncs too, now and then, from this thread.
                if i % 100 == 0 { metrics.syncDeliveries(producer.deliveryStats) }
            }
            // This thread never polls: only the service can serve the reports.
            let deadline = Date().addingTimeInterval(20)
            while producer.deliveryStats.delivered < count && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
            metrics.syncDeliveries(producer.deliveryStats)
            service.stop()
            let served = await serving.value

            #expect(producer.deliveryStats.delivered == count)
            #expect(served > 0, "the service served the reports (events: one carries a batch of reports)")
            #expect(producer.deliveryStats.deliveredByPartition == ["llm.requests": [count / 2], "llm.sessions": [0, count / 2]])
            let parsed = try Exposition(parsing: metrics.render())
            #expect(parsed.value("llm_workload_events_published_total", ["topic": "llm.requests"]) == Double(count / 2))
            #expect(parsed.value("llm_workload_events_published_total", ["topic": "llm.sessions"]) == Double(count / 2))
            #expect(producer.flush(timeoutMs: 1_000))
        }
    }
}
