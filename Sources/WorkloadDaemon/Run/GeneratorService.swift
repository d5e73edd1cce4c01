import Logging
import ServiceLifecycle
import Synchronization
import WorkloadKafka
import WorkloadModel

/// The generating loop as a service: runs `DaemonRunner` on its dedicated
/// thread (timer slack and pacing unchanged), then flushes within the stop's
/// one budget and reports how the run ended. Graceful shutdown sets the stop
/// signal; the service returns once the summary is logged, with the exit
/// status in `status`. A bounded run returning shuts the group down.
final class GeneratorService: Service, @unchecked Sendable {
    // @unchecked Sendable: the sink, runner and notifier are used only by the one
    // generating thread that `run` starts; `status` is behind a Mutex.
    private let setup: DaemonSetup
    private let options: RunOptions
    private let stop: StopSignal
    private let clock: any WallClock
    private let logger: Logger
    private let announce: @Sendable (String) -> Void
    private let exitStatus = Mutex<Int32?>(nil)

    init(setup: DaemonSetup, options: RunOptions, stop: StopSignal, clock: any WallClock, logger: Logger,
         announce: @escaping @Sendable (String) -> Void) {
        self.setup = setup
        self.options = options
        self.stop = stop
        self.clock = clock
        self.logger = logger
        self.announce = announce
    }

    /// The exit status, once `run` returned (70 if it never ran).
    var status: Int32 { exitStatus.withLock { $0 } ?? Daemon.Status.software }

    func run() async {
        await withGracefulShutdownHandler {
            let status = await onDedicatedThread(name: "llm-workload.generator") { self.generateAndFlush() }
            exitStatus.withLock { $0 = status }
        } onGracefulShutdown: { [stop] in
            stop.set()
        }
    }

    private func generateAndFlush() -> Int32 {
        let configuration = setup.configuration
        let sink = setup.sink
        let notifier = setup.notifier
        let stop = self.stop
        let budget = ShutdownBudget(seconds: configuration.kafka.flushTimeoutSeconds, clock: clock)
        // While stopping, wait for room in a full queue only within the budget.
        sink.giveUpWaiting {
            guard stop.isSet else { return false }
            budget.start()
            return budget.isExhausted
        }
        let runner = DaemonRunner(
            configuration: configuration, encoder: setup.encoder, sink: sink, shard: options.shard, pacing: setup.pacing,
            clock: clock, stop: stop, notifier: notifier, metrics: setup.metrics, logger: logger)
        if let resume = setup.resume {
            runner.restored = resume.restored
            runner.checkpointer = Checkpointer(
                directory: resume.directory,
                pacingAnchorUnixNanoseconds: resume.restored?.checkpoint.pacingAnchorUnixNanoseconds ?? unixNanosecondsNow(),
                logger: logger, sink: sink)
        }
        do {
            runner.feedback = try FeedbackResume.open(setup, logger: logger)
            if let feed = runner.feedback?.feed { runner.checkpointer?.feedbackState = { feed.state } }
            runner.feedback?.feed.shard = options.shard
        } catch {
            logger.critical("cannot read the completions topic (feedback.topic)", metadata: ["error": "\(error)"])
            announce("cannot read the completions topic \(configuration.feedback?.topic ?? ""): \(error)")
            _ = sink.finish(timeoutSeconds: 0)
            return ExitStatus.unavailable.code
        }
        _ = notifier?.ready()
        _ = notifier?.status("generating (run \(configuration.runID), seed \(configuration.workload.seed))")
        logger.info("generating", metadata: [
            "run_id": "\(configuration.runID)", "seed": "\(configuration.workload.seed)",
            "pacing": "\(setup.pacing)", "shard": "\(options.shard?.description ?? "all")",
        ])

        var outcome = runner.run()
        if stop.isSet { budget.start() }
        setup.metrics?.up.set(0)
        _ = notifier?.stopping()
        // systemd kills a unit still stopping after TimeoutStopSec; ask for the budget (and a
        // margin for the summary) so that the undelivered count is always logged.
        _ = notifier?.extendTimeout(by: .milliseconds(Int64((budget.remainingSeconds + 5) * 1000)))
        _ = notifier?.status("flushing \(sink.outstanding) records")
        outcome.sink = sink.finish(timeoutSeconds: max(0, budget.remainingSeconds))
        setup.metrics?.syncDeliveries(from: sink)
        if outcome.sinkFailure == nil && outcome.sink.isClean { runner.checkpointer?.commit() }
        if let skipped = sink.skippedOnResume {
            logger.notice("not published again: \(skipped) events Kafka already held from before the restart")
        }
        return report(outcome)
    }

    private func report(_ outcome: RunOutcome) -> Int32 {
        if options.reportFirstEvent {
            // For `bench`: both marks are CLOCK_MONOTONIC, comparable with the spawning process's.
            let produced = outcome.firstPublishedAtWallNanoseconds.map(String.init) ?? "none"
            let acknowledged = outcome.sink.firstDeliveredAtMonotonicNanoseconds.map(String.init) ?? "none"
            // And when each start-up step was done ("setup", "cluster", "connected", "topics", "ready").
            let steps = setup.startupMarks.steps.map { " \($0.step)_monotonic_ns=\($0.nanoseconds)" }.joined()
            announce("first-event produced_monotonic_ns=\(produced) acknowledged_monotonic_ns=\(acknowledged)\(steps)")
        }
        let summary: Logger.Metadata = [
            "events": "\(outcome.published)", "delivered_records": "\(outcome.sink.delivered)",
            "failed": "\(outcome.sink.failed)", "undelivered": "\(outcome.sink.undelivered)",
            "virtual_time_s": "\(Double(outcome.lastVirtualTime) / 1e9)",
        ]
        announce("published \(outcome.published) events (\(outcome.sink.delivered) records delivered incl. watermarks, \(outcome.sink.failed) failed, \(outcome.sink.undelivered) undelivered) over \(Double(outcome.lastVirtualTime) / 1e9) virtual seconds")
        if let faults = outcome.sink.faults { announce("faults injected: \(faults.late) late, \(faults.duplicated) duplicated, \(faults.dropped) dropped") }
        if let status = Daemon.status(afterReaching: outcome.bound, logger: logger, announce: announce) { return status }
        if let failure = outcome.sourceFailure {
            logger.critical("the trace could not be read", metadata: summary.merging(["error": "\(failure)"]) { $1 })
            announce("\(failure)")
            return Daemon.Status.dataError
        }
        if let failure = outcome.sinkFailure ?? outcome.sink.failure {
            logger.critical("\(RunEnding.headline(failure))", metadata: summary.merging(["error": "\(failure)"]) { $1 })
            return RunEnding.status(failure)
        }
        guard outcome.sink.isClean else {
            logger.error("not every event was delivered", metadata: summary)
            return Daemon.Status.unavailable
        }
        logger.info("done", metadata: summary)
        return 0
    }
}
