import Foundation
import Logging
import WorkloadKafka
import WorkloadModel
import WorkloadConfig
import WorkloadTraces

/// Everything `run` builds before it generates: the embedded cluster (if
/// asked), the sink (for Kafka: a connected producer), metrics, health and
/// the HTTP endpoint. Each part is set up by a step its owner provides
/// (`EmbeddedKafka.start`, `ResumeStart.open`, `KafkaStart.open`,
/// `StreamSink.open`, `HTTPMetricsServer.start`); `make` runs them in order
/// and stops at the first that fails. Blocking (it connects to Kafka): call
/// it off the cooperative pool. A stop asked for while connecting ends it at once.
struct DaemonSetup {
    var configuration: Configuration
    var pacing: PacingMode
    var encoder: EventEncoder
    var sink: EventSink
    var metrics: DaemonMetrics?
    var monitor: HealthMonitor?
    var server: HTTPMetricsServer?
    var notifier: SystemdNotifier?
    /// Kept alive for the run.
    var cluster: MockCluster?
    /// When each start-up step was done, for `bench`'s first-event figure.
    var startupMarks: StartupMarks
    /// `--state-dir`: the run's record and checkpoint.
    var resume: ResumeStart?

    /// The parts, or the exit status when setting up failed or was stopped.
    static func make(
        configuration given: Configuration, options: RunOptions, stop: StopSignal, clock: any WallClock, logger: Logger,
        announce: @Sendable (String) -> Void
    ) -> Result<DaemonSetup, SetupEnd> {
        var marks = StartupMarks(clock: clock)
        if given.seedWasChosen {
            logger.notice("no random_seed given; chose one", metadata: ["seed": "\(given.workload.seed)"])
        }
        do throws(SetupEnd) {
            let cluster = try options.embeddedKafka ? EmbeddedKafka.start(for: given, logger: logger, announce: announce) : nil
            if cluster != nil { marks.mark("cluster") }
            let resume = try ResumeStart.open(options: options, configuration: given, logger: logger)
            let identity = resume?.identity ?? RunIdentity(
                configuration: given, anchorUnixNanoseconds: given.clock.startUnixNanoseconds ?? unixNanosecondsNow())
            let configuration = given.forRun(identity: identity, brokers: cluster?.bootstrapServers ?? options.brokers)
            let pacing = PacingMode(configuration.clock)
            let encoder = StreamGenerator.encoder(for: configuration, defaultStart: identity.anchorUnixNanoseconds)
            let metrics = configuration.metrics.listen.isEmpty ? nil : DaemonMetrics(for: configuration, clock: clock)
            let sink: EventSink
            var monitor: HealthMonitor?
            if options.sink == .kafka {
                let kafka = try KafkaStart.open(
                    configuration: configuration, options: options, resume: resume, encoder: encoder, metrics: metrics,
                    stop: stop, clock: clock, logger: logger, marks: &marks)
                (sink, monitor) = (kafka.sink, kafka.monitor)
            } else {
                sink = try StreamSink.open(options.sink, pacing: pacing, logger: logger)
            }
            let server = try HTTPMetricsServer.start(
                for: metrics, health: monitor?.health, listen: configuration.metrics.listen, stop: stop, logger: logger,
                announce: announce)
            marks.mark("ready")
            return .success(DaemonSetup(
                configuration: configuration, pacing: pacing, encoder: encoder, sink: sink, metrics: metrics,
                monitor: monitor, server: server,
                notifier: SystemdNotifier(environment: ProcessInfo.processInfo.environment, logger: logger),
                cluster: cluster, startupMarks: marks, resume: resume))
        } catch {
            return .failure(error)
        }
    }
}

/// Why `run` ended before generating.
enum SetupEnd: Error {
    case status(Int32)
}

/// When each start-up step was done (the clock's nanoseconds, `CLOCK_MONOTONIC`
/// for the system clock), for `bench`'s first-event figure: what start-up waited on.
struct StartupMarks {
    private let clock: any WallClock
    private(set) var steps: [(step: String, nanoseconds: UInt64)]

    init(clock: any WallClock) {
        self.clock = clock
        steps = [("setup", clock.now())]
    }

    mutating func mark(_ step: String) { steps.append((step, clock.now())) }
}

extension PacingMode {
    /// How `clock.mode` and `clock.speed` pace a run: no speed is `max`.
    init(_ clock: ClockConfiguration) {
        switch (clock.mode, clock.speed) {
        case (_, nil): self = .max
        case (.realtime, _): self = .realtime
        case (.accelerated, let speed?): self = .accelerated(speed: speed)
        }
    }
}

/// `--embedded-kafka`: librdkafka's mock cluster in process, with the run's topics.
enum EmbeddedKafka {
    static func start(for configuration: Configuration, logger: Logger, announce: (String) -> Void) throws(SetupEnd) -> MockCluster {
        let topics = configuration.kafka.topics, partitions = configuration.kafka.embeddedPartitions
        do {
            let mock = try MockCluster(brokers: 3, logger: logger)
            for topic in topics.inUse {
                try mock.createTopic(topic, partitions: partitions, replicationFactor: 1)
            }
            announce("embedded Kafka (librdkafka mock cluster) at \(mock.bootstrapServers), topics \(topics.inUse.joined(separator: ", ")) with \(partitions) partitions each")
            return mock
        } catch {
            logger.critical("cannot start the embedded Kafka mock cluster", metadata: ["error": "\(error)"])
            throw .status(ExitStatus.software.code)
        }
    }
}

extension StreamSink {
    /// `--sink stdout|file:PATH|null`.
    static func open(_ choice: SinkChoice, pacing: PacingMode, logger: Logger) throws(SetupEnd) -> StreamSink {
        switch choice {
        case .kafka, .null:
            return StreamSink(output: nil, flushEachEvent: false)
        case .stdout:
            return StreamSink(output: try? FileOutput(path: "-"), flushEachEvent: pacing != .max)
        case .file(let path):
            do {
                return StreamSink(output: try FileOutput(path: path), flushEachEvent: pacing != .max)
            } catch {
                logger.critical("cannot open the output file", metadata: ["error": "\(error)"])
                throw .status(ExitStatus.cannotCreate.code)
            }
        }
    }
}

extension HTTPMetricsServer {
    /// The metrics endpoint, when there are metrics: `/metrics`, and `/healthz`
    /// healthy while not stopping and the producer is healthy.
    static func start(
        for metrics: DaemonMetrics?, health: ProducerHealth?, listen: String, stop: StopSignal, logger: Logger,
        announce: (String) -> Void
    ) throws(SetupEnd) -> HTTPMetricsServer? {
        guard let metrics else { return nil }
        do {
            let bound = try HTTPMetricsServer(
                listen: listen, logger: logger, metrics: { metrics.render() },
                health: { !stop.isSet && (health?.state.isHealthy ?? true) })
            logger.info("metrics listening", metadata: ["address": "\(bound.boundAddress)"])
            announce("metrics at http://\(bound.boundAddress)/metrics")
            return bound
        } catch {
            logger.critical("cannot serve metrics", metadata: ["error": "\(error)"])
            throw .status(ExitStatus.cannotCreate.code)
        }
    }
}
