import Logging
import WorkloadKafka
import WorkloadConfig
import WorkloadModel

/// `--sink kafka`: a producer connected to a broker, the sink on it, the
/// producer's health monitor, and the resume checks that read Kafka back.
struct KafkaStart {
    var sink: KafkaSink
    var monitor: HealthMonitor

    /// Connects (waiting for a broker, or a stop), opens the topics and checks
    /// what Kafka holds of this run (`ResumeCheck`).
    static func open(
        configuration: Configuration, options: RunOptions, resume: ResumeStart?, encoder: EventEncoder,
        metrics: DaemonMetrics?, stop: StopSignal, clock: any WallClock, logger: Logger, marks: inout StartupMarks
    ) throws(SetupEnd) -> KafkaStart {
        let kafka = configuration.kafka
        let producerConfiguration = ProducerConfiguration(bootstrapServers: kafka.brokers, properties: kafka.librdkafka)
        let producer: KafkaProducer
        let brokers: Int?
        do throws(KafkaError) {
            producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
            brokers = try BrokerConnect(properties: kafka.librdkafka).wait(for: producer, stop: stop, clock: clock)
        } catch {
            throw failure(error, configuration: configuration, logger: logger)
        }
        guard let brokers else {
            logger.notice("stopped while connecting to Kafka; nothing was generated")
            throw .status(ExitStatus.success.code)
        }
        marks.mark("connected")
        logger.info("connected to Kafka", metadata: ["bootstrap": "\(kafka.brokers)", "brokers": "\(brokers)"])
        if let status = TopicProvisioning(configuration: configuration, logger: logger).run() { throw .status(status) }
        let monitor = HealthMonitor(
            producer: producer, producerConfiguration: producerConfiguration,
            configuration: configuration.metrics.health, clock: clock, metrics: metrics)
        let sink: KafkaSink
        let refusal: Int32?
        do throws(KafkaError) {
            sink = try KafkaSink(producer: producer, topics: kafka.topics, encoder: encoder, shard: options.shard, logger: logger)
            sink.stamp = RecordStamp(kafka.recordTimestamp, encoder: encoder)
            if kafka.routingHeaders { sink.routing = RoutingHeaders(tagger: encoder.routingTags, spec: configuration.workload) }
            sink.faults = configuration.faults.map { FaultInjector($0, seed: configuration.workload.seed, metrics: metrics) }
            marks.mark("topics")
            refusal = try ResumeCheck(configuration: configuration, shard: options.shard, logger: logger).verify(sink, resume: resume)
        } catch {
            throw failure(error, configuration: configuration, logger: logger)
        }
        if let refusal { throw .status(refusal) }
        marks.mark("checked")
        return KafkaStart(sink: sink, monitor: monitor)
    }

    /// Kafka could not be used: 70 when the producer hit a fatal error, else 69.
    static func failure(_ error: KafkaError, configuration: Configuration, logger: Logger) -> SetupEnd {
        logger.critical("cannot publish to Kafka", metadata: ["bootstrap": "\(configuration.kafka.brokers)", "error": "\(error)"])
        return .status(error.isFatal ? ExitStatus.software.code : ExitStatus.unavailable.code)
    }
}
