import Foundation
import Logging
import WorkloadModel
import WorkloadConfig
import WorkloadDaemon
import WorkloadTraces

/// What `llm-workload bench` measures and how long it spends on it.
package struct BenchSettings: Sendable {
    /// The parts of the bench, for `--skip`.
    package enum Part: String, Sendable, CaseIterable {
        case core, json, metrics, kafka, pacing, memory, firstEvent = "first-event"
    }

    /// The configuration as loaded (its bounds are lifted for the throughput runs).
    package var configuration: Configuration
    package var configPath: String
    /// Events per throughput run (core, json, kafka, baseline).
    package var events: Int
    package var quick: Bool
    /// Runs of each throughput figure; the median is reported.
    package var repetitions: Int
    /// Real-time rates for the lateness figures, events per second.
    package var pacingRates: [Int] = [1_000, 10_000]
    /// Wall seconds of each real-time run.
    package var pacingSeconds: Double
    /// Where the real-time runs publish: the embedded cluster (true) or the null sink.
    package var pacingToKafka = true
    /// Publish the lateness runs to these brokers (e.g. `dev-kafka` in another process,
    /// pinned to another CPU) instead of the embedded cluster; its topics must exist.
    package var pacingBrokers: String?
    /// Publish the lateness runs to `dev-kafka` in a child process pinned to the last
    /// CPU, with the bench's thread pinned to the first (`IsolatedCluster`).
    package var pacingIsolated = false
    /// Requests for the memory figures (10^6 and 10^7; `--quick` only the first).
    package var memoryRequests: [Int]
    package var skip: Set<Part> = []
    /// A second configuration whose core and json figures are measured in the
    /// same run, interleaved with this one's, for ratios (`--baseline-config`).
    package var baselineConfiguration: Configuration?
    package var baselineConfigPath: String?

    package init(configuration: Configuration, configPath: String, events: Int?, quick: Bool) {
        self.configuration = configuration
        self.configPath = configPath
        self.quick = quick
        self.events = events ?? (quick ? 100_000 : 1_000_000)
        repetitions = quick ? 1 : 3
        pacingSeconds = quick ? 2 : 10
        memoryRequests = quick ? [1_000_000] : [1_000_000, 10_000_000]
    }
}

/// Runs the bench: each figure in turn, progress on `progress`.
package enum Benchmark {
    package static func run(_ settings: BenchSettings, logger: Logger, progress: (String) -> Void) -> BenchReport {
        withoutActuallyEscaping(progress) { progress in
            var bench = BenchRun(settings: settings, logger: logger, progress: progress)
            bench.core()
            bench.json()
            bench.metrics()
            var kafka = bench.embeddedCluster()
            bench.kafkaThroughput(kafka)
            bench.pacing(&kafka)
            kafka = nil  // the cluster's threads stop before the memory and start-up probes
            bench.memory()
            bench.firstEvent()
            return bench.report
        }
    }
}

/// One bench run: the settings, the configuration without its bounds, and
/// the report that each part fills in.
private struct BenchRun {
    let settings: BenchSettings
    let logger: Logger
    let progress: (String) -> Void
    var report: BenchReport
    /// The configuration with its bounds lifted, its spec and encoder.
    let unbounded: Configuration
    let encoder: EventEncoder
    let baseline: (spec: WorkloadSpec, encoder: EventEncoder)?
    let runs: Int
    var spec: WorkloadSpec { unbounded.workload }

    init(settings: BenchSettings, logger: Logger, progress: @escaping (String) -> Void) {
        self.settings = settings
        self.logger = logger
        self.progress = progress
        report = BenchReport(configPath: settings.configPath, events: settings.events, quick: settings.quick)
        report.pacingSink = !settings.pacingToKafka ? "null" : settings.pacingBrokers.map { "kafka (\($0))" } ?? "kafka"
        report.machine = machineDescription()
        report.baselineConfigPath = settings.baselineConfigPath
        unbounded = Self.unbounded(settings.configuration)
        encoder = StreamGenerator.encoder(for: unbounded, defaultStart: unixNanosecondsNow())
        baseline = settings.baselineConfiguration.map { configuration in
            let unbounded = Self.unbounded(configuration)
            return (unbounded.workload, StreamGenerator.encoder(for: unbounded, defaultStart: unixNanosecondsNow()))
        }
        runs = max(1, settings.repetitions)
    }

    private static func unbounded(_ configuration: Configuration) -> Configuration {
        var unbounded = configuration
        unbounded.workload.totalDuration = nil
        unbounded.workload.totalRequests = nil
        return unbounded
    }

    /// True (and the keys noted "skipped") when `--skip` names `part`.
    mutating func skipped(_ part: BenchSettings.Part, _ keys: [String]) -> Bool {
        guard settings.skip.contains(part) else { return false }
        for key in keys { report.notes[key] = "skipped" }
        return true
    }

