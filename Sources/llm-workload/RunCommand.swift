import ArgumentParser
import Foundation
import Logging
import WorkloadDaemon
import WorkloadConfig

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The daemon: generate continuously, pace by the clock, publish to Kafka.",
        discussion: """
            SIGTERM or SIGINT stops generating, closes open sessions (reason shutdown), flushes \
            within kafka.flush_timeout_s and exits 0 if every event was delivered. With --state-dir \
            (or $STATE_DIRECTORY) the run is resumable: a stop flushes and checkpoints instead of \
            closing sessions, and the next start with the same configuration continues the run. \
            SIGHUP is ignored. \(ExitStatus.helpLine)
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Bootstrap servers (overrides kafka.brokers).")
    var brokers: String?

    @Flag(help: "Start librdkafka's mock cluster in this process and publish to it.")
    var embeddedKafka = false

    @Option(help: "realtime or accelerated (overrides clock.mode).")
    var mode: String?

    @Option(help: "Virtual seconds per wall second, or max (overrides clock.speed; with clock.mode realtime it switches to accelerated pacing at that speed, so it goes with --mode accelerated, not --mode realtime).")
    var speed: String?

    @Option(help: "Publish only sessions whose murmur2(session_id) mod n is k.")
    var shard: String?

    @Option(help: "kafka, stdout, file:PATH or null.")
    var sink: String = "kafka"

    @Option(help: "Prometheus listen address (overrides metrics.listen; empty disables).")
    var metricsListen: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Keep the run's record and checkpoints here, so that a restart continues the run (default: $STATE_DIRECTORY if set).")
    var stateDir: String?

    @Flag(help: "With a state directory: start a new run there instead of continuing the recorded one.")
    var newRun = false

    /// For `bench`: print when the first event was produced and first acknowledged.
    @Flag(help: .hidden)
    var reportFirstEvent = false

    func validate() throws {
        if let mode, !["realtime", "accelerated"].contains(mode) {
            throw ValidationError("--mode must be realtime or accelerated (got \(mode))")
        }
        if mode == "realtime", let speed {
            throw ValidationError("--speed applies to --mode accelerated; realtime paces one virtual second per wall second (got --mode realtime --speed \(speed))")
        }
        if let speed, speed != "max", !(Double(speed).map(ConfigBounds.speed.contains) ?? false) {
            throw ValidationError("--speed must be max or a number from \(ConfigBounds.describe(ConfigBounds.speed)) (got \(speed))")
        }
        if let brokers, let complaint = BrokerList.problems(brokers).first {
            throw ValidationError("--brokers: \(complaint)")
        }
        if let metricsListen, let complaint = ListenAddress.problem(metricsListen) {
            throw ValidationError("--metrics-listen: \(complaint)")
        }
        if let shard, Shard(parsing: shard) == nil {
            throw ValidationError("--shard must be k/n with 0 <= k < n (got \(shard))")
        }
        if SinkChoice(parsing: sink) == nil {
            throw ValidationError("--sink must be kafka, stdout, null or file:PATH (got \(sink))")
        }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) (got \(logLevel))")
        }
        if stateDir != nil && sink != "kafka" {
            throw ValidationError("--state-dir needs --sink kafka: a restart reads back what Kafka holds (got --sink \(sink))")
        }
        if newRun && StateDirectoryPath.resolve(flag: stateDir, environment: ProcessInfo.processInfo.environment) == nil {
            throw ValidationError("--new-run needs a state directory (--state-dir DIR or $STATE_DIRECTORY)")
        }
        if embeddedKafka && brokers != nil {
            throw ValidationError("--embedded-kafka and --brokers exclude each other")
        }
        try options.validate()
    }

    func run() async throws {
        var overrides = ConfigurationOverrides()
        overrides.clockMode = mode.map { $0 == "realtime" ? .realtime : .accelerated }
        overrides.speed = speed.map { $0 == "max" ? nil : Double($0) }
        overrides.metricsListen = metricsListen
        let configuration = try options.load(also: overrides)
        if mode == "accelerated" && speed == nil && configuration.clock.speed == 1 {
            printError("note: --mode accelerated at speed 1 runs in real time; pass --speed X or max")
        }
        var runOptions = RunOptions()
        runOptions.sink = SinkChoice(parsing: sink) ?? .kafka
        runOptions.shard = shard.flatMap(Shard.init(parsing:))
        runOptions.brokers = brokers
        runOptions.embeddedKafka = embeddedKafka
        runOptions.reportFirstEvent = reportFirstEvent
        // A state directory makes sense only where the run can be read back: Kafka.
        if runOptions.sink == .kafka {
            runOptions.stateDirectory = StateDirectoryPath.resolve(flag: stateDir, environment: ProcessInfo.processInfo.environment)
        }
        runOptions.newRun = newRun
        var logger = Logger(label: "llm-workload")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let status = await Daemon.run(configuration: configuration, options: runOptions, logger: logger, announce: { printError($0) })
        if status != 0 { throw ExitCode(status) }
    }
}
