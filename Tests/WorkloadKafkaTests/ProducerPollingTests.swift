import Foundation
import Synchronization
import Testing
import WorkloadKafka

/// Delivery reports served by a thread of their own while another produces: each is
/// counted exactly once, the queue-full wait still ends, and the per-partition
/// acknowledgement counts reach what was produced to each partition.
@Suite("Producer polled from another thread", .serialized, .mockCluster, .timeLimit(.minutes(10)))
struct ProducerPollingTests {
    /// Polls a producer on a thread of its own until stopped.
    private final class Poller: Sendable {
        let running = Atomic(true)
        let served = Atomic(0)

        func start(_ producer: KafkaProducer) {
            Thread {
                while self.running.load(ordering: .acquiring) {
                    self.served.wrappingAdd(producer.poll(timeoutMs: 10), ordering: .relaxed)
                }
            }.start()
        }

        func stop() { running.store(false, ordering: .releasing) }
    }

    /// One record for event `seq`, as `KafkaSink` sends a data record.
    private static func produceTagged(_ producer: KafkaProducer, _ topic: KafkaTopic, partition: Int32, seq: UInt64) throws {
        let names = KafkaHeaderNames(["seq"])
        try Array("k\(seq % 7)".utf8).withUnsafeBytes { key in
            try Array("\(seq)".utf8).withUnsafeBytes { value in
                try withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: 1) { headers in
                    headers.initializeElement(at: 0, to: value)
                    try producer.produce(to: topic, partition: partition, key: key, value: value, headerNames: names,
                                         headerValues: UnsafeBufferPointer(headers))
                }
            }
        }
    }

    @Test("a small queue, a second thread polling: every record counted once, on its partition")
    func concurrentPolling() throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock"))
        try cluster.createTopic("polled", partitions: 3, replicationFactor: 1)
        // 20 records of room: the producing thread waits for room hundreds of times.
        let producer = try KafkaProducer(
            configuration: testProducerConfiguration(cluster, ["queue.buffering.max.messages": "20", "linger.ms": "1"]),
            logger: testLogger("producer"))
        try producer.waitUntilConnected(timeoutMs: 5_000)
        let poller = Poller()
        poller.start(producer)
        defer { poller.stop() }

        let count = 3_000
        let topic = try producer.topic("polled")
        for i in 0..<count {
            try Self.produceTagged(producer, topic, partition: Int32(i % 3), seq: UInt64(i))
        }
        // Nobody but the poller serves reports now: wait for it to see every one.
        let deadline = Date().addingTimeInterval(20)
        while producer.deliveryStats.delivered < count && Date() < deadline { usleep(5_000) }
        let stats = producer.deliveryStats
        #expect(stats.delivered == count)
        #expect(stats.failed == 0)
        #expect(stats.queueFullWaits > 0, "the queue never filled: the wait was not exercised")
        #expect(poller.served.load(ordering: .relaxed) > 0, "the second thread served reports")
        #expect(stats.deliveredByPartition["polled"] == [count / 3, count / 3, count / 3])
        #expect(producer.flush(timeoutMs: 5_000))
        #expect(producer.deliveryStats.delivered == count, "no report counted twice")
    }

    @Test("purged records never count as acknowledged on their partition")
    func purgedStopThePrefix() throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock"))
        try cluster.createTopic("purged", partitions: 1, replicationFactor: 1)
        let producer = try KafkaProducer(configuration: testProducerConfiguration(cluster), logger: testLogger("producer"))
        try producer.waitUntilConnected(timeoutMs: 5_000)
        let topic = try producer.topic("purged")
        func send(_ seq: UInt64) throws { try Self.produceTagged(producer, topic, partition: 0, seq: seq) }
        try send(1)
        #expect(producer.flush(timeoutMs: 5_000))
        #expect(producer.deliveryStats.deliveredByPartition["purged"] == [1])
        try cluster.setBrokerDown(1)
        for seq in 2...5 { try send(UInt64(seq)) }
        #expect(!producer.flush(timeoutMs: 300))
        producer.purge(timeoutMs: 2_000)
        #expect(producer.deliveryStats.failed == 4)
        #expect(producer.deliveryStats.deliveredByPartition["purged"] == [1])
        try cluster.setBrokerUp(1)
    }
}
