import Logging
import WorkloadKafka
import WorkloadModel

#if canImport(Glibc)
import Glibc
#endif

/// The generating loop of `run`: takes events from the model in order, holds
/// each back until it is due on the wall clock, encodes it once and hands it
/// to the sink; emits watermarks, pings the watchdog, updates metrics and
/// stops cleanly when asked.
///
/// It runs on one dedicated thread (it blocks in the pacer and in the Kafka
/// client), never on the cooperative pool.
final class DaemonRunner {
    private let configuration: Configuration
    private let sink: EventSink
    private let shard: Shard?
    private let clock: any WallClock
    private let stop: StopSignal
    private let notifier: SystemdNotifier?
    private let metrics: DaemonMetrics?
    private let logger: Logger
    private let encoder: EventEncoder
    private var pacer: Pacer
    private let watermarkInterval: VirtualNanoseconds
    private let watermarkWallInterval: UInt64
    /// Faster than real time, the watermark due by virtual time is held back
    /// until this much wall time has passed since the last one (and then
    /// covers the intervals in between); 0 in real time. See `virtualWatermarkDue`.
    private let watermarkCoalescing: UInt64
    private var watermarkPending = false
    /// `--speed max`: events leave as fast as the sink takes them.
    private let unpaced: Bool
    private var lastHousekeeping: UInt64 = 0
    /// Paced runs refresh the gauges at least this often (wall nanoseconds), however few
    /// events they emit; `max` runs refresh every 256 events only.
    private let housekeepingInterval: UInt64 = 100_000_000

    /// Stop after this many events (the benchmark's `--events`), without
    /// closing the open sessions.
    var eventLimit = Int.max
    /// When set, receives for every published event how late (ns) it left:
    /// from its due wall time to the return of the sink's publish.
    var latenessLog: LatenessLog?
    /// `--state-dir` (issue 11): writes checkpoints; a stop then keeps the sessions open for the restart.
    var checkpointer: Checkpointer?
    /// Continue from this engine, restored from a checkpoint.
    var restored: RestoredRun?

    private var nextWatermarkVirtual: VirtualNanoseconds
    private var lastWatermarkWall: UInt64
    private var lastSeq: UInt64?
    private var lastTime: VirtualNanoseconds = 0
    private var lastWatchdog: UInt64 = 0
    private var lastStatus: UInt64 = 0
    private var outcome = RunOutcome()
    /// `on_resume: skip`: the time due at the restart, and the last seq Kafka holds (the skip begins after it).
    private var pendingSkip: (to: VirtualNanoseconds, afterSeq: UInt64?)?

    init(configuration: Configuration, encoder: EventEncoder, sink: EventSink, shard: Shard?, pacing: PacingMode,
         clock: any WallClock, stop: StopSignal, notifier: SystemdNotifier?, metrics: DaemonMetrics?, logger: Logger) {
        self.configuration = configuration
        self.encoder = encoder
        self.sink = sink
        self.shard = shard
        self.clock = clock
        self.stop = stop
        self.notifier = notifier
        self.metrics = metrics
        self.logger = logger
        pacer = Pacer(mode: pacing, virtualStartNanoseconds: 0, clock: clock)
        unpaced = pacing == .max
        let interval = configuration.clock.watermarkIntervalSeconds
        watermarkInterval = VirtualNanoseconds(interval * 1e9)
        watermarkWallInterval = UInt64(interval * 1e9)
        watermarkCoalescing = pacing == .realtime ? 0 : min(watermarkWallInterval, DaemonRunner.watermarkCoalescingCap)
        nextWatermarkVirtual = watermarkInterval
        lastWatermarkWall = clock.now()
    }

    /// At most this often (wall time) a watermark follows virtual time when
    /// the run is faster than real time: 100 rounds a second.
    static let watermarkCoalescingCap: UInt64 = 10_000_000

