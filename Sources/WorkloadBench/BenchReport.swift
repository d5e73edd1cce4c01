/// The figures of one `llm-workload bench` run. Figures not measured
/// in this run (memory at 10^7 requests under `--quick`, a skipped part, or a
/// part that failed) are nil: `null` in JSON, a dash and the reason in the table.
package struct BenchReport: Sendable {
    /// Lateness quantiles (nearest rank), milliseconds.
    package struct Quantiles: Sendable {
        package var p50: Double
        package var p99: Double
        package var p999: Double
        package var max: Double
    }

    /// One real-time run.
    package struct Lateness: Sendable {
        package var eventsPerSecond: Int
        /// The rate the run actually had (events published / wall seconds).
        package var achievedEventsPerSecond: Double
        package var samples: Int
        /// The daemon's loop: due wall time to the return of the sink's publish.
        package var daemon: Quantiles
        /// The pacer alone on the same schedule (no encoding, no sink): what
        /// the machine allows at that moment.
        package var floor: Quantiles?
        /// The 1-minute load average when the run and its floor were done.
        package var loadAverage: String?
        /// With a state directory: the checkpoints written during the run (and at its end).
        package var checkpoints: Int?
    }

    package var configPath: String
    package var events: Int
    package var quick: Bool
    /// Where the real-time runs published.
    package var pacingSink = "kafka"
    /// `nproc` and the 1-minute load average when the bench started.
    package var machine = ""

    /// Median over the runs, wall clock.
    package var coreEventsPerSecond: Double?
    /// The same runs per CPU second of the generating thread.
    package var coreEventsPerCPUSecond: Double?
    package var jsonEventsPerSecond: Double?
    package var jsonEventsPerCPUSecond: Double?
    /// All runs together (events over seconds), wall clock.
    package var kafkaEventsPerSecond: Double?
    package var baselineEventsPerSecond: Double?
    /// Process CPU time per event (every thread: generator, producer, cluster).
    package var kafkaCPUMicrosecondsPerEvent: Double?
    package var baselineCPUMicrosecondsPerEvent: Double?
    package var kafkaRuns = 0
    /// Watermark records one Kafka run sent on top of its data events.
    package var kafkaWatermarkRecords: Int?
    package var lateness: [Lateness] = []
    /// The same runs with a state directory: checkpoints written as `run --state-dir` does.
    package var latenessWithStateDirectory: [Lateness] = []
    /// The per-event metric updates alone, nanoseconds per call (median of the runs).
    var metrics: MetricsBench.Figures?
    package var rssMiB1e6: Double?
    package var rssMiB1e7: Double?
    /// Process spawn to the first record acknowledged by the embedded cluster.
    package var firstEventMs: Double?
    /// Process spawn to the first record handed to the producer.
    package var firstProduceMs: Double?
    /// `--baseline-config`: the second configuration and its core and json
    /// figures, measured in the same run, interleaved with this one's.
    package var baselineConfigPath: String?
    package var baselineConfigCoreEventsPerSecond: Double?
    package var baselineConfigJSONEventsPerSecond: Double?
    /// Spawn to each start-up step of the median spawn (set up, cluster started,
    /// a broker answered, topics known, ready to generate), milliseconds.
    package var firstEventSteps: [(step: String, ms: Double)] = []
    /// Why a figure is missing, by JSON key.
    package var notes: [String: String] = [:]

    package init(configPath: String, events: Int, quick: Bool) {
        self.configPath = configPath
        self.events = events
        self.quick = quick
    }

    package var kafkaOverBaseline: Double? {
        guard let kafka = kafkaEventsPerSecond, let baseline = baselineEventsPerSecond, baseline > 0 else { return nil }
        return kafka / baseline
    }

    /// This configuration's json figure over the baseline configuration's.
    package var jsonOverBaselineConfig: Double? {
        guard let json = jsonEventsPerSecond, let reference = baselineConfigJSONEventsPerSecond, reference > 0 else { return nil }
        return json / reference
    }

    package var coreOverBaselineConfig: Double? {
        guard let core = coreEventsPerSecond, let reference = baselineConfigCoreEventsPerSecond, reference > 0 else { return nil }
        return core / reference
    }

    /// One JSON object with exactly the keys the Benchmarking article lists, and with
    /// `--baseline-config` the baseline configuration's figures and ratios.
    package var json: String {
        func number(_ value: Double?, decimals: Int) -> String {
            guard let value, value.isFinite else { return "null" }
            return format(value, decimals: decimals)
        }
        func rows(_ runs: [Lateness]) -> String {
            runs.map {
                "\"\($0.eventsPerSecond)\":{\"p50\":\(number($0.daemon.p50, decimals: 4)),"
                    + "\"p99\":\(number($0.daemon.p99, decimals: 4)),\"p999\":\(number($0.daemon.p999, decimals: 4))}"
            }.joined(separator: ",")
        }
        var fields = [
            "\"core_events_per_s\":\(number(coreEventsPerSecond, decimals: 0))",
            "\"json_events_per_s\":\(number(jsonEventsPerSecond, decimals: 0))",
            "\"kafka_events_per_s\":\(number(kafkaEventsPerSecond, decimals: 0))",
            "\"baseline_events_per_s\":\(number(baselineEventsPerSecond, decimals: 0))",
            "\"kafka_over_baseline\":\(number(kafkaOverBaseline, decimals: 3))",
            "\"lateness_ms\":{\(rows(lateness))}",
            "\"lateness_state_dir_ms\":{\(rows(latenessWithStateDirectory))}",
            "\"rss_mib_1e6\":\(number(rssMiB1e6, decimals: 1))",
            "\"rss_mib_1e7\":\(number(rssMiB1e7, decimals: 1))",
            "\"first_event_ms\":\(number(firstEventMs, decimals: 1))",
        ]
        if baselineConfigPath != nil {
            fields += [
                "\"baseline_config_core_events_per_s\":\(number(baselineConfigCoreEventsPerSecond, decimals: 0))",
                "\"baseline_config_json_events_per_s\":\(number(baselineConfigJSONEventsPerSecond, decimals: 0))",
                "\"core_over_baseline_config\":\(number(coreOverBaselineConfig, decimals: 3))",
                "\"json_over_baseline_config\":\(number(jsonOverBaselineConfig, decimals: 3))",
            ]
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The human-readable table: figure, value, how it was taken.
    /// A table row per real-time run (`label @ rate/s`), or one saying why there is none.
    private func latenessRows(_ runs: [Lateness], label: String, key: String) -> [(String, String, String)] {
        func milliseconds(_ q: Quantiles) -> String {
            "p50 \(format(q.p50, decimals: 3)), p99 \(format(q.p99, decimals: 3)), p99.9 \(format(q.p999, decimals: 3)) ms"
        }
        guard !runs.isEmpty else { return [(label, "- (\(notes[key] ?? "not measured"))", "")] }
        return runs.map { run in
            var detail = "realtime, \(pacingSink) sink, \(run.samples) events at \(grouped(run.achievedEventsPerSecond))/s, max \(format(run.daemon.max, decimals: 2)) ms"
            if let checkpoints = run.checkpoints { detail += ", \(checkpoints) checkpoints written" }
            if let floor = run.floor {
                detail += "; floor (pacer alone) \(milliseconds(floor)), max \(format(floor.max, decimals: 2))"
            }
            if let load = run.loadAverage { detail += "; load average \(load)" }
            return ("\(label) @ \(grouped(Double(run.eventsPerSecond)))/s", milliseconds(run.daemon), detail)
        }
    }

    package var table: String {
        var rows: [(String, String, String)] = []
        func missing(_ key: String) -> String { "- (\(notes[key] ?? "not measured"))" }
        func rate(_ value: Double?, _ key: String) -> String {
            value.map { "\(grouped($0)) events/s" } ?? missing(key)
        }
        func perCPU(_ value: Double?) -> String {
            value.map { "; \(grouped($0)) per CPU-second" } ?? ""
        }
        func cpu(_ value: Double?) -> String {
            value.map { "; \(format($0, decimals: 2)) CPU-µs/event" } ?? ""
        }
        rows.append(("core", rate(coreEventsPerSecond, "core_events_per_s"),
                     "model alone, one thread, no sink\(perCPU(coreEventsPerCPUSecond))"))
        rows.append(("json", rate(jsonEventsPerSecond, "json_events_per_s"),
                     "model + JSON Lines, one thread, null sink\(perCPU(jsonEventsPerCPUSecond))"))
        if let path = baselineConfigPath {
            let same = "\(path), interleaved with the runs above"
            rows.append(("core (baseline config)", rate(baselineConfigCoreEventsPerSecond, "core_events_per_s"), same))
            rows.append(("json (baseline config)", rate(baselineConfigJSONEventsPerSecond, "json_events_per_s"), same))
            rows.append(("core / baseline config", coreOverBaselineConfig.map { format($0, decimals: 3) } ?? missing("core_events_per_s"), ""))
            rows.append(("json / baseline config", jsonOverBaselineConfig.map { format($0, decimals: 3) } ?? missing("json_events_per_s"), ""))
        }
        let watermarks = kafkaWatermarkRecords.map { ", +\($0) watermark records/run" } ?? ""
        rows.append(("kafka", rate(kafkaEventsPerSecond, "kafka_events_per_s"),
                     "daemon loop at --speed max to the embedded cluster\(watermarks)\(cpu(kafkaCPUMicrosecondsPerEvent))"))
        rows.append(("baseline", rate(baselineEventsPerSecond, "baseline_events_per_s"),
                     "plain librdkafka loop, same records, cluster and settings\(cpu(baselineCPUMicrosecondsPerEvent))"))
        var ratioDetail = kafkaRuns > 0 ? "\(kafkaRuns) interleaved run\(kafkaRuns == 1 ? "" : "s") of each" : ""
        if let kafka = kafkaCPUMicrosecondsPerEvent, let baseline = baselineCPUMicrosecondsPerEvent, kafka > 0 {
            ratioDetail += "; by CPU per event \(format(baseline / kafka, decimals: 3))"
        }
        rows.append(("kafka / baseline", kafkaOverBaseline.map { format($0, decimals: 3) } ?? missing("kafka_over_baseline"),
                     ratioDetail))
        rows.append(("metrics per event", metrics.map {
            "\(format($0.generatedNanoseconds, decimals: 1)) + \(format($0.latenessNanoseconds, decimals: 1)) ns"
        } ?? missing("metrics_ns"), "eventGenerated (every paced event) + lateness histogram (every paced event), one thread"))
        rows += latenessRows(lateness, label: "lateness", key: "lateness_ms")
        rows += latenessRows(latenessWithStateDirectory, label: "lateness, state dir", key: "lateness_state_dir_ms")
        let memory = "fresh process, --speed max, null sink, conversational_probability 0.6"
        rows.append(("peak RSS @ 10^6 requests", rssMiB1e6.map { "\(format($0, decimals: 1)) MiB" } ?? missing("rss_mib_1e6"), memory))
        rows.append(("peak RSS @ 10^7 requests", rssMiB1e7.map { "\(format($0, decimals: 1)) MiB" } ?? missing("rss_mib_1e7"), memory))
        var first = "spawn to first acknowledged record, run --embedded-kafka"
        if let produce = firstProduceMs { first += "; first produce at \(format(produce, decimals: 1)) ms" }
        if !firstEventSteps.isEmpty {
            first += " (" + firstEventSteps.map { "\($0.step) \(format($0.ms, decimals: 1))" }.joined(separator: ", ") + ")"
        }
        rows.append(("first event", firstEventMs.map { "\(format($0, decimals: 1)) ms" } ?? missing("first_event_ms"), first))

        let nameWidth = rows.map(\.0.count).max() ?? 0
        let valueWidth = rows.map(\.1.count).max() ?? 0
        var text = "llm-workload bench: \(configPath), \(grouped(Double(events))) events per throughput run"
        text += quick ? " (--quick)" : ""
        text += machine.isEmpty ? "\n" : "; \(machine)\n"
        for (name, value, detail) in rows {
            let line = pad(name, nameWidth) + "  " + pad(value, valueWidth) + "  " + detail
            text += String(line.reversed().drop { $0 == " " }.reversed()) + "\n"
        }
        return text
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

/// Fixed-point decimal text without Foundation.
func format(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = UInt64(scaled / scale)
    var text = (value < 0 && scaled > 0 ? "-" : "") + String(whole)
    if decimals > 0 {
        let fraction = UInt64(scaled - Double(whole) * scale)
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }
    return text
}

/// An integer with thousands separators: 1234567 -> "1,234,567".
func grouped(_ value: Double) -> String {
    let digits = Array(String(UInt64(max(0, value.rounded()))))
    var text = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
        text.append(digit)
    }
    return text
}