    mutating func core() {
        guard !skipped(.core, ["core_events_per_s"]) else { return }
        progress("core: \(runs) x \(settings.events) events" + (baseline == nil ? "" : ", interleaved with the baseline config"))
        // An untimed pass first: the first run of a fresh binary pays for
        // paging its code in, which is not the model's speed.
        _ = GeneratorThroughput.core(spec, events: min(settings.events, 50_000))
        var core: [Throughput] = [], reference: [Throughput] = []
        for _ in 0..<runs {
            core.append(GeneratorThroughput.core(spec, events: settings.events))
            if let baseline { reference.append(GeneratorThroughput.core(baseline.spec, events: settings.events)) }
        }
        report.coreEventsPerSecond = median(core.map(\.eventsPerSecond))
        report.coreEventsPerCPUSecond = median(core.map(\.eventsPerCPUSecond))
        if !reference.isEmpty { report.baselineConfigCoreEventsPerSecond = median(reference.map(\.eventsPerSecond)) }
    }

    mutating func json() {
        guard !skipped(.json, ["json_events_per_s"]) else { return }
        progress("json: \(runs) x \(settings.events) events" + (baseline == nil ? "" : ", interleaved with the baseline config"))
        _ = GeneratorThroughput.json(spec, encoder: encoder, events: min(settings.events, 50_000))
        if let baseline { _ = GeneratorThroughput.json(baseline.spec, encoder: baseline.encoder, events: min(settings.events, 50_000)) }
        var json: [Throughput] = [], reference: [Throughput] = []
        for _ in 0..<runs {
            // Alternate the two so that drift on a shared machine hits both alike.
            json.append(GeneratorThroughput.json(spec, encoder: encoder, events: settings.events))
            if let baseline {
                reference.append(GeneratorThroughput.json(baseline.spec, encoder: baseline.encoder, events: settings.events))
            }
        }
        report.jsonEventsPerSecond = median(json.map(\.eventsPerSecond))
        report.jsonEventsPerCPUSecond = median(json.map(\.eventsPerCPUSecond))
        if !reference.isEmpty { report.baselineConfigJSONEventsPerSecond = median(reference.map(\.eventsPerSecond)) }
    }

    mutating func metrics() {
        guard !skipped(.metrics, ["metrics_ns"]) else { return }
        let calls = settings.quick ? 1_000_000 : 10_000_000
        progress("metrics: \(runs) x \(calls) calls of each per-event update")
        report.metrics = MetricsBench.measure(configuration: unbounded, calls: calls, runs: runs)
    }

    /// The embedded cluster, when the kafka figures or the lateness runs publish to it.
    mutating func embeddedCluster() -> KafkaBench? {
        let needsCluster = !settings.skip.contains(.kafka)
            || (!settings.skip.contains(.pacing) && settings.pacingToKafka && settings.pacingBrokers == nil
                && !settings.pacingIsolated)
        guard needsCluster else { return nil }
        do {
            return try KafkaBench(configuration: unbounded, encoder: encoder, logger: logger)
        } catch {
            report.notes["kafka_events_per_s"] = "no embedded cluster: \(error)"
            report.notes["lateness_ms"] = "no embedded cluster: \(error)"
            return nil
        }
    }

    mutating func kafkaThroughput(_ kafka: KafkaBench?) {
        let keys = ["kafka_events_per_s", "baseline_events_per_s", "kafka_over_baseline"]
        guard !skipped(.kafka, keys), let kafka else { return }
        progress("kafka: preparing \(settings.events) records for the baseline")
        let batch = kafka.records(events: settings.events)
        var daemonRuns: [Throughput] = []
        var baselineRuns: [Throughput] = []
        do {
            // Alternate the two so that drift on a shared machine hits both
            // alike, and take all runs of each together.
            for run in 0..<runs {
                progress("kafka: run \(run + 1) of \(runs), daemon loop then baseline")
                let daemon = try kafka.daemon(events: settings.events)
                daemonRuns.append(daemon.run)
                report.kafkaWatermarkRecords = daemon.watermarkRecords
                baselineRuns.append(try kafka.baseline(batch))
            }
            let daemon = Throughput.total(daemonRuns), baseline = Throughput.total(baselineRuns)
            report.kafkaRuns = runs
            report.kafkaEventsPerSecond = daemon.eventsPerSecond
            report.baselineEventsPerSecond = baseline.eventsPerSecond
            report.kafkaCPUMicrosecondsPerEvent = daemon.cpuMicrosecondsPerEvent
            report.baselineCPUMicrosecondsPerEvent = baseline.cpuMicrosecondsPerEvent
        } catch {
            for key in keys { report.notes[key] = "\(error)" }
        }
    }

