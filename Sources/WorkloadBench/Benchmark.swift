import Foundation
import Logging
import WorkloadModel
import WorkloadConfig
import WorkloadDaemon
import WorkloadTraces

/// What `llm-workload bench` measures and how long it spends on it.
public struct BenchSettings: Sendable {
    /// The parts of the bench, for `--skip`.
    public enum Part: String, Sendable, CaseIterable {
        case core, json, metrics, kafka, pacing, memory, firstEvent = "first-event"
    }

    /// The configuration as loaded (its bounds are lifted for the throughput runs).
    public var configuration: Configuration
    public var configPath: String
    /// Events per throughput run (core, json, kafka, baseline).
    public var events: Int
    public var quick: Bool
    /// Runs of each throughput figure; the median is reported.
    public var repetitions: Int
    /// Real-time rates for the lateness figures, events per second.
    public var pacingRates: [Int] = [1_000, 10_000]
    /// Wall seconds of each real-time run.
    public var pacingSeconds: Double
    /// Where the real-time runs publish: the embedded cluster (true) or the null sink.
    public var pacingToKafka = true
    /// Publish the lateness runs to these brokers (e.g. `dev-kafka` in another process,
    /// pinned to another CPU) instead of the embedded cluster; its topics must exist.
    public var pacingBrokers: String?
    /// Publish the lateness runs to `dev-kafka` in a child process pinned to the last
    /// CPU, with the bench's thread pinned to the first (`IsolatedCluster`).
    public var pacingIsolated = false
    /// Requests for the memory figures (10^6 and 10^7; `--quick` only the first).
    public var memoryRequests: [Int]
    public var skip: Set<Part> = []
    /// A second configuration whose core and json figures are measured in the
    /// same run, interleaved with this one's, for ratios (`--baseline-config`).
    public var baselineConfiguration: Configuration?
    public var baselineConfigPath: String?

    public init(configuration: Configuration, configPath: String, events: Int?, quick: Bool) {
        self.configuration = configuration
        self.configPath = configPath
        self.quick = quick
        self.events = events ?? (quick ? 100_000 : 1_000_000)
        repetitions = quick ? 1 : 3
        pacingSeconds = quick ? 2 : 10
        memoryRequests = quick ? [1_000_000] : [1_000_000, 10_000_000]
    }
}

/// Runs the bench: each figure of `BenchReport` in turn, progress on `progress`.
public enum Benchmark {
    public static func run(_ settings: BenchSettings, logger: Logger, progress: (String) -> Void) -> BenchReport {
        var report = BenchReport(configPath: settings.configPath, events: settings.events, quick: settings.quick)
        report.pacingSink = !settings.pacingToKafka ? "null" : settings.pacingBrokers.map { "kafka (\($0))" } ?? "kafka"
        report.machine = machineDescription()
        var unbounded = settings.configuration
        unbounded.workload.totalDuration = nil
        unbounded.workload.totalRequests = nil
        let spec = unbounded.workload
        let encoder = StreamGenerator.encoder(for: unbounded, defaultStart: unixNanosecondsNow())
        let runs = max(1, settings.repetitions)

        func skipped(_ part: BenchSettings.Part, _ keys: [String]) -> Bool {
            guard settings.skip.contains(part) else { return false }
            for key in keys { report.notes[key] = "skipped" }
            return true
        }

        let baselineSpec = settings.baselineConfiguration.map { configuration -> (WorkloadSpec, EventEncoder) in
            var unbounded = configuration
            unbounded.workload.totalDuration = nil
            unbounded.workload.totalRequests = nil
            return (unbounded.workload, StreamGenerator.encoder(for: unbounded, defaultStart: unixNanosecondsNow()))
        }
        report.baselineConfigPath = settings.baselineConfigPath

        if !skipped(.core, ["core_events_per_s"]) {
            progress("core: \(runs) x \(settings.events) events" + (baselineSpec == nil ? "" : ", interleaved with the baseline config"))
            // An untimed pass first: the first run of a fresh binary pays for
            // paging its code in, which is not the model's speed.
            _ = GeneratorThroughput.core(spec, events: min(settings.events, 50_000))
            var core: [Throughput] = [], reference: [Throughput] = []
            for _ in 0..<runs {
                core.append(GeneratorThroughput.core(spec, events: settings.events))
                if let (baseline, _) = baselineSpec {
                    reference.append(GeneratorThroughput.core(baseline, events: settings.events))
                }
            }
            report.coreEventsPerSecond = median(core.map(\.eventsPerSecond))
            report.coreEventsPerCPUSecond = median(core.map(\.eventsPerCPUSecond))
            if !reference.isEmpty { report.baselineConfigCoreEventsPerSecond = median(reference.map(\.eventsPerSecond)) }
        }
        if !skipped(.json, ["json_events_per_s"]) {
            progress("json: \(runs) x \(settings.events) events" + (baselineSpec == nil ? "" : ", interleaved with the baseline config"))
            _ = GeneratorThroughput.json(spec, encoder: encoder, events: min(settings.events, 50_000))
            if let (baseline, baselineEncoder) = baselineSpec {
                _ = GeneratorThroughput.json(baseline, encoder: baselineEncoder, events: min(settings.events, 50_000))
            }
            var json: [Throughput] = [], reference: [Throughput] = []
            for _ in 0..<runs {
                // Alternate the two so that drift on a shared machine hits both alike.
                json.append(GeneratorThroughput.json(spec, encoder: encoder, events: settings.events))
                if let (baseline, baselineEncoder) = baselineSpec {
                    reference.append(GeneratorThroughput.json(baseline, encoder: baselineEncoder, events: settings.events))
                }
            }
            report.jsonEventsPerSecond = median(json.map(\.eventsPerSecond))
            report.jsonEventsPerCPUSecond = median(json.map(\.eventsPerCPUSecond))
            if !reference.isEmpty { report.baselineConfigJSONEventsPerSecond = median(reference.map(\.eventsPerSecond)) }
        }

        if !skipped(.metrics, ["metrics_ns"]) {
            let calls = settings.quick ? 1_000_000 : 10_000_000
            progress("metrics: \(runs) x \(calls) calls of each per-event update")
            report.metrics = MetricsBench.measure(configuration: unbounded, calls: calls, runs: runs)
        }

        var kafka: KafkaBench?
        let needsCluster = !settings.skip.contains(.kafka)
            || (!settings.skip.contains(.pacing) && settings.pacingToKafka && settings.pacingBrokers == nil
                && !settings.pacingIsolated)
        if needsCluster {
            do {
                kafka = try KafkaBench(configuration: unbounded, encoder: encoder, logger: logger)
            } catch {
                report.notes["kafka_events_per_s"] = "no embedded cluster: \(error)"
                report.notes["lateness_ms"] = "no embedded cluster: \(error)"
            }
        }

        if !skipped(.kafka, ["kafka_events_per_s", "baseline_events_per_s", "kafka_over_baseline"]), let kafka {
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
                report.notes["kafka_events_per_s"] = "\(error)"
                report.notes["baseline_events_per_s"] = "\(error)"
                report.notes["kafka_over_baseline"] = "\(error)"
            }
        }

