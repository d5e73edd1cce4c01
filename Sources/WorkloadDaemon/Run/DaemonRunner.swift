import Logging
import WorkloadKafka
import WorkloadModel

import WorkloadConfig
import WorkloadTraces

/// The generating loop of `run`: takes events from the source in order, holds
/// each back until it is due on the wall clock, encodes it once and hands it
/// to the sink, with the watermark rounds that promise what is done; stops
/// cleanly when asked. Everything else watches it as a `RunObserver` (the
/// watchdog and status line, gauges, checkpoints, a benchmark's lateness
/// log); the watermark schedule and a skip on resume are values it asks.
///
/// It runs on one dedicated thread (it blocks in the pacer and in the Kafka
/// client), never on the cooperative pool.
package final class DaemonRunner {
    private let configuration: Configuration
    private let sink: EventSink
    private let shard: Shard?
    private let clock: any WallClock
    private let stop: StopSignal
    private let notifier: SystemdNotifier?
    private let logger: Logger
    private var encoder: EventEncoder
    private let progress: RunProgress
    private var watermarks: WatermarkSchedule
    private var skip = SkipOnResume()
    /// `--speed max`: events leave as fast as the sink takes them.
    private let unpaced: Bool
    private var lastHousekeeping: UInt64 = 0
    /// Paced runs refresh the gauges at least this often (wall nanoseconds), however few
    /// events they emit; `max` runs refresh every 256 events only.
    private let housekeepingInterval: UInt64 = 100_000_000
    private var observers: [any RunObserver] = []
    /// The observers called for every event (those whose `watchesEachEvent`).
    private var eventObservers: [any RunObserver] = []
    private var outcome = RunOutcome()
    /// With `feedback`: its metrics (nil without metrics or without `feedback`).
    private let feedbackMetrics: FeedbackMetrics?

    /// Stop after this many events (the benchmark's `--events`), without
    /// closing the open sessions.
    package var eventLimit = Int.max
    /// `--state-dir`: writes checkpoints; a stop then keeps the sessions open for the restart.
    package var checkpointer: Checkpointer? {
        didSet { if let checkpointer { observe(checkpointer) } }
    }
    /// Continue from this engine, restored from a checkpoint.
    var restored: RestoredRun?
    /// `feedback`: the completions topic's reader.
    var feedback: FeedbackLoop?

    package init(configuration: Configuration, encoder: EventEncoder, sink: EventSink, shard: Shard?, pacing: PacingMode,
         clock: any WallClock, stop: StopSignal, notifier: SystemdNotifier?, metrics: DaemonMetrics?, logger: Logger) {
        self.configuration = configuration
        self.encoder = encoder
        self.sink = sink
        self.shard = shard
        self.clock = clock
        self.stop = stop
        self.notifier = notifier
        self.logger = logger
        progress = RunProgress(pacer: Pacer(mode: pacing, virtualStartNanoseconds: 0, clock: clock),
                               profiles: configuration.streamProfileNames.count)
        unpaced = pacing == .max
        feedbackMetrics = metrics?.feedback
        watermarks = WatermarkSchedule(intervalSeconds: configuration.clock.watermarkIntervalSeconds, pacing: pacing, now: clock.now())
        if let notifier { observe(Heartbeat(notifier: notifier, sink: sink, now: clock.now())) }
        if let metrics { observe(RunGauges(metrics: metrics, sink: sink, paced: !unpaced)) }
    }

    /// Adds a concern that watches the loop (before `run`).
    package func observe(_ observer: any RunObserver) {
        observers.append(observer)
        if observer.watchesEachEvent { eventObservers.append(observer) }
    }

    /// Runs to the end of a bounded workload, or until `stop` is set.
    package func run() -> RunOutcome {
        if !unpaced { TimerSlack.setForThisThread(nanoseconds: 1_000) }
        guard let source = openSource() else { return outcome }
        if let restored { resume(from: restored.checkpoint) }
        if let feedback, let taker = source.completions {
            feedback.begin(taker)
            observe(FeedbackGauges(loop: feedback, taker: taker, metrics: feedbackMetrics))
        }
        if restored == nil { startPacing() }
        let stopping = generate(from: source)
        finish(source, stopping: stopping)
        if let feedback, let taker = source.completions { feedback.report(taker, logger: logger) }
        housekeeping(source: source)
        outcome.lastVirtualTime = source.virtualTime
        outcome.bound = source.boundReached
        return outcome
    }

    /// The source, or nil when there is nothing to run: the trace cannot be
    /// read, or the restored run had already ended.
    private func openSource() -> (any RunEventSource)? {
        let source: any RunEventSource
        do {
            source = try makeEventSource(for: configuration, restoring: restored?.engine)
        } catch {
            logger.critical("cannot read the trace", metadata: ["error": "\(error)"])
            outcome.sourceFailure = error
            return nil
        }
        if let restored, restored.engine.isFinished {
            // The run ended (its `final` watermarks went out before this checkpoint): a restart has nothing to add.
            logger.notice("run \(configuration.runID) is complete: it ended before this start, so nothing is published; to start a new run, pass --new-run",
                          metadata: ["last_seq": "\(restored.checkpoint.lastSeq.map { String($0) } ?? "none")"])
            outcome.lastVirtualTime = restored.engine.virtualTime
            outcome.bound = restored.engine.boundReached  // a run that ended at a ceiling reports it again
            return nil
        }
        return source
    }

    /// The loop: until the source ends, the sink fails, the event limit, or a
    /// resumable stop. Returns whether a stop was asked for.
    private func generate(from source: any RunEventSource) -> Bool {
        var line = ByteWriter(capacity: 4096)
        // Lent to every `publish`: passed from the stored property instead, each event would copy
        // the encoder (a retain and a release of each of its references). Anchored before the loop.
        let encoder = encoder
        var stopping = false
        var steps = unpaced ? nil : LoopSteps(now: clock.now())
        defer { if let steps { logSteps(steps) } }
        while true {
            if stop.isSet && !stopping {
                stopping = true
                if checkpointer != nil { break }  // resumable: the sessions continue after the restart
                source.stop()
                _ = notifier?.stopping()
                logger.info("stopping: closing open sessions", metadata: ["active_sessions": "\(source.activeSessions)"])
            }
            guard outcome.sinkFailure == nil, outcome.events < eventLimit else { break }
            if let feedback, let taker = source.completions {
                feedback.prepare(taker, virtualNow: progress.pacer.virtualElapsed(atWall: clock.now()))
            }
            guard let event = next(from: source) else {
                guard let feedback, let taker = source.completions, taker.isStalled else { break }
                feedback.wait(taker, sink: sink, afterSeq: progress.lastSeq)
                if clock.now() &- lastHousekeeping >= housekeepingInterval { housekeeping(source: source) }
                continue
            }
            outcome.events += 1
            steps?.nextTaken(at: clock.now())
            if let due = skip.begins(at: event) { skip.began(until: beginSkip(until: due)) }
            if skip.skips(event) { continue }  // fell due while down (`on_resume: skip`)
            if let shard, !withSessionKey(event.sessionID, { shard.owns(sessionKey: $0) }) { continue }

            // At `max` nothing is due, so there is no lateness to wait for or record.
            let lateness = stopping || unpaced ? nil : waitUntilDue(event)
            steps?.restart(at: clock.now())
            guard publish(event, from: source, encoder: encoder, line: &line) else { break }
            steps?.published(at: clock.now())
            if !eventObservers.isEmpty {
                for observer in eventObservers { observer.published(event, lateness: lateness, progress: progress) }
            }
            if watermarks.worthChecking(at: event.time, published: outcome.published),
               watermarks.dueByVirtualTime(now: { clock.now() }) {
                emitWatermark(at: event.time)
            }
            if outcome.published & 255 == 0 || (!unpaced && clock.now() &- lastHousekeeping >= housekeepingInterval) {
                housekeeping(source: source)
            }
            steps?.afterDone(at: clock.now())
        }
        return stopping
    }

    /// How long the paced loop's steps took: what held up an event now and then shows as a step's worst.
    private func logSteps(_ steps: LoopSteps) {
        logger.info("generating loop steps", metadata: [
            "next_event": "\(steps.next)", "publish": "\(steps.publish)", "observers_and_housekeeping": "\(steps.after)",
        ])
    }

    /// Waits until `event` is due, serving the idle ticks; returns its lateness.
    private func waitUntilDue(_ event: Event) -> UInt64 {
        // Wait on a copy: the tick reads the pacer (in `idle`), and a read
        // during a mutating call on the property is an exclusivity
        // violation, which traps.
        var waiting = progress.pacer
        let lateness = waiting.waitUntilDue(virtualNanoseconds: event.time, tickNanoseconds: 20_000_000) {
            self.idle(upTo: event.time)
            return !self.stop.isSet && self.outcome.sinkFailure == nil
        } ?? 0
        progress.pacer = waiting
        return lateness
    }

    /// Encodes `event` once and hands it to the sink; false when the sink failed.
    private func publish(_ event: Event, from source: any RunEventSource, encoder: borrowing EventEncoder, line: inout ByteWriter) -> Bool {
        line.removeAll()
        source.encode(event, with: encoder, into: &line)
        line.removeLast()  // the newline: a record value is the object alone
        // The line outermost: read straight from the parameter (not captured by a closure), its
        // storage needs no retain around the sink's call.
        let published: Bool = line.withUnsafeBytes { value in
            withSessionKey(event.sessionID) { key in
                do throws(SinkError) {
                    try sink.publish(event, key: key, value: value)
                    return true
                } catch {
                    outcome.sinkFailure = error
                    return false
                }
            }
        }
        guard published, outcome.sinkFailure == nil else { return false }
        if outcome.published == 0 { outcome.firstPublishedAtWallNanoseconds = clock.now() }
        outcome.published += 1
        progress.published = outcome.published
        progress.lastSeq = event.seq
        progress.lastTime = event.time
        let slot = EventTally.slot(of: event, profiles: progress.tally.profiles)
        progress.tally.count(slot)
        return true
    }

    /// After the loop: the last watermarks (or the end-of-stream marker), and
    /// the observers told where the run stopped.
    private func finish(_ source: any RunEventSource, stopping: Bool) {
        if let failure = outcome.sinkFailure {
            // Nothing more can go out: report how the sink failed, with what it holds.
            logger.critical("sink failed; stopping", metadata: ["error": "\(failure)"])
            return
        }
        if stopping, checkpointer != nil {
            emitWatermark(at: progress.lastTime)
        } else if outcome.events < eventLimit {
            // The source is exhausted (a bound, or a stop that closed every session): the end-of-stream marker.
            watermarks.ended()
            sink.endOfStream(time: source.virtualTime, afterSeq: progress.lastSeq)
        } else {
            emitWatermark(at: source.virtualTime)
        }
        for observer in observers { observer.ended(progress: progress, source: source) }
        if stopping, checkpointer != nil {
            logger.info("stopping: checkpointed; the run continues at the next start", metadata: ["active_sessions": "\(source.activeSessions)"])
        }
    }

    /// The source's next event. A trace that fails to read mid-run (it was
    /// read whole at start-up, so it changed since) ends the stream there:
    /// the open sessions close (`shutdown`) and the run exits 65.
    private func next(from source: any RunEventSource) -> Event? {
        do throws(TraceError) {
            return try source.next()
        } catch {
            logger.critical("cannot read the trace; stopping", metadata: ["error": "\(error)"])
            outcome.sourceFailure = error
            source.stop()
            return try? source.next()
        }
    }

    /// Anchors virtual time 0 where generating begins: the pacer's wall start and the Unix time
    /// read together. The sink is connected by now, so with `clock.start: now` an event's `time`
    /// is the instant it is paced for (anchored at set-up, before connecting, it was 10-30 ms early).
    private func startPacing() {
        let unixNow = unixNanosecondsNow()
        progress.pacer = Pacer(mode: progress.pacer.mode, virtualStartNanoseconds: 0, clock: clock)
        anchorTime(atUnixNanoseconds: unixNow)
    }

    /// With `clock.start: now`, the records' `time` is anchored where pacing is; the checkpoints carry it.
    private func anchorTime(atUnixNanoseconds anchor: Int64) {
        checkpointer?.pacingAnchorUnixNanoseconds = anchor
        guard configuration.clock.startUnixNanoseconds == nil else { return }
        encoder.anchor(atUnixNanoseconds: anchor)
        sink.anchor(atUnixNanoseconds: anchor)
    }

    /// Continues after a checkpoint: from its last published event, paced (and, with
    /// `clock.start: now`, `time` anchored) from the first start's anchor. With `on_resume: skip`,
    /// the events due before now are skipped (`SkipOnResume`).
    private func resume(from checkpoint: RunCheckpoint) {
        progress.lastSeq = checkpoint.lastSeq
        progress.lastTime = checkpoint.lastTime
        watermarks.resume(after: checkpoint.lastTime)
        anchorTime(atUnixNanoseconds: checkpoint.pacingAnchorUnixNanoseconds)
        guard !unpaced else { return }
        progress.pacer = .resumed(mode: progress.pacer.mode, anchorUnixNanoseconds: checkpoint.pacingAnchorUnixNanoseconds,
                                  nowUnixNanoseconds: unixNanosecondsNow(), clock: clock)
        let due = progress.pacer.virtualElapsed(atWall: clock.now())
        guard configuration.clock.resumePolicy == .skip, due > checkpoint.lastTime else { return }
        let held = [checkpoint.lastSeq, sink.highestHeldSeq].compactMap { $0 }.max()
        skip = SkipOnResume(to: due, afterSeq: held)
    }

    /// `on_resume: skip`, at the first event after the last one Kafka holds: the marker, from the
    /// last event published, then a watermark at the time due. Returns the time events must reach to be published.
    private func beginSkip(until due: VirtualNanoseconds) -> VirtualNanoseconds {
        guard due > progress.lastTime else { return .min }
        sink.skippedInterval(from: progress.lastTime, to: due, afterSeq: progress.lastSeq)
        logger.notice("skipped the events that fell due while stopped (clock.on_resume: skip)", metadata: [
            "from_time_s": "\(Double(progress.lastTime) / 1e9)", "to_time_s": "\(Double(due) / 1e9)",
            "after_seq": "\(progress.lastSeq.map(String.init) ?? "none")",
        ])
        progress.lastTime = due
        emitWatermark(at: due)
        return due
    }

    /// While waiting for the next event: watermarks by wall time, delivery reports, the observers.
    private func idle(upTo nextEventTime: VirtualNanoseconds) {
        let now = clock.now()
        if watermarks.dueByWall(now: now) {
            // Virtual time has reached "now" (but not the next event): promise that much.
            let elapsed = progress.pacer.virtualElapsed(atWall: now)
            emitWatermark(at: min(max(progress.lastTime, elapsed), nextEventTime))
        }
        pollSink()
        for observer in observers { observer.idle(progress: progress, now: now) }
    }

    private func emitWatermark(at time: VirtualNanoseconds) {
        sink.watermark(time: time, afterSeq: progress.lastSeq)
        watermarks.sent(at: time, now: clock.now())
    }

    private func pollSink() {
        sink.poll()
        if outcome.sinkFailure == nil, let failure = sink.failure { outcome.sinkFailure = failure }
    }

    private func housekeeping(source: any RunEventSource) {
        pollSink()
        let now = clock.now()
        lastHousekeeping = now
        if watermarks.dueByWall(now: now) {
            emitWatermark(at: progress.lastTime)
        }
        for observer in observers { observer.housekeeping(progress: progress, source: source, now: now) }
    }
}

extension Pacer {
    /// Virtual time corresponding to a wall instant (the pacing relation inverted).
    func virtualElapsed(atWall wall: UInt64) -> VirtualNanoseconds {
        let elapsed = wall > wallStartNanoseconds ? Double(wall - wallStartNanoseconds) : 0
        switch mode {
        case .max: return .max
        case .realtime: return virtualStartNanoseconds + VirtualNanoseconds(elapsed)
        case .accelerated(let speed): return virtualStartNanoseconds + VirtualNanoseconds(elapsed * speed)
        }
    }
}
