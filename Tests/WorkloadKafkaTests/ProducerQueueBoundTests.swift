import Testing
import WorkloadKafka

/// librdkafka's local queue is bounded by default in bytes (64 MiB), so a
/// slow or absent broker stalls the producer instead of growing its memory.
@Suite(.mockCluster, .timeLimit(.minutes(10))) struct ProducerQueueBoundTests {
    @Test func theDefaultQueueHoldsAbout64MiBThenBlocks() throws {
        #expect(ProducerConfiguration.defaultProperties["queue.buffering.max.kbytes"] == "65536")
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock"))
        try cluster.createTopic("bound", partitions: 1, replicationFactor: 1)
        let producer = try KafkaProducer(configuration: testProducerConfiguration(cluster), logger: testLogger("producer"))
        try producer.waitUntilConnected(timeoutMs: 5_000)
        try cluster.setBrokerDown(1)

        let value = [UInt8](repeating: 0x61, count: 4096)
        let key = Array("k".utf8)
        let clock = ContinuousClock()
        var giveUp: ContinuousClock.Instant?
        var queued = 0
        produceLoop: while queued < 100_000 {
            do {
                try key.withUnsafeBytes { k in
                    try value.withUnsafeBytes { v in
                        try producer.produce(topic: "bound", partition: 0, key: k, value: v) {
                            // Full: wait a little for room that cannot come, then stop.
                            if giveUp == nil { giveUp = clock.now + .milliseconds(300) }
                            return clock.now >= giveUp!
                        }
                    }
                }
            } catch {
                #expect((error as? KafkaError)?.isQueueFull == true)
                break produceLoop
            }
            queued += 1
        }
        // 64 MiB of 4 KiB values is 16,384 records; librdkafka counts a little more than the value.
        #expect(queued <= 16_384 && queued >= 15_000, "queued \(queued) records of 4 KiB")
        producer.purge(timeoutMs: 2_000)
    }
}
