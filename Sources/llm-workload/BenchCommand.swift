import ArgumentParser
import Logging
import WorkloadDaemon
import WorkloadBench
import WorkloadConfig

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure generator, JSON and Kafka throughput, real-time lateness, memory and start-up.",
        discussion: """
            Prints one table, or with --json one object with the keys core_events_per_s, \
            json_events_per_s, kafka_events_per_s, baseline_events_per_s, kafka_over_baseline, \
            lateness_ms (by rate: p50, p99, p999), lateness_state_dir_ms (the same with checkpoints written to a state directory), rss_mib_1e6, rss_mib_1e7, first_event_ms; with --baseline-config also \
            baseline_config_core_events_per_s, baseline_config_json_events_per_s, core_over_baseline_config \
            and json_over_baseline_config. \
            The configuration's duration and request bounds are lifted: throughput runs are \
            bounded by --events. Figures not measured are null. The documentation's Benchmarking \
            article says how each is measured. Use a release build.
            """
    )

    @Option(name: .shortAndLong, help: "Configuration file (YAML).")
    var config: String = "config/example.yaml"

    @Option(help: "A second configuration whose core and json figures are measured in the same run, interleaved, with the ratios.")
    var baselineConfig: String?

    @Option(help: "Events per throughput run (default 1,000,000; 100,000 with --quick).")
    var events: Int?

    @Flag(help: "A short run: one repetition, 2 s per real-time rate, memory at 10^6 requests only.")
    var quick = false

    @Flag(help: "Print one JSON object on standard output (the table goes to standard error).")
    var json = false

    @Option(help: "Parts to leave out, comma-separated: core, json, metrics, kafka, pacing, memory, first-event.")
    var skip: String?

    @Option(help: "Where the real-time lateness runs publish: kafka (the embedded cluster) or null.")
    var pacingSink: String = "kafka"

    @Option(help: "Publish the real-time lateness runs to these brokers (e.g. dev-kafka in another process) instead of the embedded cluster.")
    var pacingBrokers: String?

    @Flag(help: "Publish the real-time lateness runs to dev-kafka in a child process pinned to the last CPU, with the bench pinned to the first.")
    var pacingIsolated = false

    @Option(help: "Wall seconds of each real-time lateness run (default 10; 2 with --quick).")
    var pacingSeconds: Double?

    @Option(parsing: .unconditional, help: "Random seed, a non-negative integer (overrides workload.random_seed).")
    var seed: String?

    @Option(help: .hidden)
    var probeMemory: Int?

    @Option(help: "Only measure resuming: checkpoint after N events (in process), then time a `run --state-dir` from process start to the first new record acknowledged.")
    var resumeAfter: Int?

    func validate() throws {
        if let events, events < 1 { throw ValidationError("--events must be >= 1 (got \(events))") }
        if let seed { _ = try SeedArgument.parse(seed) }
        if let probeMemory, probeMemory < 1 { throw ValidationError("--probe-memory must be >= 1") }
        if let pacingSeconds, !(pacingSeconds > 0) {
            throw ValidationError("--pacing-seconds must be > 0 (got \(pacingSeconds))")
        }
        if !["kafka", "null"].contains(pacingSink) {
            throw ValidationError("--pacing-sink must be kafka or null (got \(pacingSink))")
        }
        if pacingIsolated && (pacingBrokers != nil || pacingSink != "kafka") {
            throw ValidationError("--pacing-isolated starts its own cluster: it goes with neither --pacing-brokers nor --pacing-sink null")
        }
        for part in skipParts where BenchSettings.Part(rawValue: part) == nil {
            throw ValidationError("--skip: unknown part \(part) (known: \(BenchSettings.Part.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    private var skipParts: [String] {
        skip.map { $0.split(separator: ",").map { $0.filter { !$0.isWhitespace } } } ?? []
    }

    func run() throws {
        var configuration: Configuration
        do {
            configuration = try Configuration.load(path: config)
        } catch {
            throw configFailure(error)
        }
        let seed = self.seed.flatMap { try? SeedArgument.parse($0) }
        configuration.override(seed: seed)
        var baseline: Configuration?
        if let baselineConfig {
            do {
                baseline = try Configuration.load(path: baselineConfig)
            } catch {
                throw configFailure(error)
            }
            baseline?.override(seed: seed)
        }
        // The bench drives the profile engine; a replayed trace has none (it would index an empty profile list).
        for (path, loaded) in [(config, configuration), (baselineConfig ?? "", baseline)] where loaded?.replay != nil {
            printError("\(path): workload.replay: bench measures generated workloads, not replayed traces")
            throw ExitStatus.config.exit
        }
        var logger = Logger(label: "llm-workload.bench")
        logger.logLevel = .warning

        if let probeMemory {
            print(MemoryProbe.probe(configuration: configuration, requests: probeMemory, logger: logger))
            return
        }
        if let resumeAfter {
            do {
                let figures = try ResumeProbe.measure(configuration: configuration, configPath: config, events: resumeAfter) {
                    printError("bench: \($0)")
                }
                print(figures.table, terminator: "")
            } catch {
                printError("bench: \(error)")
                throw ExitStatus.software.exit
            }
            return
        }
        var settings = BenchSettings(configuration: configuration, configPath: config, events: events, quick: quick)
        settings.skip = Set(skipParts.compactMap(BenchSettings.Part.init(rawValue:)))
        settings.pacingToKafka = pacingSink == "kafka"
        settings.baselineConfiguration = baseline
        settings.baselineConfigPath = baselineConfig
        settings.pacingBrokers = pacingBrokers
        settings.pacingIsolated = pacingIsolated
        if let pacingSeconds { settings.pacingSeconds = pacingSeconds }
        let report = Benchmark.run(settings, logger: logger) { printError("bench: \($0)") }
        if json {
            // The object for machines on standard output; the table for whoever watches, with the progress.
            printError(report.table)
            print(report.json)
        } else {
            print(report.table, terminator: "")
        }
    }
}