        if !skipped(.pacing, ["lateness_ms"]) {
            var pacingBrokers = settings.pacingBrokers
            var isolated: IsolatedCluster?
            if settings.pacingIsolated && settings.pacingToKafka {
                kafka = nil  // the embedded cluster's threads are not to share the generator's CPU
                do {
                    let cluster = try IsolatedCluster(configuration: unbounded)
                    isolated = cluster
                    pacingBrokers = cluster.bootstrapServers
                    report.pacingSink = "kafka (dev-kafka on CPUs \(cluster.clusterCPUsAllowed), bench thread on CPUs \(IsolatedCluster.threadCPUsAllowed))"
                } catch {
                    report.notes["lateness_ms"] = "\(error)"
                }
            }
            defer { isolated?.close() }
            let base = isolated == nil && settings.pacingIsolated && settings.pacingToKafka ? 0 : PacingBench.eventsPerVirtualSecond(spec)
            for rate in settings.pacingRates where base > 0 {
                progress("pacing: \(rate) events/s in real time for \(settings.pacingSeconds) s")
                var scaled = unbounded
                scaled.workload = PacingBench.timeScaled(spec, by: base / Double(rate))
                let sink: EventSink
                if settings.pacingToKafka, let brokers = pacingBrokers {
                    do {
                        sink = try KafkaBench.externalSink(brokers: brokers, configuration: unbounded, encoder: encoder, logger: logger)
                    } catch {
                        report.notes["lateness_ms"] = "brokers \(brokers): \(error)"
                        continue
                    }
                } else if settings.pacingToKafka {
                    guard let kafka, let made = try? kafka.makeSink() else { continue }
                    sink = made.0
                } else {
                    sink = StreamSink(output: nil, flushEachEvent: false)
                }
                if var lateness = PacingBench.measure(
                    configuration: scaled, encoder: encoder, sink: sink, rate: rate, seconds: settings.pacingSeconds,
                    logger: logger) {
                    progress("pacing: the pacer alone at \(rate) events/s for \(settings.pacingSeconds) s (the floor)")
                    lateness.floor = PacingBench.floor(spec: scaled.workload, rate: rate, seconds: settings.pacingSeconds)
                    lateness.loadAverage = loadAverage()
                    report.lateness.append(lateness)
                }
            }
        }
        kafka = nil

        let seed = settings.configuration.workload.seed
        if !skipped(.memory, ["rss_mib_1e6", "rss_mib_1e7"]) {
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

        if !skipped(.firstEvent, ["first_event_ms"]) {
            progress("first event: run --embedded-kafka in a fresh process")
            do {
                // The median of three spawns: one start-up is easily disturbed.
                var produced: [Double] = []
                var acknowledged: [Double] = []
                var steps: [[(step: String, ms: Double)]] = []
                for _ in 0..<(settings.quick ? 1 : 3) {
                    let times = try FirstEventProbe.measure(configPath: settings.configPath, seed: seed)
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
        return report
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
