import Foundation
import Logging
import WorkloadModel
import WorkloadConfig
import WorkloadDaemon

/// `bench --resume-after N`: the time a resumable run
/// takes to continue after N events. It generates N events in process (no
/// Kafka), writes the run record and checkpoint exactly as `run --state-dir`
/// would at that point, then spawns `run --state-dir DIR --embedded-kafka
/// --speed max --report-first-event` and measures, on `CLOCK_MONOTONIC` as
/// the first-event probe does, from spawn to the first new record produced
/// and acknowledged. That includes exec, loading the configuration, reading
/// and restoring the checkpoint, starting the cluster, connecting, reading
/// back the (empty) topics and the first round trip. The child is stopped
/// with SIGTERM after a few seconds (a resumable stop) and reports.
package enum ResumeProbe {
    package struct Figures: Sendable {
        package var events = 0
        package var generateSeconds = 0.0
        package var virtualSeconds = 0.0
        package var openSessions = 0
        package var checkpointBytes = 0
        package var encodeMs = 0.0
        package var firstProducedMs = 0.0
        package var firstAcknowledgedMs = 0.0
        package var steps: [(step: String, ms: Double)] = []
        /// The seq of the first event the resumed run publishes (= events).
        package var resumedAtSeq: UInt64 = 0

        package var table: String {
            var lines = [
                "resume after \(events) events (\(String(format: "%.0f", virtualSeconds)) virtual s, \(openSessions) open sessions; generated in \(String(format: "%.1f", generateSeconds)) s)",
                "  checkpoint: \(checkpointBytes) bytes, encoded in \(String(format: "%.1f", encodeMs)) ms",
                "  process start -> first new record produced: \(String(format: "%.1f", firstProducedMs)) ms, acknowledged: \(String(format: "%.1f", firstAcknowledgedMs)) ms",
            ]
            if !steps.isEmpty {
                lines.append("  (" + steps.map { "\($0.step) \(String(format: "%.1f", $0.ms))" }.joined(separator: ", ") + " ms)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The run's duration bound for the probe: the longest allowed, so that N events fit.
    static let duration = 1e9

    package static func measure(configuration: Configuration, configPath: String, events: Int, stopAfterSeconds: Double = 6,
                               progress: (String) -> Void) throws(BenchError) -> Figures {
        var configuration = configuration
        let seed = configuration.workload.seed
        configuration.override(duration: duration, seed: seed)
        var figures = Figures()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("llm-workload-resume-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = try newRun(in: directory, configuration: configuration)
        progress("resume: generating \(events) events in process")
        try checkpoint(events: events, of: configuration, into: state, figures: &figures)
        state.unlock()  // the child continues the run there
        progress("resume: starting run --state-dir (stopped after \(stopAfterSeconds) s)")
        try resume(configPath: configPath, seed: seed, directory: directory, stopAfterSeconds: stopAfterSeconds, figures: &figures)
        return figures
    }

    /// A state directory at `directory` holding a new run of `configuration`.
    private static func newRun(in directory: String, configuration: Configuration) throws(BenchError) -> StateDirectory {
        let state: StateDirectory
        do {
            state = try StateDirectory(path: directory)
        } catch {
            throw BenchError("resume probe: \(error)")
        }
        switch ResumeStart.prepare(path: directory, configuration: configuration, shard: nil, newRun: true,
                                   nowUnixNanoseconds: unixNanosecondsNow()) {
        case .success: return state
        case .failure(let refusal): throw BenchError("resume probe: \(refusal)")
        }
    }

    /// Generates `events` events in process and writes the checkpoint after them.
    private static func checkpoint(events: Int, of configuration: Configuration, into state: StateDirectory,
                                   figures: inout Figures) throws(BenchError) {
        let started = Stopwatch()
        var engine = WorkloadEngine(spec: configuration.workload)
        var lastSeq: UInt64?
        for _ in 0..<events {
            guard let event = engine.next() else { throw BenchError("resume probe: the run ended before \(events) events") }
            lastSeq = event.seq
        }
        figures.generateSeconds = started.elapsedSeconds
        figures.events = events
        figures.virtualSeconds = Double(engine.virtualTime) / 1e9
        figures.openSessions = engine.activeSessions
        let encodeStart = Stopwatch()
        let checkpoint = RunCheckpoint(lastSeq: lastSeq, lastTime: engine.virtualTime,
                                       pacingAnchorUnixNanoseconds: unixNanosecondsNow(), engine: engine.checkpoint())
        let bytes = checkpoint.bytes
        figures.encodeMs = encodeStart.elapsedSeconds * 1e3
        figures.checkpointBytes = bytes.count
        figures.resumedAtSeq = engine.nextSequenceNumber
        do {
            try state.write(StateDirectory.checkpointName, bytes: bytes)
        } catch {
            throw BenchError("resume probe: \(error)")
        }
    }

    /// `run --state-dir` in a child process, stopped after `stopAfterSeconds`: when it produced and
    /// had acknowledged its first record, and when each start-up step was done.
    private static func resume(configPath: String, seed: UInt64, directory: String, stopAfterSeconds: Double,
                               figures: inout Figures) throws(BenchError) {
        let arguments = [
            "run", "--config", configPath, "--seed", String(seed), "--duration", String(Int(duration)), "--embedded-kafka",
            "--mode", "accelerated", "--speed", "max", "--metrics-listen", "", "--log-level", "notice",
            "--report-first-event", "--state-dir", directory,
        ]
        var spawnedAt: UInt64 = 0
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(arguments, spawned: { spawnedAt = $0 }, started: { pid in
                DispatchQueue.global().asyncAfter(deadline: .now() + stopAfterSeconds) { _ = kill(pid, SIGTERM) }
            })
        } catch {
            throw BenchError("resume probe: cannot start \(ChildProcess.executable): \(error)")
        }
        func mark(_ name: String) -> UInt64? { FirstEventProbe.mark(name, in: result.stderr) }
        // The child continued the checkpointed run, from the seq after the N events.
        guard result.status == 0, result.stderr.contains("continuing run"),
              result.stderr.contains("from_seq=\(figures.resumedAtSeq)"),
              let produced = mark("produced_monotonic_ns"), let acknowledged = mark("acknowledged_monotonic_ns"),
              produced >= spawnedAt, acknowledged >= spawnedAt
        else {
            throw BenchError("resume probe: the resumed run failed with status \(result.status): \(result.stderr.suffix(600))")
        }
        figures.firstProducedMs = Double(produced - spawnedAt) / 1e6
        figures.firstAcknowledgedMs = Double(acknowledged - spawnedAt) / 1e6
        figures.steps = ["setup", "cluster", "connected", "topics", "checked", "ready"].compactMap { step -> (String, Double)? in
            guard let at = mark(step + "_monotonic_ns"), at >= spawnedAt else { return nil }
            return (step, Double(at - spawnedAt) / 1e6)
        }
    }
}
