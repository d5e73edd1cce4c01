import Logging
import WorkloadKafka
import WorkloadModel
import WorkloadConfig
import WorkloadDaemon

/// The Kafka half of the bench, on one embedded mock cluster: the daemon's
/// publishing loop (`run --speed max`: model, JSON, `KafkaSink`, watermarks,
/// metrics) and the baseline, a plain librdkafka loop producing the same
/// records, pre-serialised, with the same producer settings.
///
/// Every measured run gets fresh topics with the configured partition count,
/// so no run appends to a log that an earlier one filled. A run is timed from
/// its first produce until the last record is acknowledged (flush included).
final class KafkaBench {
    let cluster: MockCluster
    let configuration: Configuration
    let encoder: EventEncoder
    let logger: Logger
    private var topicsMade = 0

    /// `configuration` must be unbounded (the bench bounds runs by events).
    init(configuration: Configuration, encoder: EventEncoder, logger: Logger) throws(KafkaError) {
        cluster = try MockCluster(brokers: 3, logger: logger)
        var configuration = configuration
        configuration.kafka.brokers = cluster.bootstrapServers
        self.configuration = configuration
        self.encoder = encoder
        self.logger = logger
    }

    private var producerConfiguration: ProducerConfiguration {
        ProducerConfiguration(bootstrapServers: cluster.bootstrapServers, properties: configuration.kafka.librdkafka)
    }

    /// A new pair of topics, created with the configured partition count.
    func freshTopics() throws(KafkaError) -> KafkaTopics {
        topicsMade += 1
        var topics = KafkaTopics()
        topics.requests = "\(configuration.kafka.topics.requests).bench\(topicsMade)"
        topics.sessions = "\(configuration.kafka.topics.sessions).bench\(topicsMade)"
        topics.completions = "\(configuration.kafka.topics.completions).bench\(topicsMade)"
        topics.carriesCompletions = configuration.kafka.topics.carriesCompletions
        for name in topics.inUse {
            try cluster.createTopic(name, partitions: configuration.kafka.embeddedPartitions, replicationFactor: 1)
        }
        return topics
    }

    /// A producer and a `KafkaSink` on fresh topics, connected and with the
    /// partition counts known (as `run` has them before its loop starts).
    /// A sink to an external cluster (`bench --pacing-brokers`), on the configured topics,
    /// with the production producer settings.
    static func externalSink(
        brokers: String, configuration: Configuration, encoder: EventEncoder, logger: Logger
    ) throws(KafkaError) -> KafkaSink {
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(bootstrapServers: brokers, properties: configuration.kafka.librdkafka),
            logger: logger)
        try producer.waitUntilConnected(timeoutMs: 30_000)
        return try KafkaSink(producer: producer, topics: configuration.kafka.topics, encoder: encoder, logger: logger)
    }

    func makeSink() throws(KafkaError) -> (KafkaSink, KafkaTopics) {
        let topics = try freshTopics()
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        try producer.waitUntilConnected(timeoutMs: 30_000)
        let sink = try KafkaSink(producer: producer, topics: topics, encoder: encoder, logger: logger, shouldAbort: { false })
        return (sink, topics)
    }

    /// The daemon's loop at `--speed max` for `events` events, and the
    /// watermark records it sent besides. CPU time is the whole process's.
    func daemon(events: Int) throws(BenchError) -> (run: Throughput, watermarkRecords: Int) {
        let sink: KafkaSink
        do {
            (sink, _) = try makeSink()
        } catch {
            throw BenchError("kafka: \(error)")
        }
        let runner = DaemonRunner.forBench(
            configuration: configuration, encoder: encoder, sink: sink, pacing: .max, events: events, clock: SystemWallClock(), logger: logger)
        let watch = Stopwatch()
        let outcome = runner.run()
        let delivery = sink.finish(timeoutSeconds: 300)
        let run = Throughput(events: events, seconds: watch.elapsedSeconds, cpuSeconds: watch.processCPUSeconds)
        guard delivery.isClean, outcome.published == events else {
            throw BenchError("kafka: published \(outcome.published) of \(events) events, \(delivery.failed) failed, \(delivery.undelivered) undelivered")
        }
        return (run, delivery.delivered - outcome.published)
    }

    /// The first `events` events as the daemon sends them: topic, partition,
    /// key, value and headers, for the baseline.
    func records(events: Int) -> RecordBatch {
        var batch = RecordBatch(topics: ["requests", "sessions"], headerNames: KafkaSink.headerNames)
        batch.reserve(records: events, bytes: events * 512)
        var engine = WorkloadEngine(spec: configuration.workload)
        var line = ByteWriter(capacity: 4096)
        let partitions = configuration.kafka.embeddedPartitions
        let typeNames = KafkaSink.eventTypes.map { Array($0.utf8) }
        let schemaVersion = Array(String(EventEncoder.schemaVersion).utf8)
        let runID = Array(encoder.runID.utf8)
        for _ in 0..<events {
            guard let event = engine.next() else { break }
            line.removeAll()
            encoder.encode(event, into: &line)
            line.removeLast()
            let kind = KafkaSink.RecordKind(event)
            withSessionKey(event.sessionID) { key in
                line.withUnsafeBytes { value in
                    withVirtualTimeText(event.time) { virtualTime in
                        typeNames[kind.rawValue].withUnsafeBytes { type in
                            schemaVersion.withUnsafeBytes { schema in
                                runID.withUnsafeBytes { run in
                                    batch.append(
                                        topic: kind.topicIndex,
                                        partition: Murmur2.partition(forKey: key, partitionCount: partitions),
                                        key: key, value: value, headerValues: [type, schema, run, virtualTime])
                                }
                            }
                        }
                    }
                }
            }
        }
        return batch
    }

    /// The plain produce loop over `batch`, on fresh topics. CPU time is the
    /// whole process's.
    func baseline(_ batch: RecordBatch) throws(BenchError) -> Throughput {
        var batch = batch
        do {
            let topics = try freshTopics()
            batch.topics = topics.inUse
            let watch = Stopwatch()
            let result = try PlainProduceLoop.run(batch, configuration: producerConfiguration, logger: logger)
            guard result.delivered == batch.count, result.failed == 0 else {
                throw BenchError("baseline: \(result.delivered) of \(batch.count) records delivered, \(result.failed) failed")
            }
            // The loop's own timing (first produce to last acknowledgement), and
            // CPU over the whole call (its set-up is a few milliseconds of it).
            return Throughput(events: batch.count, seconds: result.seconds, cpuSeconds: watch.processCPUSeconds)
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("baseline: \(error)")
        }
    }
}

/// A part of the bench that could not be measured, and why.
package struct BenchError: Error, Sendable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