    /// The lateness rows: at each rate the daemon's loop in real time, then
    /// the same with a state directory (checkpoints written as the daemon
    /// writes them), each followed by the pacer alone on the same schedule.
    mutating func pacing(_ kafka: inout KafkaBench?) {
        guard !skipped(.pacing, ["lateness_ms", "lateness_state_dir_ms"]) else { return }
        var brokers = settings.pacingBrokers
        var isolated: IsolatedCluster?
        if settings.pacingIsolated && settings.pacingToKafka {
            kafka = nil  // the embedded cluster's threads are not to share the generator's CPU
            do {
                let cluster = try IsolatedCluster(configuration: unbounded)
                isolated = cluster
                brokers = cluster.bootstrapServers
                report.pacingSink = "kafka (dev-kafka on CPUs \(cluster.clusterCPUsAllowed), bench thread on CPUs \(IsolatedCluster.threadCPUsAllowed))"
            } catch {
                report.notes["lateness_ms"] = "\(error)"
            }
        }
        defer { isolated?.close() }
        let base = isolated == nil && settings.pacingIsolated && settings.pacingToKafka ? 0 : PacingBench.eventsPerVirtualSecond(spec)
        for rate in settings.pacingRates where base > 0 {
            var scaled = unbounded
            scaled.workload = PacingBench.timeScaled(spec, by: base / Double(rate))
            for withStateDirectory in [false, true] {
                guard let sink = pacingSink(kafka: kafka, brokers: brokers, stateDirectory: withStateDirectory) else { continue }
                progress("pacing: \(rate) events/s in real time for \(settings.pacingSeconds) s" + (withStateDirectory ? " with a state directory" : ""))
                guard var lateness = PacingBench.measure(
                    configuration: scaled, encoder: encoder, sink: sink, rate: rate, seconds: settings.pacingSeconds,
                    stateDirectory: withStateDirectory, logger: logger) else { continue }
                progress("pacing: the pacer alone at \(rate) events/s for \(settings.pacingSeconds) s (the floor)")
                lateness.floor = PacingBench.floor(spec: scaled.workload, rate: rate, seconds: settings.pacingSeconds)
                lateness.loadAverage = loadAverage()
                if withStateDirectory { report.latenessWithStateDirectory.append(lateness) } else { report.lateness.append(lateness) }
            }
        }
    }

    /// Where one lateness run publishes; nil (and a note) when it cannot.
    private mutating func pacingSink(kafka: KafkaBench?, brokers: String?, stateDirectory: Bool) -> EventSink? {
        let key = stateDirectory ? "lateness_state_dir_ms" : "lateness_ms"
        if settings.pacingToKafka, let brokers {
            do {
                return try KafkaBench.externalSink(brokers: brokers, configuration: unbounded, encoder: encoder, logger: logger)
            } catch {
                report.notes[key] = "brokers \(brokers): \(error)"
                return nil
            }
        } else if settings.pacingToKafka {
            guard let kafka, let made = try? kafka.makeSink() else { return nil }
            return made.0
        }
        return StreamSink(output: nil, flushEachEvent: false)
    }

    mutating func memory() {
        guard !skipped(.memory, ["rss_mib_1e6", "rss_mib_1e7"]) else { return }
        let seed = settings.configuration.workload.seed
        for (requests, key) in [(1_000_000, "rss_mib_1e6"), (10_000_000, "rss_mib_1e7")] {
            guard settings.memoryRequests.contains(requests) else {
                report.notes[key] = "not measured with --quick"
                continue
            }
            progress("memory: \(requests) requests in a fresh process")
            do {
                let mib = try MemoryProbe.measure(configPath: settings.configPath, seed: seed, requests: requests)
                if requests == 1_000_000 { report.rssMiB1e6 = mib } else { report.rssMiB1e7 = mib }
            } catch {
                report.notes[key] = "\(error)"
            }
        }
    }

    mutating func firstEvent() {
        guard !skipped(.firstEvent, ["first_event_ms"]) else { return }
        progress("first event: run --embedded-kafka in a fresh process")
        do {
            // The median of three spawns: one start-up is easily disturbed.
            var produced: [Double] = []
            var acknowledged: [Double] = []
            var steps: [[(step: String, ms: Double)]] = []
            for _ in 0..<(settings.quick ? 1 : 3) {
                let times = try FirstEventProbe.measure(configPath: settings.configPath, seed: settings.configuration.workload.seed)
                produced.append(times.produced)
                acknowledged.append(times.acknowledged)
                steps.append(times.steps)
            }
            report.firstProduceMs = median(produced)
            report.firstEventMs = median(acknowledged)
            // The steps of the spawn whose acknowledgement was the median one.
            let order = acknowledged.indices.sorted { acknowledged[$0] < acknowledged[$1] }
            if !order.isEmpty { report.firstEventSteps = steps[order[order.count / 2]] }
        } catch {
            report.notes["first_event_ms"] = "\(error)"
        }
    }
}

/// `nproc` and the load average when the bench starts, for the table header.
private func machineDescription() -> String {
    let cpus = ProcessInfo.processInfo.activeProcessorCount
    return "\(cpus) CPUs" + (loadAverage().map { ", load average \($0) at start" } ?? "")
}

/// The 1-minute load average (`/proc/loadavg`).
private func loadAverage() -> String? {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init)
}
