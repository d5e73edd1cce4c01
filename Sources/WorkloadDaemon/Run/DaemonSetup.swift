import Foundation
import Logging
import WorkloadKafka
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// Everything `run` builds before it generates: the embedded cluster (if
/// asked), the sink (for Kafka: a connected producer), metrics, health and
/// the HTTP endpoint. Blocking (it connects to Kafka): call it off the
/// cooperative pool. A stop asked for while connecting ends it at once.
struct DaemonSetup {
    var configuration: Configuration
    var pacing: PacingMode
    var encoder: EventEncoder
    var sink: EventSink
    var producer: KafkaProducer?
    var metrics: DaemonMetrics?
    var monitor: HealthMonitor?
    var server: HTTPMetricsServer?
    var notifier: SystemdNotifier?
    /// Kept alive for the run.
    var cluster: MockCluster?
    /// When each start-up step was done (the clock's nanoseconds, `CLOCK_MONOTONIC`
    /// for the system clock), for `bench`'s first-event figure: what start-up waited on.
    var startupMarks: [(step: String, nanoseconds: UInt64)] = []
    /// `--state-dir`: the run's record and checkpoint, so that a restart continues the run.
    var resume: ResumeStart?

    /// The parts, or the exit status when setting up failed or was stopped.
    static func make(
        configuration: Configuration, options: RunOptions, stop: StopSignal, clock: any WallClock, logger: Logger,
        announce: @Sendable (String) -> Void
    ) -> Result<DaemonSetup, SetupEnd> {
        var configuration = configuration
        var marks: [(step: String, nanoseconds: UInt64)] = [("setup", clock.now())]
        let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment, logger: logger)
        if configuration.seedWasChosen {
            logger.notice("no random_seed given; chose one", metadata: ["seed": "\(configuration.workload.seed)"])
        }

        // Kafka: an embedded mock cluster, or the configured brokers.
        var cluster: MockCluster?
        if options.embeddedKafka {
            do {
                let mock = try MockCluster(brokers: 3, logger: logger)
                for topic in configuration.kafka.topics.inUse {
                    try mock.createTopic(topic, partitions: configuration.kafka.embeddedPartitions, replicationFactor: 1)
                }
                cluster = mock
                marks.append(("cluster", clock.now()))
                configuration.kafka.brokers = mock.bootstrapServers
                announce("embedded Kafka (librdkafka mock cluster) at \(mock.bootstrapServers), topics \(configuration.kafka.topics.inUse.joined(separator: ", ")) with \(configuration.kafka.embeddedPartitions) partitions each")
            } catch {
                logger.critical("cannot start the embedded Kafka mock cluster", metadata: ["error": "\(error)"])
                return .failure(.status(Daemon.Status.software))
            }
        } else if let brokers = options.brokers {
            configuration.kafka.brokers = brokers
        }

