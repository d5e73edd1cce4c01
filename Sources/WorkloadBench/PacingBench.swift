import Foundation
import Logging
import WorkloadModel
import WorkloadConfig
import WorkloadDaemon

/// Real-time lateness at a given event rate: the configuration with every
/// time scale divided by (rate / the configuration's own rate), run by the
/// daemon's loop in `realtime` mode for a few wall seconds, recording for
/// every event how late the sink's publish returned versus its due wall time.
enum PacingBench {
    /// Events per virtual second of `spec` in steady state, from the first
    /// `events` events (deterministic: the same for a config and seed).
    static func eventsPerVirtualSecond(_ spec: WorkloadSpec, events: Int = 200_000) -> Double {
        var engine = WorkloadEngine(spec: spec)
        var count = 0
        while count < events, engine.next() != nil { count += 1 }
        let seconds = Double(engine.virtualTime) / 1e9
        return seconds > 0 ? Double(count) / seconds : 0
    }

    /// `spec` with every duration multiplied by `factor`: inter-arrival and
    /// follow-up gaps and link latency (bandwidth divided by it). The stream
    /// is the same one, `1 / factor` times as fast.
    static func timeScaled(_ spec: WorkloadSpec, by factor: Double) -> WorkloadSpec {
        var scaled = spec
        scaled.network = scaledLink(spec.network, by: factor)
        scaled.profiles = spec.profiles.map { profile in
            var profile = profile
            profile.interArrival = profile.interArrival.scaled(by: factor)
            profile.followUp = profile.followUp.scaled(by: factor)
            profile.network = profile.network.map { scaledLink($0, by: factor) }
            return profile
        }
        return scaled
    }

    private static func scaledLink(_ link: NetworkLink, by factor: Double) -> NetworkLink {
        NetworkLink(latencySeconds: link.latencySeconds * factor, bandwidthBitsPerSecond: link.bandwidthBitsPerSecond / factor)
    }

    /// The machine's floor for the same schedule: the pacer alone on the same
    /// stream (the model steps, the thread sleeps until each event is due; no
    /// encoding, no sink), lateness taken when the wait returns.
    static func floor(spec: WorkloadSpec, rate: Int, seconds: Double) -> BenchReport.Quantiles? {
        let events = max(1, Int(Double(rate) * seconds))
        let log = LatenessLog(expected: events)
        TimerSlack.setForThisThread(nanoseconds: 1_000)  // as the daemon's loop does
        var engine = WorkloadEngine(spec: spec)
        var pacer = Pacer(mode: .realtime, virtualStartNanoseconds: 0, clock: SystemWallClock())
        for _ in 0..<events {
            guard let event = engine.next() else { break }
            log.record(pacer.waitUntilDue(virtualNanoseconds: event.time))
        }
        return log.quantiles()
    }

    /// Runs `configuration` (already scaled to `rate`) in real time for
    /// `seconds` through `sink`; lateness quantiles in milliseconds. With
    /// `stateDirectory`, checkpoints are written as `run --state-dir` writes
    /// them (to a temporary directory, removed after).
    static func measure(
        configuration: Configuration, encoder: EventEncoder, sink: EventSink, rate: Int, seconds: Double,
        stateDirectory: Bool = false, logger: Logger
    ) -> BenchReport.Lateness? {
        let events = max(1, Int(Double(rate) * seconds))
        let log = LatenessLog(expected: events)
        let clock = SystemWallClock()
        let runner = DaemonRunner.forBench(
            configuration: configuration, encoder: encoder, sink: sink, pacing: .realtime, events: events, clock: clock, logger: logger)
        runner.observe(PublishLateness(log: log, clock: clock))
        let directory = stateDirectory ? temporaryStateDirectory(logger: logger) : nil
        defer { if let directory { try? FileManager.default.removeItem(atPath: directory.path) } }
        if let directory {
            runner.checkpointer = Checkpointer(directory: directory, pacingAnchorUnixNanoseconds: unixNanosecondsNow(), logger: logger, sink: sink)
        }
        let watch = Stopwatch()
        let outcome = runner.run()
        let elapsed = watch.elapsedSeconds
        if sink.finish(timeoutSeconds: 60).isClean { runner.checkpointer?.commit() }
        guard let quantiles = log.quantiles(), !stateDirectory || directory != nil else { return nil }
        var lateness = BenchReport.Lateness(
            eventsPerSecond: rate, achievedEventsPerSecond: Double(outcome.published) / elapsed,
            samples: log.nanoseconds.count, daemon: quantiles)
        lateness.checkpoints = runner.checkpointer?.written
        return lateness
    }

    /// A fresh state directory under the temporary directory; nil (logged) when it cannot be made.
    private static func temporaryStateDirectory(logger: Logger) -> StateDirectory? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("llm-workload-bench-state-\(getpid())").path
        try? FileManager.default.removeItem(atPath: path)
        do {
            return try StateDirectory(path: path)
        } catch {
            logger.error("bench: cannot make a state directory", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
    }
}
