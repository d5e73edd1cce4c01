import Logging
import WorkloadKafka
import WorkloadModel

/// Publishes events to Kafka as SPEC 5 says: key = session ID, partition =
/// murmur2(key) mod partitions set explicitly, record timestamp = wall clock,
/// headers `event-type`, `schema-version`, `run-id`, `virtual-time`; requests
/// to one topic, session events to the other; watermarks to every partition
/// of both.
final class KafkaSink: EventSink {
    let producer: KafkaProducer
    private let requestsTopic: String
    private let sessionsTopic: String
    private let requestPartitions: Int32
    private let sessionPartitions: Int32
    private let encoder: EventEncoder
    private let logger: Logger
    /// Gives up waiting for room in a full queue (shutdown past its bound).
    private let shouldAbort: () -> Bool
    private let staticHeaders: [[KafkaHeader]]
    private var watermarkBuffer = ByteWriter(capacity: 256)
    private var timeBuffer = ByteWriter(capacity: 32)
    private var notProduced = 0
    private var abandoned = false

    init(producer: KafkaProducer, topics: KafkaTopics, encoder: EventEncoder, logger: Logger,
         shouldAbort: @escaping () -> Bool) throws(KafkaError) {
        self.producer = producer
        requestsTopic = topics.requests
        sessionsTopic = topics.sessions
        requestPartitions = try producer.partitionCount(topic: topics.requests, timeoutMs: 10_000)
        sessionPartitions = try producer.partitionCount(topic: topics.sessions, timeoutMs: 10_000)
        self.encoder = encoder
        self.logger = logger
        self.shouldAbort = shouldAbort
        let common = [
            KafkaHeader(name: "schema-version", value: String(EventEncoder.schemaVersion)),
            KafkaHeader(name: "run-id", value: encoder.runID),
        ]
        staticHeaders = ["request", "session_started", "session_ended", "watermark"].map {
            [KafkaHeader(name: "event-type", value: $0)] + common
        }
        logger.info("kafka topics", metadata: [
            "requests": "\(requestsTopic) (\(requestPartitions) partitions)",
            "sessions": "\(sessionsTopic) (\(sessionPartitions) partitions)",
        ])
    }

    private func headers(type: Int, time: VirtualNanoseconds) -> [KafkaHeader] {
        timeBuffer.removeAll()
        timeBuffer.append(seconds: time)
        return staticHeaders[type] + [KafkaHeader(name: "virtual-time", value: timeBuffer.bytes)]
    }

    func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError) {
        if abandoned {
            notProduced += 1
            return
        }
        let topic: String, partitions: Int32, type: Int
        switch event {
        case .request: (topic, partitions, type) = (requestsTopic, requestPartitions, 0)
        case .sessionStarted: (topic, partitions, type) = (sessionsTopic, sessionPartitions, 1)
        case .sessionEnded: (topic, partitions, type) = (sessionsTopic, sessionPartitions, 2)
        }
        let partition = Murmur2.partition(forKey: key, partitionCount: partitions)
        try produce(topic: topic, partition: partition, key: key, value: value, headers: headers(type: type, time: event.time))
    }

    private func produce(topic: String, partition: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                         headers: [KafkaHeader]) throws(SinkError) {
        do {
            try producer.produce(topic: topic, partition: partition, key: key, value: value, headers: headers,
                                 timestampMs: wallRealtimeNow(), shouldAbort: shouldAbort)
        } catch {
            if error.isQueueFull {
                // Shutdown gave up on an outage: keep counting what is left, send nothing more.
                abandoned = true
                notProduced += 1
                logger.error("producer queue still full at the shutdown bound; remaining events are not published",
                             metadata: ["error": "\(error)"])
                return
            }
            throw SinkError(message: "produce to \(topic)[\(partition)] failed: \(error)", isFatal: error.isFatal)
        }
    }

    func watermark(time: VirtualNanoseconds, afterSeq: UInt64?) {
        guard !abandoned else { return }
        let key = Array("watermark".utf8)
        for (topic, partitions) in [(requestsTopic, requestPartitions), (sessionsTopic, sessionPartitions)] {
            for partition in 0..<partitions {
                watermarkBuffer.removeAll()
                encoder.encodeWatermark(time: time, afterSeq: afterSeq, topic: topic, partition: partition, into: &watermarkBuffer)
                watermarkBuffer.removeLast()  // the newline
                let bytes = watermarkBuffer.bytes
                key.withUnsafeBytes { key in
                    bytes.withUnsafeBytes { value in
                        do {
                            try produce(topic: topic, partition: partition, key: key, value: value, headers: headers(type: 3, time: time))
                        } catch {
                            logger.error("watermark not published", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
        }
    }

    func poll() { producer.poll(timeoutMs: 0) }

    var outstanding: Int { producer.outstanding }

    func finish(timeoutSeconds: Double) -> SinkOutcome {
        let flushed = producer.flush(timeoutMs: Int32(clamping: Int(timeoutSeconds * 1000)))
        var outcome = SinkOutcome()
        if !flushed {
            outcome.undelivered = producer.outstanding
            logger.error("flush bound reached with records undelivered", metadata: ["outstanding": "\(outcome.undelivered)"])
            // Purged records come back as failed delivery reports, so they are counted.
            producer.purge(timeoutMs: 1000)
            producer.poll(timeoutMs: 100)
        }
        let stats = producer.deliveryStats
        outcome.delivered = stats.delivered
        outcome.failed = stats.failed
        outcome.undelivered += notProduced
        outcome.failuresByError = stats.failuresByError
        outcome.fatalError = producer.fatalError.map { "\($0)" }
        outcome.firstDeliveredAtMonotonicNanoseconds = stats.firstDeliveredAtMonotonicNanoseconds
        return outcome
    }
}