    /// Runs to the end of a bounded workload, or until `stop` is set.
    func run() -> RunOutcome {
        if !unpaced { TimerSlack.setForThisThread(nanoseconds: 1_000) }
        let source: any RunEventSource
        do {
            source = try makeEventSource(for: configuration, restoring: restored?.engine)
        } catch {
            logger.critical("cannot read the trace", metadata: ["error": "\(error)"])
            outcome.sourceFailure = error
            return outcome
        }
        if let restored, restored.engine.isFinished {
            // The run ended (its `final` watermarks went out before this checkpoint): a restart has nothing to add.
            logger.notice("run \(configuration.runID) is complete: it ended before this start, so nothing is published; to start a new run, pass --new-run",
                          metadata: ["last_seq": "\(restored.checkpoint.lastSeq.map { String($0) } ?? "none")"])
            outcome.lastVirtualTime = restored.engine.virtualTime
            outcome.bound = restored.engine.boundReached  // a run that ended at a ceiling reports it again
            return outcome
        }
        var skipUntil = VirtualNanoseconds.min
        if let restored { resume(from: restored.checkpoint) }
        var line = ByteWriter(capacity: 4096)
        var stopping = false
        let profileCount = configuration.streamProfileNames.count
        lastWatchdog = clock.now()
        lastStatus = lastWatchdog

        while true {
            if stop.isSet && !stopping {
                stopping = true
                if checkpointer != nil { break }  // resumable: the sessions continue after the restart
                source.stop()
                _ = notifier?.stopping()
                logger.info("stopping: closing open sessions", metadata: ["active_sessions": "\(source.activeSessions)"])
            }
            guard outcome.sinkFailure == nil, outcome.events < eventLimit, let item = next(from: source) else { break }
            let event = item.event
            outcome.events += 1
            if let skip = pendingSkip, skip.afterSeq.map({ event.seq > $0 }) ?? true { skipUntil = beginSkip(until: skip.to) }
            if event.time < skipUntil { continue }  // fell due while down (`on_resume: skip`)
            if let shard, !withSessionKey(event.sessionID, { shard.owns(sessionKey: $0) }) { continue }

            // At `max` nothing is due, so there is no lateness to wait for or record.
            if !stopping && !unpaced {
                // Wait on a copy: the tick reads `self.pacer` (in `idle`), and
                // a read during a mutating call on the property is an
                // exclusivity violation, which traps.
                var waiting = pacer
                let lateness = waiting.waitUntilDue(virtualNanoseconds: event.time, tickNanoseconds: 20_000_000) {
                    self.idle(upTo: event.time)
                    return !self.stop.isSet && self.outcome.sinkFailure == nil
                } ?? 0
                pacer = waiting
                metrics?.recordLateness(nanoseconds: lateness)
            }

            line.removeAll()
            encoder.encode(item, into: &line)
            line.removeLast()  // the newline: a record value is the object alone
            let published: Bool = withSessionKey(event.sessionID) { key in
                line.withUnsafeBytes { value in
                    do throws(SinkError) {
                        try sink.publish(event, key: key, value: value)
                        return true
                    } catch {
                        outcome.sinkFailure = error
                        return false
                    }
                }
            }
            guard published, outcome.sinkFailure == nil else { break }
            if let latenessLog, let due = pacer.dueWallNanoseconds(virtualNanoseconds: event.time) {
                let now = clock.now()
                latenessLog.record(now > due ? now - due : 0)
            }
            if outcome.published == 0 { outcome.firstPublishedAtWallNanoseconds = clock.now() }
            outcome.published += 1
            lastSeq = event.seq
            lastTime = event.time
            if let metrics {
                let type: Int
                switch event {
                case .request: type = 0
                case .sessionStarted: type = 1
                case .sessionEnded: type = 2
                }
                metrics.eventGenerated(typeIndex: type, profileIndex: Int(event.profile) % max(1, profileCount))
            }

            // A held-back watermark is looked at every 16 events (not every
            // event: that would be a clock read each), and while idle.
            if event.time >= nextWatermarkVirtual || (watermarkPending && outcome.published & 15 == 0) {
                virtualWatermarkDue(at: event.time)
            }
            if outcome.published & 255 == 0 || (!unpaced && clock.now() &- lastHousekeeping >= housekeepingInterval) {
                housekeeping(source: source)
            }
        }
        if let failure = outcome.sinkFailure {
            // Nothing more can go out: report how the sink failed, with what it holds.
            logger.critical("sink failed; stopping", metadata: ["error": "\(failure)"])
        } else if stopping, checkpointer != nil {
            emitWatermark(at: lastTime)
            hold(source)
            logger.info("stopping: checkpointed; the run continues at the next start", metadata: ["active_sessions": "\(source.activeSessions)"])
        } else if outcome.events < eventLimit {
            // The source is exhausted (a bound, or a stop that closed every session): the end-of-stream marker.
            watermarkPending = false
            sink.endOfStream(time: source.virtualTime, afterSeq: lastSeq)
            hold(source)
        } else {
            emitWatermark(at: source.virtualTime)
            hold(source)
        }
        housekeeping(source: source)
        outcome.lastVirtualTime = source.virtualTime
        outcome.bound = source.boundReached
        return outcome
    }

