import Logging
import WorkloadConfig
import WorkloadDaemon
import WorkloadModel

extension DaemonRunner {
    /// The daemon's loop as the bench runs it: on the system clock, with the
    /// daemon's metrics, no shard, no systemd, nothing to stop it but `events`.
    static func forBench(
        configuration: Configuration, encoder: EventEncoder, sink: EventSink, pacing: PacingMode, events: Int,
        clock: SystemWallClock, logger: Logger
    ) -> DaemonRunner {
        let runner = DaemonRunner(
            configuration: configuration, encoder: encoder, sink: sink, shard: nil, pacing: pacing, clock: clock,
            stop: StopSignal(), notifier: nil, metrics: DaemonMetrics(for: configuration, clock: clock), logger: logger)
        runner.eventLimit = events
        return runner
    }
}
