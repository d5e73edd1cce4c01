import Foundation
import Logging
import WorkloadModel
import WorkloadConfig
import WorkloadDaemon
import WorkloadTraces

/// Peak resident set size after a number of generated requests, each figure
/// from a fresh process (a process's peak, VmHWM, never goes down, so two
/// figures from one process would not be independent).
///
/// The child (`bench --probe-memory N`, hidden) runs the daemon's loop at
/// `--speed max` (an accelerated run as fast as the sink takes it) into the
/// null sink, with metrics, until N requests have been generated, with every
/// profile's `conversational_probability` set to 0.6, and prints its VmHWM.
/// The null sink keeps the figure about the generator: librdkafka's queue (up
/// to 1 GiB by default) and the embedded cluster, which keeps every record it
/// is sent, would measure Kafka's buffering rather than ours.
package enum MemoryProbe {
    /// What the child prints: one JSON line.
    struct Figures: Codable {
        var requests: Int
        var events: Int
        var vmhwm_kib_before: Int
        var vmhwm_kib: Int
        var vmrss_kib: Int
    }

    /// In the child: runs to `requests` requests and returns the JSON line.
    package static func probe(configuration: Configuration, requests: Int, logger: Logger) -> String {
        var configuration = configuration
        configuration.workload.totalDuration = nil
        configuration.workload.totalRequests = requests
        for index in configuration.workload.profiles.indices {
            configuration.workload.profiles[index].conversationalProbability = 0.6
        }
        let before = processStatusKiB("VmHWM") ?? 0
        let clock = SystemWallClock()
        let metrics = DaemonMetrics(for: configuration, clock: clock)
        let encoder = StreamGenerator.encoder(for: configuration, defaultStart: 0)
        let sink = StreamSink(output: nil, flushEachEvent: false)
        let runner = DaemonRunner(
            configuration: configuration, encoder: encoder, sink: sink, shard: nil, pacing: .max, clock: clock,
            stop: StopSignal(), notifier: nil, metrics: metrics, logger: logger)
        let outcome = runner.run()
        let figures = Figures(
            requests: requests, events: outcome.published, vmhwm_kib_before: before,
            vmhwm_kib: processStatusKiB("VmHWM") ?? 0, vmrss_kib: processStatusKiB("VmRSS") ?? 0)
        let data = (try? JSONEncoder().encode(figures)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// In the parent: the child's peak RSS in MiB after `requests` requests.
    static func measure(configPath: String, seed: UInt64, requests: Int) throws(BenchError) -> Double {
        let arguments = ["bench", "--config", configPath, "--seed", String(seed), "--probe-memory", String(requests)]
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(arguments)
        } catch {
            throw BenchError("memory probe: cannot start \(ChildProcess.executable): \(error)")
        }
        guard result.status == 0,
              let line = result.stdout.split(separator: "\n").last,
              let figures = try? JSONDecoder().decode(Figures.self, from: Data(line.utf8))
        else {
            throw BenchError("memory probe (\(requests) requests) failed with status \(result.status): \(result.stderr.suffix(400))")
        }
        return Double(figures.vmhwm_kib) / 1024
    }

    /// A `kB` field of /proc/self/status (VmHWM, VmRSS), or nil.
    static func processStatusKiB(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: \.isWhitespace).first ?? "")
        }
        return nil
    }
}
