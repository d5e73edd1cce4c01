import Foundation
import Logging
import WorkloadKafka
import WorkloadModel

/// `llm-workload run`: wires configuration, Kafka (or another sink), pacing,
/// metrics, signals and systemd together, runs the generating loop on its own
/// thread and reports how it ended.
public enum Daemon {
    /// Exit statuses beyond 0 (sysexits(3)).
    public enum Status {
        /// Events could not all be delivered, or Kafka could not be reached.
        public static let unavailable: Int32 = 69
        /// A fatal producer error or a sink that failed.
        public static let software: Int32 = 70
        /// The metrics address could not be bound, or an output not opened.
        public static let cannotCreate: Int32 = 73
        /// Writing the output failed (a closed pipe, a full disk).
        public static let ioError: Int32 = 74
    }

    /// Runs until a bounded workload ends or SIGTERM/SIGINT; returns the exit status.
    public static func run(
        configuration: Configuration, options: RunOptions, logger: Logger,
        announce: @escaping @Sendable (String) -> Void = { _ in }
    ) async -> Int32 {
        let stop = StopSignal.installHandlers(logger: logger)
        defer { stop.cancelHandlers() }
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: runBlocking(configuration: configuration, options: options, stop: stop,
                                                           clock: SystemWallClock(), logger: logger, announce: announce))
            }
            thread.name = "llm-workload.generator"
            thread.start()
        }
    }

    /// The same, on the calling thread, with an injected clock and stop signal
    /// (tests drive it directly).
    public static func runBlocking(
        configuration: Configuration, options: RunOptions, stop: StopSignal, clock: any WallClock, logger: Logger,
        announce: @Sendable (String) -> Void = { _ in }
    ) -> Int32 {
        var configuration = configuration
        let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment, logger: logger)
        if configuration.seedWasChosen {
            logger.notice("no random_seed given; chose one", metadata: ["seed": "\(configuration.workload.seed)"])
        }

        // Kafka: an embedded mock cluster, or the configured brokers.
        var cluster: MockCluster?
        if options.embeddedKafka {
            do {
                let mock = try MockCluster(brokers: 3, logger: logger)
                for topic in [configuration.kafka.topics.requests, configuration.kafka.topics.sessions] {
                    try mock.createTopic(topic, partitions: configuration.kafka.embeddedPartitions, replicationFactor: 1)
                }
                cluster = mock
                configuration.kafka.brokers = mock.bootstrapServers
                announce("embedded Kafka (librdkafka mock cluster) at \(mock.bootstrapServers), topics \(configuration.kafka.topics.requests) and \(configuration.kafka.topics.sessions) with \(configuration.kafka.embeddedPartitions) partitions each")
            } catch {
                logger.critical("cannot start the embedded Kafka mock cluster", metadata: ["error": "\(error)"])
                return Status.software
            }
        } else if let brokers = options.brokers {
            configuration.kafka.brokers = brokers
        }
        defer { withExtendedLifetime(cluster) {} }

        let pacing: PacingMode
        switch (configuration.clock.mode, configuration.clock.speed) {
        case (_, nil): pacing = .max
        case (.realtime, _): pacing = .realtime
        case (.accelerated, let speed?): pacing = .accelerated(speed: speed)
        }
        let start = configuration.clock.startUnixNanoseconds ?? unixNanosecondsNow()
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: start)

        // Metrics and health.
        var metrics: DaemonMetrics?
        var server: HTTPMetricsServer?
        var monitor: HealthMonitor?
        defer { monitor?.stop() }
        if !configuration.metrics.listen.isEmpty {
            let daemonMetrics = DaemonMetrics(for: configuration, clock: clock)
            metrics = daemonMetrics
        }

        // The sink.
        let sink: EventSink
        var stopDeadline: UInt64 = .max
        let flushTimeout = configuration.kafka.flushTimeoutSeconds
        switch options.sink {
        case .kafka:
            let producerConfiguration = ProducerConfiguration(
                bootstrapServers: configuration.kafka.brokers, properties: configuration.kafka.librdkafka)
            do {
                let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
                let brokers = try producer.waitUntilConnected(timeoutMs: 30_000)
                logger.info("connected to Kafka", metadata: ["bootstrap": "\(configuration.kafka.brokers)", "brokers": "\(brokers)"])
                monitor = HealthMonitor(
                    producer: producer, queueCapacity: HealthMonitor.queueCapacity(producerConfiguration),
                    configuration: configuration.metrics.health, clock: clock, metrics: metrics)
                sink = try KafkaSink(
                    producer: producer, topics: configuration.kafka.topics, encoder: encoder, logger: logger,
                    shouldAbort: {
                        // While stopping, wait for room no longer than the flush bound.
                        guard stop.isSet else { return false }
                        if stopDeadline == .max { stopDeadline = clock.now() + UInt64(flushTimeout * 1e9) }
                        return clock.now() >= stopDeadline
                    })
            } catch {
                logger.critical("cannot publish to Kafka", metadata: ["bootstrap": "\(configuration.kafka.brokers)", "error": "\(error)"])
                return error.isFatal ? Status.software : Status.unavailable
            }
        case .stdout:
            sink = StreamSink(output: try? FileOutput(path: "-"), flushEachEvent: pacing != .max)
        case .file(let path):
            do {
                sink = StreamSink(output: try FileOutput(path: path), flushEachEvent: pacing != .max)
            } catch {
                logger.critical("cannot open the output file", metadata: ["error": "\(error)"])
                return Status.cannotCreate
            }
        case .null:
            sink = StreamSink(output: nil, flushEachEvent: false)
        }

        if let metrics {
            let health = monitor?.health
            do {
                server = try HTTPMetricsServer(
                    listen: configuration.metrics.listen, logger: logger,
                    metrics: { metrics.render() },
                    health: { !stop.isSet && (health?.state.isHealthy ?? true) })
                logger.info("metrics listening", metadata: ["address": "\(server!.boundAddress)"])
                announce("metrics at http://\(server!.boundAddress)/metrics")
            } catch {
                logger.critical("cannot serve metrics", metadata: ["error": "\(error)"])
                return Status.cannotCreate
            }
        }
        defer { server?.shutdown() }

        let runner = DaemonRunner(
            configuration: configuration, encoder: encoder, sink: sink, shard: options.shard, pacing: pacing,
            clock: clock, stop: stop, notifier: notifier, metrics: metrics, logger: logger)
        _ = notifier?.ready()
        _ = notifier?.status("generating (run \(configuration.runID), seed \(configuration.workload.seed))")
        logger.info("generating", metadata: [
            "run_id": "\(configuration.runID)", "seed": "\(configuration.workload.seed)",
            "pacing": "\(pacing)", "shard": "\(options.shard?.description ?? "all")",
        ])

        var outcome = runner.run()
        metrics?.up.set(0)
        _ = notifier?.stopping()
        _ = notifier?.status("flushing \(sink.outstanding) records")
        outcome.sink = sink.finish(timeoutSeconds: flushTimeout)
        if let metrics { runner.deliverySync.sync(sink, into: metrics) }

        if options.reportFirstEvent {
            // For `bench`: both marks are CLOCK_MONOTONIC, comparable with the spawning process's.
            let produced = outcome.firstPublishedAtWallNanoseconds.map(String.init) ?? "none"
            let acknowledged = outcome.sink.firstDeliveredAtMonotonicNanoseconds.map(String.init) ?? "none"
            announce("first-event produced_monotonic_ns=\(produced) acknowledged_monotonic_ns=\(acknowledged)")
        }
        let summary: Logger.Metadata = [
            "events": "\(outcome.published)", "delivered_records": "\(outcome.sink.delivered)",
            "failed": "\(outcome.sink.failed)", "undelivered": "\(outcome.sink.undelivered)",
            "virtual_time_s": "\(Double(outcome.lastVirtualTime) / 1e9)",
        ]
        announce("published \(outcome.published) events (\(outcome.sink.delivered) records delivered incl. watermarks, \(outcome.sink.failed) failed, \(outcome.sink.undelivered) undelivered) over \(Double(outcome.lastVirtualTime) / 1e9) virtual seconds")
        if let failure = outcome.sinkFailure ?? outcome.sink.failure {
            logger.critical("\(RunEnding.headline(failure))", metadata: summary.merging(["error": "\(failure)"]) { $1 })
            return RunEnding.status(failure)
        }
        guard outcome.sink.isClean else {
            logger.error("not every event was delivered", metadata: summary)
            return Status.unavailable
        }
        logger.info("done", metadata: summary)
        return 0
    }
}

/// Unix time now in nanoseconds (CLOCK_REALTIME): anchors `time` for `run`.
func unixNanosecondsNow() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// The version stamped in metrics.
public enum LLMWorkloadVersion {
    public static let current = "0.1.0"
}