    /// The source's next event. A trace that fails to read mid-run (it was
    /// read whole at start-up, so it changed since) ends the stream there:
    /// the open sessions close (`shutdown`) and the run exits 65.
    private func next(from source: any RunEventSource) -> ReplayEvent? {
        do throws(TraceError) {
            return try source.next()
        } catch {
            logger.critical("cannot read the trace; stopping", metadata: ["error": "\(error)"])
            outcome.sourceFailure = error
            source.stop()
            return try? source.next()
        }
    }

    /// `--state-dir`: hands the engine's state to the checkpointer (profile runs only; a replay is not resumable).
    private func hold(_ source: any RunEventSource) {
        guard let checkpointer, let engine = (source as? GeneratedEvents)?.engine else { return }
        checkpointer.hold(engine: engine, lastSeq: lastSeq, lastTime: lastTime)
    }

    /// Continues after a checkpoint: from its last published event, paced from the first start's
    /// anchor. With `on_resume: skip`, the events due before now are not published, but only those
    /// after the last event Kafka holds: what the stopped process published after its checkpoint
    /// (and what it had queued for the partitions before that, lost with it) goes out first, then
    /// the marker names the interval (`beginSkip`).
    private func resume(from checkpoint: RunCheckpoint) {
        lastSeq = checkpoint.lastSeq
        lastTime = checkpoint.lastTime
        nextWatermarkVirtual = checkpoint.lastTime + watermarkInterval
        guard !unpaced else { return }
        pacer = .resumed(mode: pacer.mode, anchorUnixNanoseconds: checkpoint.pacingAnchorUnixNanoseconds,
                         nowUnixNanoseconds: unixNanosecondsNow(), clock: clock)
        let due = pacer.virtualElapsed(atWall: clock.now())
        guard configuration.clock.resumePolicy == .skip, due > checkpoint.lastTime else { return }
        let held = [checkpoint.lastSeq, sink.highestHeldSeq].compactMap { $0 }.max()
        pendingSkip = (due, held)
    }

    /// `on_resume: skip`, at the first event after the last one Kafka holds: the marker, from the
    /// last event published, then a watermark at the time due. Returns the time events must reach to be published.
    private func beginSkip(until due: VirtualNanoseconds) -> VirtualNanoseconds {
        pendingSkip = nil
        guard due > lastTime else { return .min }
        sink.skippedInterval(from: lastTime, to: due, afterSeq: lastSeq)
        logger.notice("skipped the events that fell due while stopped (clock.on_resume: skip)", metadata: [
            "from_time_s": "\(Double(lastTime) / 1e9)", "to_time_s": "\(Double(due) / 1e9)", "after_seq": "\(lastSeq.map(String.init) ?? "none")",
        ])
        lastTime = due
        emitWatermark(at: due)
        return due
    }