        let pacing: PacingMode
        switch (configuration.clock.mode, configuration.clock.speed) {
        case (_, nil): pacing = .max
        case (.realtime, _): pacing = .realtime
        case (.accelerated, let speed?): pacing = .accelerated(speed: speed)
        }
        var resume: ResumeStart?
        var stateDirectory = options.stateDirectory
        if let path = stateDirectory, configuration.replay != nil {
            // A replay has no engine to checkpoint: a restart replays the trace from its first row (and a second
            // start of the same run is refused as without a state directory).
            logger.warning("the state directory is ignored: a replay (workload.replay) is not resumable",
                           metadata: ["state_directory": "\(path)"])
            stateDirectory = nil
        }
        if let path = stateDirectory {
            switch ResumeStart.prepare(path: path, configuration: &configuration, shard: options.shard,
                                       newRun: options.newRun, nowUnixNanoseconds: unixNanosecondsNow()) {
            case .success(let prepared): resume = prepared
            case .failure(let refusal):
                logger.critical("\(refusal)")
                return .failure(.status(Daemon.Status.config))
            }
        }
        let start = resume?.record.anchorUnixNanoseconds ?? configuration.clock.startUnixNanoseconds ?? unixNanosecondsNow()
        if resume == nil { configuration.anchorRunID(atUnixNanoseconds: start) }
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: start)
        let metrics = configuration.metrics.listen.isEmpty ? nil : DaemonMetrics(for: configuration, clock: clock)

        // The sink.
        let sink: EventSink
        var producer: KafkaProducer?
        var monitor: HealthMonitor?
        switch options.sink {
        case .kafka:
            let producerConfiguration = ProducerConfiguration(
                bootstrapServers: configuration.kafka.brokers, properties: configuration.kafka.librdkafka)
            do {
                let kafka = try KafkaProducer(configuration: producerConfiguration, logger: logger)
                let connect = BrokerConnect(properties: configuration.kafka.librdkafka)
                guard let brokers = try connect.wait(for: kafka, stop: stop, clock: clock) else {
                    logger.notice("stopped while connecting to Kafka; nothing was generated")
                    return .failure(.status(0))
                }
                marks.append(("connected", clock.now()))
                logger.info("connected to Kafka", metadata: ["bootstrap": "\(configuration.kafka.brokers)", "brokers": "\(brokers)"])
                if let status = TopicProvisioning(configuration: configuration, logger: logger).run() { return .failure(.status(status)) }
                producer = kafka
                monitor = HealthMonitor(
                    producer: kafka, producerConfiguration: producerConfiguration,
                    configuration: configuration.metrics.health, clock: clock, metrics: metrics)
                let kafkaSink = try KafkaSink(producer: kafka, topics: configuration.kafka.topics, encoder: encoder, shard: options.shard, logger: logger)
                kafkaSink.stamp = RecordStamp(configuration.kafka.recordTimestamp, encoder: encoder)
                if configuration.kafka.routingHeaders { kafkaSink.routing = RoutingHeaders(tagger: encoder.routingTags, spec: configuration.workload) }
                kafkaSink.faults = configuration.faults.map { FaultInjector($0, seed: configuration.workload.seed, metrics: metrics) }
                sink = kafkaSink
                marks.append(("topics", clock.now()))
                if let resume, resume.continuing {
                    // Continuing: what Kafka holds of the run after the checkpoint is not published again.
                    // It lies at or above the checkpoint's offsets and the partitions' ends when the
                    // run first published (the higher of the two where both are known).
                    let from = PartitionOffsets.higher(resume.restored?.checkpoint.offsets ?? [:], Self.startOffsets(in: resume.directory) ?? [:])
                    kafkaSink.cover = try ResumeCover.read(
                        runID: configuration.runID, shard: options.shard, brokers: configuration.kafka.brokers,
                        topics: configuration.kafka.topics, partitions: kafkaSink.partitionCounts,
                        properties: configuration.kafka.librdkafka, from: from, logger: logger)
                    let lost = ResumeGap.lost(
                        continuing: resume.restored?.engine ?? WorkloadEngine(spec: configuration.workload),
                        cover: kafkaSink.cover ?? ResumeCover(partitions: []), shard: options.shard,
                        partitions: kafkaSink.partitionCounts)
                    guard lost.isEmpty else {
                        logger.critical("\(ResumeGap.refusal(runID: configuration.runID, stateDirectory: resume.directory.path, lost: lost))")
                        return .failure(.status(Daemon.Status.unavailable))
                    }
                    logger.notice("continuing run \(configuration.runID)", metadata: [
                        "state_directory": "\(resume.directory.path)",
                        "from_seq": "\(resume.restored?.engine.nextSequenceNumber ?? 0)",
                        "records_read_back": "\(kafkaSink.cover?.recordsRead ?? 0)",
                    ])
                } else {
                    let existing = try ExistingRun.find(
                        runID: configuration.runID, shard: options.shard, brokers: configuration.kafka.brokers,
                        topics: configuration.kafka.topics.inUse,
                        properties: configuration.kafka.librdkafka, logger: logger)
                    if let found = existing.found {
                        logger.critical("\(ExistingRun.refusal(runID: configuration.runID, shard: options.shard, found: found))")
                        return .failure(.status(Daemon.Status.config))
                    }
                    if let resume {
                        // A new run publishes from seq 0: its records will all lie at or above the partitions' present ends.
                        do {
                            try resume.directory.write(StateDirectory.startOffsetsName, bytes: Array(PartitionOffsets.file(existing.ends).utf8))
                        } catch {
                            logger.error("cannot write the start offsets; a restart before the first checkpoint reads back only the tails", metadata: ["error": "\(error)"])
                        }
                    }
                }
                marks.append(("checked", clock.now()))
            } catch {
                logger.critical("cannot publish to Kafka", metadata: ["bootstrap": "\(configuration.kafka.brokers)", "error": "\(error)"])
                return .failure(.status(error.isFatal ? Daemon.Status.software : Daemon.Status.unavailable))
            }
        case .stdout:
            sink = StreamSink(output: try? FileOutput(path: "-"), flushEachEvent: pacing != .max)
        case .file(let path):
            do {
                sink = StreamSink(output: try FileOutput(path: path), flushEachEvent: pacing != .max)
            } catch {
                logger.critical("cannot open the output file", metadata: ["error": "\(error)"])
                return .failure(.status(Daemon.Status.cannotCreate))
            }
        case .null:
            sink = StreamSink(output: nil, flushEachEvent: false)
        }

        var server: HTTPMetricsServer?
        if let metrics {
            let health = monitor?.health
            do {
                let bound = try HTTPMetricsServer(
                    listen: configuration.metrics.listen, logger: logger,
                    metrics: { metrics.render() },
                    health: { !stop.isSet && (health?.state.isHealthy ?? true) })
                logger.info("metrics listening", metadata: ["address": "\(bound.boundAddress)"])
                announce("metrics at http://\(bound.boundAddress)/metrics")
                server = bound
            } catch {
                logger.critical("cannot serve metrics", metadata: ["error": "\(error)"])
                return .failure(.status(Daemon.Status.cannotCreate))
            }
        }
        marks.append(("ready", clock.now()))
        return .success(DaemonSetup(
            configuration: configuration, pacing: pacing, encoder: encoder, sink: sink, producer: producer,
            metrics: metrics, monitor: monitor, server: server, notifier: notifier, cluster: cluster,
            startupMarks: marks, resume: resume))
    }

    /// The state directory's start offsets, when written (and readable).
    static func startOffsets(in directory: StateDirectory) -> [String: [Int64]]? {
        guard let bytes = try? directory.read(StateDirectory.startOffsetsName) else { return nil }
        return PartitionOffsets.parseFile(String(decoding: bytes, as: UTF8.self))
    }
}

/// Why `run` ended before generating.
enum SetupEnd: Error {
    case status(Int32)
}