    /// While waiting for the next event: watermarks by wall time, watchdog, polls.
    private func idle(upTo nextEventTime: VirtualNanoseconds) {
        let now = clock.now()
        if watermarkDueByWall(now: now) {
            // Virtual time has reached "now" (but not the next event): promise that much.
            let elapsed = pacer.virtualElapsed(atWall: now)
            emitWatermark(at: min(max(lastTime, elapsed), nextEventTime))
        }
        sink.poll()
        if outcome.sinkFailure == nil, let failure = sink.failure { outcome.sinkFailure = failure }
        checkpointer?.poll()
        tickWatchdogAndStatus(now: now)
    }

    /// Virtual time has advanced by the watermark interval (SPEC 5). In real
    /// time that takes an interval of wall time, so the watermark goes out at
    /// once. Faster than real time it can happen every few events, and a round
    /// is a record on every partition of both topics: then it waits until
    /// `watermarkCoalescing` of wall time has passed since the last round.
    /// Nothing a consumer can use is lost: a watermark at T makes every
    /// promise one at an earlier time would have made, so the round that goes
    /// out covers the skipped ones, at most 10 ms later.
    private func virtualWatermarkDue(at time: VirtualNanoseconds) {
        if watermarkCoalescing > 0 && clock.now() &- lastWatermarkWall < watermarkCoalescing {
            watermarkPending = true
            nextWatermarkVirtual = .max  // until it goes out; then one interval on
            return
        }
        emitWatermark(at: time)
    }

    /// A watermark is due by wall time: an interval since the last, or a held-back one's wait is over.
    private func watermarkDueByWall(now: UInt64) -> Bool {
        let since = now &- lastWatermarkWall
        return since >= watermarkWallInterval || (watermarkPending && since >= watermarkCoalescing)
    }

    private func emitWatermark(at time: VirtualNanoseconds) {
        watermarkPending = false
        sink.watermark(time: time, afterSeq: lastSeq)
        nextWatermarkVirtual = time + watermarkInterval
        lastWatermarkWall = clock.now()
    }

    private func housekeeping(source: any RunEventSource) {
        sink.poll()
        if outcome.sinkFailure == nil, let failure = sink.failure { outcome.sinkFailure = failure }
        let now = clock.now()
        lastHousekeeping = now
        if watermarkDueByWall(now: now) {
            emitWatermark(at: lastTime)
        }
        tickWatchdogAndStatus(now: now)
        if let checkpointer, let engine = (source as? GeneratedEvents)?.engine {
            checkpointer.tick(engine: engine, lastSeq: lastSeq, lastTime: lastTime, now: now)
        }
        if let metrics {
            metrics.activeSessions.set(source.activeSessions)
            metrics.virtualTimeSeconds.set(Double(source.virtualTime) / 1e9)
            metrics.producerQueueDepth.set(sink.outstanding)
            metrics.syncDeliveries(from: sink)
        }
    }

    private func tickWatchdogAndStatus(now: UInt64) {
        guard let notifier else { return }
        if let interval = notifier.watchdogInterval {
            let half = UInt64(interval.components.seconds) * 500_000_000 + UInt64(interval.components.attoseconds / 2_000_000_000)
            if now &- lastWatchdog >= half {
                _ = notifier.watchdog()
                lastWatchdog = now
            }
        }
        if now &- lastStatus >= 5_000_000_000 {
            lastStatus = now
            let virtual = Double(lastTime) / 1e9
            _ = notifier.status("published \(outcome.published) events, virtual time \(String(virtual)) s, \(sink.outstanding) awaiting delivery")
        }
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
